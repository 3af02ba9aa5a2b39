"""The automatic test choice and the sentences that explain it (see docs/stats-decisions.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.stats.descriptive import GroupedData

PARAMETRIC = {"anova-dunnett", "welch", "tukey", "games-howell"}
EQUAL_VAR = {"anova-dunnett", "tukey"}


def fmt_p(p: float) -> str:
    """A p-value for method text: 3 significant digits, "NA" when it could not be computed."""
    return "NA" if not np.isfinite(p) else f"{p:.3g}"


def check_text(assumptions: pd.DataFrame, check: str, label: str) -> str:
    """``"<label> p = 0.47"``, or ``"<label> not assessable (<why>)"`` for a check with NaN p."""
    row = assumptions.set_index("check").loc[check]
    p = float(row["p_val"])
    if np.isfinite(p):
        return f"{label} p = {fmt_p(p)}"
    note = str(row.get("note") or "").strip()
    return f"{label} not assessable{f' ({note})' if note else ''}"


def choose_method(assumptions: pd.DataFrame, *, ordinal: bool, alpha: float) -> tuple[str, str]:
    """Automatic method and the sentence saying why."""
    checks = assumptions.set_index("check")
    p_raw = float(checks.loc["shapiro_wilk_residuals", "p_val"])
    p_bf = float(checks.loc["brown_forsythe", "p_val"])
    bf_ok = bool(checks.loc["brown_forsythe", "passed"])
    bf = check_text(assumptions, "brown_forsythe", "Brown-Forsythe test of equal variances")
    sw = check_text(assumptions, "shapiro_wilk_residuals", "Shapiro-Wilk on the ANOVA residuals")
    if ordinal:
        return "kruskal-dunn", (
            f"The response is ordinal (scores), so groups were compared on ranks (for "
            f"information: {sw}; {bf})."
        )
    if bf_ok:
        sw_ok = bool(checks.loc["shapiro_wilk_residuals", "passed"])
        if not sw_ok:
            return "kruskal-dunn", (
                f"{sw} (< {alpha:g}: residuals not normal), so groups were compared on ranks "
                f"({bf})."
            )
        return "anova-dunnett", (
            f"{sw}"
            f"{f' (>= {alpha:g}: no evidence against normality)' if np.isfinite(p_raw) else ''}"
            f" and {bf}"
            f"{f' (>= {alpha:g}: no evidence of unequal variances)' if np.isfinite(p_bf) else ''}"
            ", so the classical ANOVA was used."
        )
    # unequal variances alone make pooled residuals look heavy-tailed: judge normality on the
    # residuals scaled by their group SD
    sw_scaled = check_text(
        assumptions,
        "shapiro_wilk_scaled_residuals",
        "Shapiro-Wilk on the residuals scaled by their group SD",
    )
    if not bool(checks.loc["shapiro_wilk_scaled_residuals", "passed"]):
        return "kruskal-dunn", (
            f"{bf} (< {alpha:g}: unequal variances) and {sw_scaled} (< {alpha:g}: residuals "
            f"not normal), so groups were compared on ranks."
        )
    return "welch", (
        f"{bf} (< {alpha:g}: unequal variances) and {sw_scaled} (>= {alpha:g}: no evidence "
        f"against normality), so a test not assuming equal variances was used."
    )


_EFFECT_SENTENCE = {
    "hedges_g": "Effect sizes: Hedges g (pooled SD of the two groups compared) with 95% CIs "
    "from the noncentral t distribution.",
    "rank_biserial": "Effect sizes: rank-biserial correlation with 95% CIs from the Fisher z "
    "transformation.",
}


def effect_sentence(contrasts: pd.DataFrame) -> str:
    kinds = [k for k in dict.fromkeys(contrasts["effect_type"]) if k in _EFFECT_SENTENCE]
    return " ".join(_EFFECT_SENTENCE[k] for k in kinds)


def require_within_variation(grouped: GroupedData, method: str, *, auto: bool = False) -> None:
    """Refuse a parametric method when the groups give it no within-group variance to use."""
    chosen = f"{method} (the automatic choice)" if auto else method
    if method in EQUAL_VAR:
        if all(np.ptp(s) == 0 for s in grouped.samples):
            raise InputError(
                f"Expected variation within groups of {grouped.dv!r} for {chosen}, but every "
                "group holds one repeated value; use --method kruskal-dunn to compare ranks"
            )
    elif method in PARAMETRIC:
        for g in grouped.order:
            if np.ptp(grouped.values[g]) == 0:
                raise InputError(
                    f"Expected variation within every group of {grouped.dv!r} for {chosen} "
                    f"(unequal variances), but group {g!r} holds one repeated value; "
                    "use --method kruskal-dunn"
                )


def comparison_warnings(
    grouped: GroupedData,
    assumptions: pd.DataFrame,
    *,
    method: str,
    requested: str,
    ordinal: bool,
    alpha: float,
) -> list[str]:
    notes = list(grouped.warnings)
    for g in grouped.order:
        n = len(grouped.values[g])
        if n < 3:
            notes.append(f"Group {g!r} has only n = {n}; tests and checks have little power.")
    if requested == "auto":
        return notes
    checks = assumptions.set_index("check")
    if ordinal and method in PARAMETRIC:
        notes.append(f"The response is ordinal but {method} (a test of means) was requested.")
    normality = (
        "shapiro_wilk_residuals"
        if bool(checks.loc["brown_forsythe", "passed"])
        else "shapiro_wilk_scaled_residuals"
    )
    if method in PARAMETRIC and not bool(checks.loc[normality, "passed"]):
        p = float(checks.loc[normality, "p_val"])
        scaled = " (scaled by group SD)" if normality.endswith("scaled_residuals") else ""
        notes.append(
            f"Shapiro-Wilk on the residuals{scaled} p = {fmt_p(p)} (< {alpha:g}): residuals "
            f"not normal, but {method} was requested."
        )
    if method in EQUAL_VAR and not bool(checks.loc["brown_forsythe", "passed"]):
        p = float(checks.loc["brown_forsythe", "p_val"])
        notes.append(
            f"Brown-Forsythe p = {fmt_p(p)} (< {alpha:g}): variances unequal, but {method} "
            "(equal variances) was requested."
        )
    return notes
