"""Stratified meta-analysis (CAMARADES) with a test for differences between strata."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from neuroprotect.errors import InputError
from neuroprotect.meta._rma import fit_rma, resolve_test
from neuroprotect.meta.models import RandomEffectsMeta, check_yi_vi

__all__ = ["SubgroupResult", "compute_subgroups"]


@dataclass
class SubgroupResult:
    """Per-stratum pooled estimates and the between-strata tests.

    Attributes
    ----------
    strata
        One row per stratum: ``stratum, k, estimate, se, ci_low, ci_high, tau2, i2, q, q_dof,
        q_p_val, fe_estimate, fe_se``.
    q_total, q_within, q_between, dof_between, p_between
        Fixed-effect partition of Cochran's Q (classic CAMARADES): ``Q_between = Q_total -
        sum Q_within``, chi^2 with (strata - 1) df. Identical to metafor's fixed-effect
        moderator test ``rma(yi, vi, mods=~factor(g), method="FE")`` QM.
    qm_random, qm_random_p_val, tau2_residual
        Random-effects (mixed-model) moderator test: Wald QM of the stratum dummies in
        ``rma(yi, vi, mods=~factor(g), method=method)``, with the residual tau^2. The two tests
        can disagree widely (dat.bcg by allocation: FE p = 5e-5, REML p = 0.41); state which one
        a conclusion rests on.
    warnings
        Convergence notes of the within-stratum and mixed-model fits (several likelihood
        maxima, flat likelihood), each naming its stratum.
    """

    by: str
    method: str
    strata: pd.DataFrame
    q_total: float
    q_within: float
    q_between: float
    dof_between: int
    p_between: float
    qm_random: float
    qm_random_p_val: float
    tau2_residual: float
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        rows = [
            {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in r.items()}
            for r in self.strata.to_dict(orient="records")
        ]
        return {
            "by": self.by,
            "method": self.method,
            "strata": rows,
            "q_total": self.q_total,
            "q_within": self.q_within,
            "q_between": self.q_between,
            "dof_between": self.dof_between,
            "p_between": self.p_between,
            "qm_random": self.qm_random,
            "qm_random_p_val": self.qm_random_p_val,
            "tau2_residual": self.tau2_residual,
            "warnings": self.warnings,
        }


def _stratum_row(label: str, y: np.ndarray, v: np.ndarray, method: str, test: str) -> dict:
    fe = fit_rma(y, v, method="FE")
    if y.size >= 2:
        m = RandomEffectsMeta(method, test=test).fit(y, v)
        est, se, ci, t2, i2 = m.estimate_, m.se_, m.ci_, m.tau2_, m.i2_
        notes = [f"stratum {label}: {w}" for w in m.warnings_]
    else:  # one study: its own effect, no heterogeneity to estimate
        est, se = float(y[0]), float(np.sqrt(v[0]))
        z = float(stats.norm.ppf(0.975))
        ci, t2, i2 = (est - z * se, est + z * se), float("nan"), float("nan")
        notes = []
    return {
        "stratum": label,
        "k": int(y.size),
        "estimate": est,
        "se": se,
        "ci_low": ci[0],
        "ci_high": ci[1],
        "tau2": t2,
        "i2": i2,
        "q": fe.q,
        "q_dof": fe.dof,
        "q_p_val": fe.q_p_val,
        "fe_estimate": float(fe.beta[0]),
        "fe_se": float(fe.se[0]),
        "_warnings": notes,
    }


def compute_subgroups(
    yi: Sequence[float] | np.ndarray,
    vi: Sequence[float] | np.ndarray,
    strata: Sequence[Any] | pd.Series,
    *,
    method: str = "REML",
    knapp_hartung: bool = False,
    test: str | None = None,
    by: str = "stratum",
) -> SubgroupResult:
    """Pool each stratum separately and test whether the strata differ.

    Parameters
    ----------
    yi, vi
        Effect sizes and sampling variances.
    strata
        Stratum label of each study (dose, route, model, time of administration, ...). Missing
        labels are an error.
    method
        tau^2 estimator of the within-stratum pooling and of the mixed-model moderator test.
    knapp_hartung
        Knapp-Hartung inference within strata (synonym of ``test="knha"``).
    test
        ``"z"``, ``"knha"`` or ``"adhoc"`` inference within strata.
    by
        Name of the stratifying variable (for reports).

    Returns
    -------
    SubgroupResult

    Notes
    -----
    Strata are ordered as sorted labels. A stratum of one study reports that study's effect.
    CAMARADES (Vesterinen et al. 2014) applies a Bonferroni threshold across the number of
    stratifying variables tested; that correction is left to the caller.
    """
    y, v = check_yi_vi(yi, vi)
    labels = pd.Series(list(strata), dtype=object)
    labels = labels.where(~labels.map(lambda s: isinstance(s, str) and not s.strip()), None)
    if len(labels) != y.size:
        raise InputError(f"Expected {y.size} stratum labels, but got {len(labels)}", field=by)
    if labels.isna().any():
        i = int(np.flatnonzero(labels.isna().to_numpy())[0])
        raise InputError(f"Expected a stratum label for study {i + 1}, but it is missing", field=by)
    labels = labels.astype(str)
    levels = sorted(labels.unique())
    if len(levels) < 2:
        raise InputError(f"Expected at least 2 strata in {by!r}, but got {levels}", field=by)
    method = method.upper()
    try:
        test_name = resolve_test(test, knapp_hartung)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    rows = []
    for lev in levels:
        mask = (labels == lev).to_numpy()
        rows.append(_stratum_row(lev, y[mask], v[mask], method, test_name))
    notes = [w for r in rows for w in r.pop("_warnings")]
    table = pd.DataFrame(rows)
    q_total = fit_rma(y, v, method="FE").q
    q_within = float(table["q"].sum())
    q_between = q_total - q_within
    dof = len(levels) - 1
    # mixed-effects moderator test: intercept = first stratum, dummies for the others
    x = np.column_stack([np.ones_like(y)] + [(labels == lev).to_numpy(float) for lev in levels[1:]])
    if y.size > x.shape[1]:
        mix = fit_rma(y, v, x, method=method)
        b, cov = mix.beta[1:], mix.vcov[1:, 1:]
        qm = float(b @ np.linalg.solve(cov, b))
        qm_p = float(stats.chi2.sf(qm, dof))
        tau2_res = mix.tau2
        notes += [f"mixed-model moderator test: {method}: {w}" for w in mix.warnings]
    else:
        qm, qm_p, tau2_res = float("nan"), float("nan"), float("nan")
    return SubgroupResult(
        by=by,
        method=method,
        strata=table,
        q_total=q_total,
        q_within=q_within,
        q_between=q_between,
        dof_between=dof,
        p_between=float(stats.chi2.sf(q_between, dof)),
        qm_random=qm,
        qm_random_p_val=qm_p,
        tau2_residual=tau2_res,
        warnings=notes,
    )
