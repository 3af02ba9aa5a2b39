"""Meta-regression: effect sizes on study-level moderators (dose, time to treatment, ...)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from neuroprotect.errors import InputError
from neuroprotect.meta._rma import METHODS, fit_rma, resolve_test
from neuroprotect.meta.models import check_yi_vi

__all__ = ["MetaRegressionResult", "design_matrix", "meta_regression", "moderator_matrix"]


@dataclass
class MetaRegressionResult:
    """Mixed-effects meta-regression (metafor ``rma(yi, vi, mods=...)``).

    Attributes
    ----------
    coefficients
        One row per coefficient (``intercept`` first): ``term, estimate, se, statistic, p_val,
        ci_low, ci_high``.
    tau2
        Residual between-study variance.
    i2, h2
        Residual I^2 (percent) and H^2.
    qm, qm_dof, qm_p_val
        Omnibus Wald test of all moderators (chi^2, or F(m, k - p) with ``knha``/``adhoc``).
    qe, qe_dof, qe_p_val
        Test of residual heterogeneity.
    r2
        Percentage of tau^2 explained: ``max(0, 100 (tau2_RE - tau2_ME) / tau2_RE)``, with
        tau2_RE from the model without moderators (same estimator).
    test
        ``z``, ``knha`` or ``adhoc`` (see :class:`~neuroprotect.meta.RandomEffectsMeta`).
    warnings
        Convergence notes of the residual tau^2 (several likelihood maxima, flat likelihood).
    """

    method: str
    k: int
    coefficients: pd.DataFrame
    tau2: float
    i2: float
    h2: float
    qm: float
    qm_dof: int
    qm_p_val: float
    qe: float
    qe_dof: int
    qe_p_val: float
    r2: float
    knapp_hartung: bool
    test: str = "z"
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (coefficients as a list of records)."""
        out = {k: v for k, v in self.__dict__.items() if k != "coefficients"}
        out["coefficients"] = self.coefficients.to_dict(orient="records")
        return out


def moderator_matrix(values: pd.Series, *, name: str) -> pd.DataFrame:
    """Design columns of one moderator: itself if numeric, else treatment dummies.

    Dummy columns are named ``name[level]`` against the first level in sorted order.
    """
    values = values.where(~values.map(lambda s: isinstance(s, str) and not s.strip()), None)
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().all():
        return pd.DataFrame({name: numeric.to_numpy(float)})
    if values.isna().any():
        raise InputError(
            "Expected a moderator value for every study, but some are missing", field=name
        )
    labels = values.astype(str)
    levels = sorted(labels.unique())
    if len(levels) < 2:
        raise InputError(f"Expected at least 2 levels of {name!r}, but got {levels}", field=name)
    return pd.DataFrame({f"{name}[{lev}]": (labels == lev).to_numpy(float) for lev in levels[1:]})


