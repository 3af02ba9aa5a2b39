"""Statistics, QC and detail tables of the report as rows of display strings (rounded here)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_float_dtype

from neuroprotect.report.format import (
    MINUS,
    MISSING,
    as_finite,
    format_ci,
    format_dof,
    format_number,
    format_p,
    format_value,
    significance_mark,
)
from neuroprotect.report.labels import effect_name, humanize_key, name_of_test
from neuroprotect.schema import columns as C
from neuroprotect.schema.manifest import Study
from neuroprotect.stats.result import ComparisonResult
from neuroprotect.workflows.outcome import VariableResult

#: Rows of a details table shown before it is cut (the full table is in the store and results.json).
MAX_DETAIL_ROWS = 400


def adjusted_p(row: Mapping[str, Any]) -> float | None:
    """``p_adj`` of a contrast row, falling back to ``p_val`` when no adjustment applies."""
    p = as_finite(row.get("p_adj"))
    return p if p is not None else as_finite(row.get("p_val"))


def _quartiles(q1: Any, q3: Any) -> str:
    if as_finite(q1) is None or as_finite(q3) is None:
        return MISSING
    return f"{format_number(q1)}, {format_number(q3)}"


def summary_rows(variable: VariableResult, study: Study, colours: dict[str, str]) -> list[dict]:
    """Per-group descriptive rows in manifest order: from the statistics results when present,
    otherwise computed from the per-animal values."""
    known: dict[str, dict[str, Any]] = {}
    for res in (variable.comparison, variable.model_check):
        if res is not None and not res.summary.empty:
            for row in res.summary.to_dict("records"):
                known.setdefault(str(row["group"]), row)
    rows = []
    for g in study.groups:
        row = known.get(g.id)
        if row is None:
            values = pd.to_numeric(
                variable.data.loc[variable.data[C.GROUP] == g.id, C.VALUE], errors="coerce"
            ).dropna()
            if values.empty:
                continue
            n = int(values.size)
            sd = float(values.std(ddof=1)) if n > 1 else float("nan")
            q1, q3 = np.percentile(values, [25, 75])
            row = {
                "n": n,
                "mean": float(values.mean()),
                "sd": sd,
                "sem": sd / math.sqrt(n) if n > 1 else float("nan"),
                "median": float(values.median()),
                "q1": float(q1),
                "q3": float(q3),
            }
        count = as_finite(row.get("n"))
        rows.append(
            {
                "group": g.display,
                "colour": colours[g.id],
                "n": str(int(count)) if count is not None else "—",
                "mean": format_number(row.get("mean")),
                "sd": format_number(row.get("sd")),
                "sem": format_number(row.get("sem")),
                "median": format_number(row.get("median")),
                "iqr": _quartiles(row.get("q1"), row.get("q3")),
            }
        )
    return rows


def contrast_rows(
    result: ComparisonResult | None, study: Study, colours: dict[str, str], *, symbol: str
) -> list[dict]:
    if result is None or result.contrasts.empty:
        return []
    rows = []
    for row in result.contrasts.to_dict("records"):
        gid, cid = str(row.get("group")), str(row.get("control") or study.vehicle.id)
        p = adjusted_p(row)
        rows.append(
            {
                "group": group_display(study, gid),
                "control": group_display(study, cid),
                "colour": colours.get(gid, "#999999"),
                "test": name_of_test(row.get("test")),
                "estimate": format_number(row.get("estimate")),
                "ci": format_ci(row.get("ci_low"), row.get("ci_high")),
                "statistic": format_number(row.get("statistic")),
                "dof": format_dof(row.get("dof")),
                "p_adj": format_p(p),
                "mark": significance_mark(p, symbol=symbol),
                "significant": p is not None and p < study.alpha,
                "effect": format_number(row.get("effect_size")),
                "effect_type": effect_name(row.get("effect_type")),
                "model_check": symbol == "#",
            }
        )
    return rows


def group_display(study: Study, group_id: str) -> str:
    try:
        return study.group(group_id).display
    except KeyError:
        return group_id


def qc_items(prefix: str, value: Any, key: str = "") -> list[tuple[str, str]]:
    """QC facts as (label, text) rows; nested mappings read ``Standard curve · Slope``."""
    if isinstance(value, Mapping):
        out: list[tuple[str, str]] = []
        for k, v in value.items():
            label = f"{prefix} · {humanize_key(str(k))}" if prefix else humanize_key(str(k))
            out += qc_items(label, v, str(k))
        return out
    if key.lower() == "p" or key.lower().startswith("p_"):
        return [(prefix, format_p(value))]  # p-values read as in the comparison tables
    if isinstance(value, pd.DataFrame):
        return [(prefix, f"table with {len(value)} rows")]
    if isinstance(value, (float, np.floating)) and as_finite(value) is not None:
        # QC facts (R², slopes) keep 4 significant figures without padding zeros
        return [(prefix, f"{float(value):.4g}".replace("-", "−"))]
    return [(prefix, format_value(value))]


def _detail_cell(value: Any, whole: bool) -> str:
    """One cell of a details table: infinities as ∞, NaN as an em dash, whole floats as integers."""
    if isinstance(value, (float, np.floating)) and math.isinf(value):
        return "∞" if value > 0 else f"{MINUS}∞"
    if whole and as_finite(value) is not None:
        return str(int(value)).replace("-", MINUS)
    return format_value(value)


def detail_table(name: str, table: pd.DataFrame) -> dict:
    shown = table.head(MAX_DETAIL_ROWS)
    columns = [humanize_key(str(c)) for c in shown.columns]
    formatters = []
    for c in shown.columns:
        col = shown[c]
        # a float column of whole numbers (counts read as float) prints as integers; NaN and
        # infinities are left out of the test and printed by _detail_cell
        finite = col.to_numpy(dtype=float)[np.isfinite(col)] if is_float_dtype(col) else []
        whole = (
            len(finite) > 0
            and bool(np.all(finite == np.floor(finite)))
            and bool(np.all(np.abs(finite) < 1e9))
        )
        formatters.append(whole)
    rows = [
        [_detail_cell(value, whole) for value, whole in zip(record, formatters, strict=True)]
        for record in shown.itertuples(index=False)
    ]
    return {
        "name": humanize_key(name),
        "columns": columns,
        "rows": rows,
        "total": len(table),
        "truncated": len(table) > MAX_DETAIL_ROWS,
    }
