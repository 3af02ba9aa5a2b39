"""The result object every group comparison returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.schema.columns import RESULT_COLUMNS, SUMMARY_COLUMNS


def _clean(value: Any) -> Any:
    """JSON-friendly scalar: numpy -> python, NaN -> None."""
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


def records(
    df: pd.DataFrame, columns: list[str] | tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-friendly dicts (optionally only some columns, in that order)."""
    cols = list(columns) if columns is not None else list(df.columns)
    return [{c: _clean(row.get(c)) for c in cols} for row in df.to_dict("records")]


@dataclass
class ComparisonResult:
    """Outcome of comparing groups on one dependent variable.

    Attributes
    ----------
    method
        Machine name of the procedure, e.g. ``"anova-dunnett"``, ``"welch"``, ``"kruskal-dunn"``,
        ``"tukey"``, ``"games-howell"``, ``"dunn-all"``, ``"welch-t"``, ``"mann-whitney"``.
    method_reason
        One or two sentences saying why this procedure was chosen (repeated in the report).
    omnibus
        ``{"test", "statistic", "dof", "p_val"}``; ``dof`` may be a number or a pair (num, den).
        Group comparisons add ``effect_size``, ``effect_type`` (``eta_squared`` or
        ``epsilon_squared``), ``effect_ci_low``, ``effect_ci_high``.
    contrasts
        One row per contrast, columns :data:`~neuroprotect.schema.columns.RESULT_COLUMNS`
        followed by ``se`` (standard error of the estimate, NaN for rank tests),
        ``effect_ci_low`` and ``effect_ci_high`` (95% CI of ``effect_size``) and ``ci_level``
        (confidence level of ``ci_low``/``ci_high``: simultaneous for Dunnett, Tukey and
        Games-Howell, per contrast and Bonferroni-adjusted for Dunn).
    summary
        One row per group, columns :data:`~neuroprotect.schema.columns.SUMMARY_COLUMNS`.
    assumptions
        One row per check: ``check, group, statistic, p_val, passed`` (checks
        ``shapiro_wilk_residuals``, ``shapiro_wilk_scaled_residuals``, ``brown_forsythe``).
    warnings
        Human-readable notes (assumption failures, tiny groups).
    """

    method: str
    method_reason: str
    omnibus: dict[str, Any]
    contrasts: pd.DataFrame
    summary: pd.DataFrame
    assumptions: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: list[str] = field(default_factory=list)
    dv: str = ""
    group_col: str = ""
    control: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON layout of ``neuroprotect stats compare --json``."""
        dof = self.omnibus.get("dof")
        if isinstance(dof, (tuple, list)):
            dof = [_clean(d) for d in dof]
        else:
            dof = _clean(dof)
        contrast_cols = [c for c in RESULT_COLUMNS if c not in {"test", "contrast"}]
        contrast_cols += ["test", "contrast"]
        contrast_cols += [c for c in self.contrasts.columns if c not in contrast_cols]
        omnibus = {
            "test": self.omnibus.get("test"),
            "statistic": _clean(self.omnibus.get("statistic")),
            "dof": dof,
            "p_val": _clean(self.omnibus.get("p_val")),
        }
        for key, value in self.omnibus.items():
            if key not in omnibus:
                omnibus[key] = _clean(value)
        return {
            "method": self.method,
            "method_reason": self.method_reason,
            "omnibus": omnibus,
            "contrasts": records(self.contrasts, contrast_cols),
            "summary": records(self.summary, [c for c in SUMMARY_COLUMNS if c in self.summary]),
            "assumptions": records(self.assumptions),
            "warnings": list(self.warnings),
        }