def design_matrix(data: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """Design columns of several moderators, in the order given (metafor ``mods = ~ a + b``).

    Numeric moderators enter as themselves, text ones as treatment-coded dummies against their
    first level in sorted order (as R's ``factor()``); see :func:`moderator_matrix`.
    """
    parts = []
    for name in names:
        if name not in data.columns:
            raise InputError(f"Expected a moderator column {name!r}, but it is missing", field=name)
        parts.append(moderator_matrix(data[name].reset_index(drop=True), name=name))
    return pd.concat(parts, axis=1)


def meta_regression(
    yi: Sequence[float] | np.ndarray,
    vi: Sequence[float] | np.ndarray,
    moderators: pd.DataFrame,
    *,
    method: str = "REML",
    knapp_hartung: bool = False,
    test: str | None = None,
    level: float = 0.95,
    tau2: float | None = None,
) -> MetaRegressionResult:
    """Regress effect sizes on moderators with a random (residual) study effect.

    Parameters
    ----------
    yi, vi
        Effect sizes and sampling variances, one per study.
    moderators
        One numeric column per moderator (k rows). Categorical moderators: pass dummy columns
        (``pd.get_dummies(x, drop_first=True, dtype=float)``, or :func:`design_matrix`). An
        intercept is added first.
    method
        Residual tau^2 estimator: REML (default), ML, DL, HE, SJ, PM, EB or FE.
    knapp_hartung
        Synonym of ``test="knha"``.
    test
        ``"z"``, ``"knha"`` (t(k - p) tests and an F(m, k - p) omnibus test) or ``"adhoc"``
        (the same with the scaling factor >= 1), as metafor ``rma(test=...)``.
    level
        Confidence level of the coefficient CIs.
    tau2
        Fix the residual tau^2 instead of estimating it (R^2 is then relative to the same
        estimator's tau^2 without moderators).

    Returns
    -------
    MetaRegressionResult

    Notes
    -----
    Weighted least squares with weights 1/(v_i + tau2) (Viechtbauer 2010, J Stat Softw 36(3));
    ML/REML tau2 is the global maximum of the (restricted) likelihood. Matches metafor 3.8
    ``rma(yi, vi, mods=~ablat, data=dat.bcg)`` (tests/meta/test_regression.py) and metafor 4.6
    with one and two moderators on pymare's grid (tests/meta/test_metafor_grid.py).
    """
    method = method.upper()
    if method not in METHODS:
        raise InputError(f"Expected method one of {', '.join(METHODS)}, but got {method!r}")
    try:
        test_name = resolve_test(test, knapp_hartung)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    y, v = check_yi_vi(yi, vi)
    mods = moderators.apply(pd.to_numeric, errors="coerce").astype(float)
    if len(mods) != y.size:
        raise InputError(f"Expected {y.size} moderator rows, but got {len(mods)}")
    if mods.isna().any().any():
        col = mods.columns[mods.isna().any()][0]
        raise InputError("Expected numeric moderator values, but some are missing", field=col)
    x = np.column_stack([np.ones_like(y), mods.to_numpy(float)])
    p_ = x.shape[1]
    if y.size <= p_:
        raise InputError(f"Expected more studies than coefficients ({p_}), but got {y.size}")
    if np.linalg.matrix_rank(x) < p_:
        raise InputError("Expected moderators that are not collinear, but the design is singular")
    fit = fit_rma(y, v, x, method=method, test=test_name, tau2=tau2)
    se = fit.se
    crit = fit.crit(level)
    terms = ["intercept", *[str(c) for c in mods.columns]]
    coefs = pd.DataFrame(
        {
            "term": terms,
            "estimate": fit.beta,
            "se": se,
            "statistic": fit.beta / se,
            "p_val": fit.p_values(),
            "ci_low": fit.beta - crit * se,
            "ci_high": fit.beta + crit * se,
        }
    )
    b, cov = fit.beta[1:], fit.vcov[1:, 1:]
    m = p_ - 1
    qm = float(b @ np.linalg.solve(cov, b))
    if fit.knapp_hartung:
        qm /= m
        qm_p = float(stats.f.sf(qm, m, fit.dof))
    else:
        qm_p = float(stats.chi2.sf(qm, m))
    tau2_re = fit_rma(y, v, method=method).tau2
    r2 = max(0.0, 100 * (tau2_re - fit.tau2) / tau2_re) if tau2_re > 0 else float("nan")
    return MetaRegressionResult(
        method=method,
        k=int(y.size),
        coefficients=coefs,
        tau2=fit.tau2,
        i2=fit.i2,
        h2=fit.h2,
        qm=qm,
        qm_dof=m,
        qm_p_val=qm_p,
        qe=fit.q,
        qe_dof=fit.dof,
        qe_p_val=fit.q_p_val,
        r2=r2,
        knapp_hartung=fit.knapp_hartung,
        test=test_name,
        warnings=[f"{method}: {w}" for w in fit.warnings],
    )
