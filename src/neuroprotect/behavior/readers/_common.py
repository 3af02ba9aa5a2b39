"""Helpers shared by the track readers: one track layout, explicit missing-sample accounting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError

#: Columns of the long track table every reader returns.
TRACK_COLUMNS = ("trial_id", "time_s", "x_cm", "y_cm")
#: Columns of the per-trial metadata table every reader returns (readers may add more).
META_COLUMNS = ("trial_id", "source_file", "format", "n_samples", "n_missing")

#: Column a reader adds: missing samples dropped just before the row (see behavior.tracks).
MISSING_BEFORE = "n_missing_before"

MISSING_TOKENS = ("-", "", "NA", "NaN", "nan", "na", "n/a", "N/A")


def to_float(values: Any, *, file: Path, field: str, header_rows: int = 0) -> np.ndarray:
    """Numbers from a column; missing tokens ('-', '', 'NA', 'NaN') become NaN, anything else errs."""
    series = pd.Series(values, dtype=object)
    text = series.astype(str).str.strip()
    missing = series.isna() | text.isin(MISSING_TOKENS)
    out = pd.to_numeric(series.where(~missing), errors="coerce")
    bad = out.isna() & ~missing
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"Expected a number or '-' for a missing sample, but got {series.iloc[i]!r}",
            file=file,
            row=i + 1,  # 1-based data row (the header is row 0), as InputError documents
            field=field,
        )
    return out.to_numpy(dtype=float)


def finish_track(
    *,
    trial_id: str,
    source_file: Path,
    fmt: str,
    time_s: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    extra: dict[str, Any] | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Drop missing samples (any of time, x, y missing), count them, and build the track and meta row.

    Missing samples are never interpolated: they are removed from the track and their number is
    kept in ``n_missing`` so the user sees how much of the trial was lost.
    """
    time_s = np.asarray(time_s, dtype=float)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(time_s) & np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        raise InputError(
            "Expected at least one sample with time, x and y, but all are missing", file=source_file
        )
    t = time_s[ok]
    if np.any(np.diff(t) < 0):
        i = int(np.flatnonzero(np.diff(t) < 0)[0])
        raise InputError(
            f"Expected increasing sample times, but time goes back from {t[i]:g} to {t[i + 1]:g} s",
            file=source_file,
            field="time",
        )
    track = pd.DataFrame({"trial_id": trial_id, "time_s": t, "x_cm": x[ok], "y_cm": y[ok]})
    # missing samples just before each kept one, so a gap is still known after the drop
    missed = np.cumsum(~ok)
    track[MISSING_BEFORE] = np.diff(np.r_[0, missed[ok]]).astype(int)
    meta: dict[str, Any] = {
        "trial_id": trial_id,
        "source_file": str(source_file),
        "format": fmt,
        "n_samples": int(ok.sum()),
        "n_missing": int((~ok).sum()),
    }
    if extra:
        meta.update(extra)
    return track, meta


def frames(parts: list[tuple[pd.DataFrame, dict[str, Any]]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    tracks = pd.concat([p[0] for p in parts], ignore_index=True)
    meta = pd.DataFrame([p[1] for p in parts])
    return tracks, meta


def read_text(path: Path) -> str:
    """File text: UTF-8 (with or without BOM), falling back to Latin-1 (EthoVision 3 exports)."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
