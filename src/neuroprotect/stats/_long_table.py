"""Checks shared by the repeated-measures analyses: a long table with one row per measurement.

The checks raise :class:`~neuroprotect.errors.InputError` with a one-line message naming the column
(``field``) and, for a bad cell, the 1-based data row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError


@dataclass(frozen=True)
class LongTable:
    """A validated long table: numeric ``dv``, string ``subject`` and ``between``, ``within``.

    ``within_levels`` and ``between_levels`` are in analysis order (reference level first).
    """

    data: pd.DataFrame
    dv: str
    subject: str
    within: str
    between: str | None
    within_levels: list[object]
    between_levels: list[str]
    n_dropped_missing: int


def _sorted_levels(values: pd.Series) -> list[object]:
    """Levels in natural order: ascending if all numeric, else in order of appearance."""
    uniq = pd.unique(values)
    nums = pd.to_numeric(pd.Series(uniq), errors="coerce")
    if nums.notna().all():
        return [uniq[i] for i in np.argsort(nums.to_numpy(), kind="stable")]
    return list(uniq)


def prepare_long_table(
    data: pd.DataFrame,
    *,
    dv: str,
    subject: str,
    within: str,
    between: str | None = None,
    control: str | None = None,
    within_numeric: bool = False,
) -> LongTable:
    """Validate and clean a long repeated-measures table.

    Rows with a missing ``dv`` are dropped (counted in ``n_dropped_missing``); a missing subject,
    within or between value is an error. ``dv`` must be numeric and not constant; there must be at
    least 2 subjects and 2 within levels; each subject must belong to exactly one ``between`` level,
    which must have at least 2 levels including ``control`` (default: the first level in order of
    appearance, or the smallest if the levels are numbers).
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"Expected a pandas DataFrame, but got {type(data).__name__}")
    names = [("dv", dv), ("subject", subject), ("within", within)]
    if between is not None:
        names.append(("between", between))
    seen: set[str] = set()
    for role, col in names:
        if col not in data.columns:
            raise InputError(
                f"Expected a {role} column {col!r}, but the table has "
                f"{', '.join(repr(str(c)) for c in data.columns)}",
                field=col,
            )
        if col in seen:
            raise InputError(f"Expected distinct columns, but {col!r} is used twice", field=col)
        seen.add(col)
    df = data[[c for _, c in names]].copy().reset_index(drop=True)
    if df.empty:
        raise InputError("Expected at least one data row, but the table is empty")

    raw = df[dv]
    if raw.dtype == object or pd.api.types.is_string_dtype(raw):
        text = raw.astype(str).str.strip()
        missing = raw.isna() | text.str.upper().isin({"", "NA", "NAN", "N/A"})
        values = pd.to_numeric(text.where(~missing), errors="coerce")
        bad = values.isna() & ~missing
    elif pd.api.types.is_bool_dtype(raw) or not pd.api.types.is_numeric_dtype(raw):
        raise InputError(f"Expected a numeric column, but got {raw.dtype} values", field=dv)
    else:
        values = raw.astype(float)
        bad = pd.Series(False, index=raw.index)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"Expected a number, but got {raw.iloc[i]!r}", row=i + 1, field=dv)
    if np.isinf(values.to_numpy(dtype=float)).any():
        i = int(np.flatnonzero(np.isinf(values.to_numpy(dtype=float)))[0])
        raise InputError(f"Expected a finite number, but got {raw.iloc[i]!r}", row=i + 1, field=dv)
    df[dv] = values.astype(float)

    for role, col in names[1:]:
        miss = df[col].isna() | df[col].astype(str).str.strip().isin({"", "NA", "NaN", "nan"})
        if miss.any():
            i = int(np.flatnonzero(miss.to_numpy())[0])
            raise InputError(
                f"Expected a {role} value, but the cell is empty", row=i + 1, field=col
            )
    keep = df[dv].notna()
    n_dropped = int((~keep).sum())
    df = df[keep].reset_index(drop=True)
    if df.empty:
        raise InputError("Expected at least one numeric value, but all are missing", field=dv)

    df[subject] = df[subject].astype(str).str.strip()
    n_subjects = df[subject].nunique()
    if n_subjects < 2:
        raise InputError(
            f"Expected at least 2 subjects, but got {n_subjects} "
            f"({', '.join(map(repr, pd.unique(df[subject])))})",
            field=subject,
        )
    if np.ptp(df[dv].to_numpy()) == 0:
        raise InputError(
            f"Expected a response that varies, but every value is {df[dv].iloc[0]:g}", field=dv
        )

    if within_numeric:
        w = pd.to_numeric(df[within], errors="coerce")
        if w.isna().any():
            i = int(np.flatnonzero(w.isna().to_numpy())[0])
            raise InputError(
                f"Expected numbers in the within factor {within!r} (e.g. day 1, 2, 3) for a "
                f"linear trend over it, but got {df[within].iloc[i]!r}; pass "
                "--within-categorical (within_categorical=True) to model each level separately",
                field=within,
            )
        df[within] = w.astype(float)
    within_levels = _sorted_levels(df[within])
    if len(within_levels) < 2:
        raise InputError(
            f"Expected at least 2 levels of the within factor, but got {within_levels!r}",
            field=within,
        )

    between_levels: list[str] = []
    if between is not None:
        df[between] = df[between].astype(str).str.strip()
        per_subject = df.groupby(subject, sort=False)[between].nunique()
        if (per_subject > 1).any():
            who = per_subject[per_subject > 1].index[0]
            raise InputError(
                f"Expected each subject in exactly one {between!r} level, but subject {who!r} "
                f"appears in {sorted(df.loc[df[subject] == who, between].unique())}",
                field=between,
            )
        between_levels = [str(x) for x in _sorted_levels(df[between])]
        if len(between_levels) < 2:
            raise InputError(
                f"Expected at least 2 levels of {between!r}, but got {between_levels}",
                field=between,
            )
        if control is not None:
            control = str(control).strip()
            if control not in between_levels:
                raise InputError(
                    f"Expected the control level to be one of {between_levels}, "
                    f"but got {control!r}",
                    field=between,
                )
            between_levels.remove(control)
            between_levels.insert(0, control)
    elif control is not None:
        raise InputError("Expected a between factor when a control level is given", field="control")

    return LongTable(
        data=df,
        dv=dv,
        subject=subject,
        within=within,
        between=between,
        within_levels=within_levels,
        between_levels=between_levels,
        n_dropped_missing=n_dropped,
    )
