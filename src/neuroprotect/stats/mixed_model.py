"""Linear mixed model for repeated measures (random intercept, optionally slope, per animal).

:func:`fit_mixed_model` is re-exported from :mod:`neuroprotect.stats.repeated`, which describes
both repeated-measures analyses.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from neuroprotect.errors import InputError
from neuroprotect.stats._lmm_reml import (
    boundary_state,
    g_from,
    optimize_theta,
    polish_theta,
    reml_state,
    satterthwaite_df,
    theta_from,
)
from neuroprotect.stats._long_table import LongTable, prepare_long_table
from neuroprotect.stats.result import records

__all__ = ["FIXED_EFFECT_COLUMNS", "MixedModelResult", "fit_mixed_model"]

FIXED_EFFECT_COLUMNS = ("term", "estimate", "se", "statistic", "dof", "p_val", "ci_low", "ci_high")


@dataclass
class MixedModelResult:
    """A fitted linear mixed model.

    Attributes
    ----------
    fixed_effects
        One row per coefficient: ``term, estimate, se, statistic`` (t), ``dof`` (Satterthwaite, or
        ``inf`` for the Wald z fallback), ``p_val`` (two-sided), ``ci_low, ci_high`` (95 %).
    sigma
        Residual standard deviation.
    random_effects
        One row per random-effect term: ``group`` (the subject column), ``term``
        (``"(Intercept)"`` or the within column), ``sd``.
    df_method
        ``"satterthwaite"`` or ``"wald-z"`` (used when the Satterthwaite computation is not
        possible, e.g. a random-effect variance estimated at zero).
    reml_criterion
        -2 times the REML log-likelihood (lme4's ``REMLcrit``).
    formula
        The model in R notation, e.g. ``latency_s ~ group * day + (1 | animal_id)``.
    n_obs, n_subjects
        Rows used and animals.
    re_correlation
        Correlation of random intercept and slope (``None`` without a random slope).
    warnings
        Notes for the report (dropped missing values, singular fit, convergence).
    """

    fixed_effects: pd.DataFrame
    sigma: float
    random_effects: pd.DataFrame
    df_method: str
    reml_criterion: float
    formula: str
    n_obs: int
    n_subjects: int
    re_correlation: float | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The ``mixed_model`` part of ``neuroprotect stats repeated --json``."""
        return {
            "formula": self.formula,
            "fixed_effects": records(self.fixed_effects, FIXED_EFFECT_COLUMNS),
            "sigma": float(self.sigma),
            "random_effects": records(self.random_effects, ["group", "term", "sd"]),
            "re_correlation": self.re_correlation,
            "df_method": self.df_method,
            "reml_criterion": float(self.reml_criterion),
            "n_obs": self.n_obs,
            "n_subjects": self.n_subjects,
            "warnings": list(self.warnings),
        }


def _level_name(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _design(table: LongTable, *, within_categorical: bool) -> tuple[np.ndarray, list[str]]:
    """Fixed-effect design matrix with treatment coding (reference = first level)."""
    df = table.data
    within_cols: list[tuple[str, np.ndarray]] = []
    if within_categorical:
        for level in table.within_levels[1:]:
            within_cols.append(
                (
                    f"{table.within}[{_level_name(level)}]",
                    (df[table.within] == level).to_numpy(float),
                )
            )
    else:
        within_cols.append((table.within, df[table.within].to_numpy(float)))
    between_cols: list[tuple[str, np.ndarray]] = []
    if table.between is not None:
        for level in table.between_levels[1:]:
            between_cols.append(
                (f"{table.between}[{level}]", (df[table.between] == level).to_numpy(float))
            )
    cols = [("(Intercept)", np.ones(len(df)))] + between_cols + within_cols
    cols += [(f"{bn}:{wn}", bv * wv) for bn, bv in between_cols for wn, wv in within_cols]
    return np.column_stack([c for _, c in cols]), [n for n, _ in cols]


def fit_mixed_model(
    data: pd.DataFrame,
    *,
    dv: str,
    subject: str,
    within: str,
    between: str | None = None,
    control: str | None = None,
    within_categorical: bool = False,
    random_slope: bool = False,
) -> MixedModelResult:
    """Fit a linear mixed model with a random intercept per subject, by REML.

    Parameters
    ----------
    data
        Long table, one row per measurement (per animal and day, or per trial: trials are used as
        they are, not averaged).
    dv
        Numeric response column, e.g. ``escape_latency_s``. Rows with a missing value are dropped.
    subject
        Animal identifier column (random intercept per animal).
    within
        Repeated factor, e.g. ``day``; numeric (a linear trend over days) unless
        ``within_categorical``.
    between
        Optional group column; the model then has ``between * within`` (main effects and
        interaction).
    control
        Reference level of ``between`` (default: the first level in order of appearance, or the
        smallest if all levels are numbers, e.g. dose 0).
    within_categorical
        Treat ``within`` as categorical (treatment coding, first level as reference).
    random_slope
        Also fit a random slope for a numeric ``within``, correlated with the intercept
        (``(day | animal)`` in lme4 notation).

    Returns
    -------
    MixedModelResult
        Fixed effects (``term, estimate, se, statistic, dof, p_val, ci_low, ci_high``), residual
        SD ``sigma``, random-effect SDs (``group, term, sd``). Term names: ``(Intercept)``,
        ``day`` (numeric) or ``day[2]`` (categorical, level 2 vs first level), ``group[drug]``
        (drug vs control), ``group[drug]:day`` (interaction).

    Raises
    ------
    InputError
        Missing column, non-numeric or constant response, fewer than 2 subjects or 2 within levels,
        a subject in two groups, unknown control level.

    Notes
    -----
    Model: ``y_ij = x_ij' beta + b_i + e_ij`` with ``b_i ~ N(0, tau^2)``, ``e_ij ~ N(0, sigma^2)``
    (plus a random slope if asked). Fitted with ``statsmodels`` ``MixedLM(reml=True)``, then
    polished with Newton steps on the analytic REML log-likelihood so that the variance
    parameters sit at the optimum to machine precision. lme4 gives no p-values; the t-tests use
    Satterthwaite degrees of freedom computed from the analytic observed REML information
    (the method of ``lmerTest``, Kuznetsova et al. 2017). If that is not computable (a variance
    at the boundary), the p-values fall back to the normal (Wald z) distribution and
    ``df_method`` says so. Matches ``lme4::lmer`` / ``lmerTest`` (R) on ``sleepstudy``.
    """
    from statsmodels.regression.mixed_linear_model import MixedLM

    table = prepare_long_table(
        data,
        dv=dv,
        subject=subject,
        within=within,
        between=between,
        control=control,
        within_numeric=not within_categorical,
    )
    if random_slope and within_categorical:
        raise InputError("Expected a numeric within factor for a random slope", field=within)
    df = table.data
    x, names = _design(table, within_categorical=within_categorical)
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise InputError(
            "Expected every group to be measured at 2 or more levels of the within factor, "
            "but the fixed effects cannot all be estimated",
            field=within,
        )
    y = df[dv].to_numpy(float)
    z = np.ones((len(df), 1))
    if random_slope:
        z = np.column_stack([z, df[within].to_numpy(float)])
    groups = df[subject].to_numpy()
    notes: list[str] = []
    if table.n_dropped_missing:
        notes.append(f"{table.n_dropped_missing} rows with a missing {dv} were left out.")

    subjects = list(pd.unique(groups))
    idx = [np.flatnonzero(groups == s) for s in subjects]
    ys, xs, zs = [y[i] for i in idx], [x[i] for i in idx], [z[i] for i in idx]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence is checked below on the polished optimum
            fit = MixedLM(y, x, groups=groups, exog_re=z).fit(reml=True)
        theta0 = theta_from(np.asarray(fit.cov_re, dtype=float), float(fit.scale))
        if not np.all(np.isfinite(theta0)):
            raise ValueError("non-finite variance estimates")
    except (np.linalg.LinAlgError, ValueError):  # search from half the OLS variance each
        resid = y - x @ np.linalg.lstsq(x, y, rcond=None)[0]
        half = float(np.var(resid)) / 2
        start = theta_from(np.diag(np.r_[half, np.full(z.shape[1] - 1, half / 10)]), half)
        theta0 = optimize_theta(ys, xs, zs, start)
    try:
        state = polish_theta(ys, xs, zs, theta0)
    except np.linalg.LinAlgError:
        state = reml_state(ys, xs, zs, theta0)
    state = boundary_state(ys, xs, zs, state)
    g, sigma2 = g_from(state.theta, z.shape[1])

    se = np.sqrt(np.diag(state.cov_beta))
    t_stat = state.beta / se
    dof = satterthwaite_df(state)
    singular = np.min(np.diag(g)) <= 1e-8 * sigma2
    if singular:
        notes.append("Singular fit: a random-effect variance is estimated as (almost) zero.")
    elif np.max(np.abs(state.gradient * state.theta)) > 1e-4:
        notes.append("The REML optimisation may not have converged; check the model.")
    if singular or not np.all(np.isfinite(dof)):
        df_method = "wald-z"
        dof = np.full(len(names), np.inf)
        p_val = 2 * stats.norm.sf(np.abs(t_stat))
        crit = np.full(len(names), stats.norm.ppf(0.975))
        notes.append("Satterthwaite degrees of freedom not computable; p-values use the normal.")
    else:
        df_method = "satterthwaite"
        p_val = 2 * stats.t.sf(np.abs(t_stat), dof)
        crit = stats.t.ppf(0.975, dof)
    fixed = pd.DataFrame(
        {
            "term": names,
            "estimate": state.beta,
            "se": se,
            "statistic": t_stat,
            "dof": dof,
            "p_val": p_val,
            "ci_low": state.beta - crit * se,
            "ci_high": state.beta + crit * se,
        }
    )
    re_terms = ["(Intercept)"] + ([within] if random_slope else [])
    random_effects = pd.DataFrame(
        {"group": subject, "term": re_terms, "sd": np.sqrt(np.clip(np.diag(g), 0, None))}
    )
    corr = None
    if random_slope:
        denom = np.sqrt(g[0, 0] * g[1, 1])
        corr = float(g[0, 1] / denom) if denom > 0 else None
    within_term = f"factor({within})" if within_categorical else within
    rhs = f"{between} * {within_term}" if between is not None else within_term
    re_rhs = f"{within} | {subject}" if random_slope else f"1 | {subject}"
    return MixedModelResult(
        fixed_effects=fixed,
        sigma=float(np.sqrt(sigma2)),
        random_effects=random_effects,
        df_method=df_method,
        reml_criterion=-2 * state.loglik,
        formula=f"{dv} ~ {rhs} + ({re_rhs})",
        n_obs=len(df),
        n_subjects=len(subjects),
        re_correlation=corr,
        warnings=notes,
    )
