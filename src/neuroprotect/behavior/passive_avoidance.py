"""Passive avoidance (step-through): latencies with a cut-off become right-censored records.

In the retention test an animal that never steps through into the dark (shock) compartment is
taken out at the cut-off (typically 300 s): its latency is *at least* the cut-off. A latency equal
to the cut-off is therefore censored, never an observed value (Jahn-Eimermacher et al. 2011,
Behav Brain Res 220:249). The records feed :mod:`neuroprotect.stats.survival` (Kaplan-Meier,
log-rank); this module does no statistics of its own.
"""

from __future__ import annotations

from os import PathLike
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.stats.survival import analyse_latencies

__all__ = ["prepare_passive_avoidance", "analyse_passive_avoidance", "ceiling_summary"]

#: Relative tolerance for "latency equals the cut-off".
_RTOL = 1e-9


def _latencies(
    data: pd.DataFrame,
    col: str,
    cutoff: np.ndarray,
    file: str | PathLike[str] | None,
    rows: np.ndarray,
) -> np.ndarray:
    values = pd.to_numeric(data[col], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"Expected a latency >= 0 seconds, but got {data[col].iloc[i]!r}",
            file=file,
            row=int(rows[i]),
            field=col,
        )
    above = values > cutoff * (1 + _RTOL)
    if above.any():
        i = int(np.flatnonzero(above)[0])
        raise InputError(
            f"Expected a latency <= the cut-off {cutoff[i]:g} s, but got {values[i]:g}",
            file=file,
            row=int(rows[i]),
            field=col,
        )
    return values


def prepare_passive_avoidance(
    table: pd.DataFrame,
    *,
    cutoff_s: float | None = None,
    animal: str = "animal_id",
    group: str | None = None,
    training: str | None = "training_latency_s",
    retention: str = "retention_latency_s",
    cutoff_column: str = "cutoff_s",
    training_cutoff_s: float | None = None,
    file: str | PathLike[str] | None = None,
) -> pd.DataFrame:
    """Turn a latency table (one row per animal) into censored records.

    Parameters
    ----------
    table
        One row per animal. A ``source_row`` column (from :func:`neuroprotect.io.tables.
        read_table`) is used for row numbers in errors.
    cutoff_s
        Cut-off of the retention trial, seconds. When None, the table's ``cutoff_column`` gives
        a cut-off per animal; when both are given, the column wins where it is filled.
    animal, group, training, retention
        Column names. ``group`` and ``training`` are optional (``training=None`` or an absent
        column: no training latency).
    cutoff_column
        Optional per-animal cut-off column.
    training_cutoff_s
        Cut-off of the training (acquisition) trial; default the retention cut-off.
    file
        File named in error messages.

    Returns
    -------
    pandas.DataFrame
        ``animal_id, [group], training_latency_s, training_censored, retention_latency_s,
        cutoff_s, censored, event``: ``censored`` is True when the retention latency equals the
        cut-off (the animal never stepped through), ``event`` its negation (the input of
        :func:`neuroprotect.stats.survival.prepare_latencies`). ``training_censored`` is True
        when the animal did not enter the dark compartment in training (so it was not shocked).

    Raises
    ------
    InputError
        Missing column, missing/negative latency, a latency above its cut-off, no cut-off,
        a duplicated animal.
    """
    rows = table["source_row"].to_numpy() if "source_row" in table else np.arange(1, len(table) + 1)
    needed = [animal, retention] + ([group] if group else [])
    for col in needed:
        if col not in table.columns:
            raise InputError(
                f"Expected a column {col!r}, but the table has "
                f"{', '.join(map(repr, map(str, table.columns)))}",
                file=file,
                field=col,
            )
    if table.empty:
        raise InputError("Expected at least one animal, but the table is empty", file=file)
    cutoff = np.full(len(table), np.nan if cutoff_s is None else float(cutoff_s))
    if cutoff_s is not None and (not np.isfinite(cutoff_s) or cutoff_s <= 0):
        raise InputError(f"Expected a cut-off > 0 seconds, but got {cutoff_s!r}", field="cutoff")
    if cutoff_column in table.columns:
        col = pd.to_numeric(table[cutoff_column], errors="coerce").to_numpy(dtype=float)
        filled = np.isfinite(col)
        bad = (filled & (col <= 0)) | (
            ~filled
            & table[cutoff_column].notna().to_numpy()
            & (table[cutoff_column].astype(str).str.strip() != "")
        )
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"Expected a cut-off > 0 seconds, but got {table[cutoff_column].iloc[i]!r}",
                file=file,
                row=int(rows[i]),
                field=cutoff_column,
            )
        cutoff = np.where(filled, col, cutoff)
    if not np.isfinite(cutoff).all():
        i = int(np.flatnonzero(~np.isfinite(cutoff))[0])
        raise InputError(
            f"Expected a cut-off (option cutoff_s or a {cutoff_column!r} column), but there is "
            "none for this animal",
            file=file,
            row=int(rows[i]),
            field=cutoff_column,
        )
    ids = table[animal]
    if ids.isna().any():
        i = int(np.flatnonzero(ids.isna().to_numpy())[0])
        raise InputError(
            "Expected an animal id, but the cell is empty",
            file=file,
            row=int(rows[i]),
            field=animal,
        )
    ids = ids.astype(str).str.strip()
    dup = ids.duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(
            f"Expected one row per animal, but {ids.iloc[i]!r} appears again",
            file=file,
            row=int(rows[i]),
            field=animal,
        )
    ret = _latencies(table, retention, cutoff, file, rows)
    censored = np.isclose(ret, cutoff, rtol=_RTOL, atol=0.0)
    out = pd.DataFrame({"animal_id": ids.to_numpy()})
    if group:
        labels = table[group]
        if labels.isna().any():
            i = int(np.flatnonzero(labels.isna().to_numpy())[0])
            raise InputError(
                "Expected a group label, but the cell is empty",
                file=file,
                row=int(rows[i]),
                field=group,
            )
        out["group"] = labels.astype(str).str.strip().to_numpy()
    if training and training in table.columns:
        t_cut = cutoff if training_cutoff_s is None else np.full(len(table), training_cutoff_s)
        tr = _latencies(table, training, t_cut, file, rows)
        out["training_latency_s"] = tr
        out["training_censored"] = np.isclose(tr, t_cut, rtol=_RTOL, atol=0.0)
    else:
        out["training_latency_s"] = np.nan
        out["training_censored"] = False
    out["retention_latency_s"] = ret
    out["cutoff_s"] = cutoff
    out["censored"] = censored
    out["event"] = ~censored
    return out


def ceiling_summary(records: pd.DataFrame, *, group: str = "group") -> pd.DataFrame:
    """Per group: animals, animals at the retention cut-off and animals that never entered in
    training.

    Returns
    -------
    pandas.DataFrame
        ``group, n, n_censored, censored_pct, n_training_censored``. A group with every animal at
        the cut-off has no information in a rank or log-rank test beyond "all censored"; a
        no-shock control at the ceiling means the test cannot show amnesia.
    """
    g = records.groupby(group, sort=True)
    out = pd.DataFrame(
        {
            "n": g.size(),
            "n_censored": g["censored"].sum().astype(int),
            "n_training_censored": g["training_censored"].sum().astype(int),
        }
    )
    out.insert(2, "censored_pct", 100.0 * out["n_censored"] / out["n"])
    return out.rename_axis("group").reset_index()


def analyse_passive_avoidance(
    records: pd.DataFrame,
    *,
    group: str = "group",
    control: str | None = None,
    conf_level: float = 0.95,
) -> dict[str, Any]:
    """Survival analysis of retention latencies (Kaplan-Meier, log-rank, medians).

    Parameters
    ----------
    records
        Output of :func:`prepare_passive_avoidance` with a group column.
    group
        Group column.
    control
        Control level for the pairwise log-rank tests (Holm); default the first group.

    Returns
    -------
    dict
        The result of :func:`neuroprotect.stats.survival.analyse_latencies` (``logrank``,
        ``pairwise``, ``medians``, ``km``, ``latencies``, ``control``) plus ``ceiling``
        (:func:`ceiling_summary`).

    Notes
    -----
    The event is stepping through; the cut-off censors it. A per-animal cut-off is honoured
    through the event column.
    """
    if group not in records:
        raise InputError(f"Expected a group column {group!r} in the records", field=group)
    res = analyse_latencies(
        records,
        time="retention_latency_s",
        group=group,
        event="event",
        control=control,
        conf_level=conf_level,
    )
    res["ceiling"] = ceiling_summary(records, group=group)
    return res
