"""Group statistics of ΔCt for :mod:`neuroprotect.assays.qpcr`: paired/unpaired summaries and the
pooled, Tukey-Kramer, Welch and SD (pcr package) intervals on the ΔΔCt scale."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats


def paired_stats(values: np.ndarray) -> dict[str, Any]:
    n = values.size
    return {
        "n": n,
        "mean": float(values.mean()) if n else np.nan,
        "var": float(values.var(ddof=1)) if n > 1 else np.nan,
        # variance components of the group mean for Welch: [(variance of the mean, df)]
        "parts": [(float(values.var(ddof=1)) / n, n - 1)] if n > 1 else [],
        "sd": float(values.std(ddof=1)) if n > 1 else np.nan,
    }


def unpaired_stats(reps: pd.DataFrame, gene: str, refs: list[str], group: str) -> dict[str, Any]:
    """Separate tubes: ΔCt = mean Ct_t − mean over refs of mean Ct_r (group means)."""
    sub = reps[(reps["group"] == group) & reps["wct"].notna()]
    t = sub.loc[sub["gene"] == gene, "wct"].to_numpy()
    rs = [sub.loc[sub["gene"] == r, "wct"].to_numpy() for r in refs]
    if t.size == 0 or any(r.size == 0 for r in rs):
        return {"n": 0, "mean": np.nan, "var": np.nan, "parts": [], "sd": np.nan}
    k = len(refs)
    mean = t.mean() - np.mean([r.mean() for r in rs])
    comps = [(t, 1.0)] + [(r, 1.0 / k) for r in rs]
    parts = [(w**2 * x.var(ddof=1) / x.size, x.size - 1) for x, w in comps if x.size > 1]
    sd2 = sum(w**2 * x.var(ddof=1) for x, w in comps if x.size > 1)
    return {
        "n": int(t.size),
        "mean": float(mean),
        "var": np.nan,
        "parts": parts,
        "sd": float(np.sqrt(sd2)),
    }


def pooled_variance(
    group_stats: dict[str, dict[str, Any]], present: list[str]
) -> tuple[float, int]:
    ss = sum(
        (group_stats[g]["n"] - 1) * group_stats[g]["var"]
        for g in present
        if group_stats[g]["n"] > 1
    )
    n_total = sum(group_stats[g]["n"] for g in present)
    df = n_total - len(present)
    return (ss / df if df > 0 else np.nan), df


def interval_offsets(
    kind: str,
    s: dict[str, Any],
    ctrl: dict[str, Any],
    pooled: tuple[float, int] | None,
    k: int,
    confidence: float,
    *,
    is_control: bool,
) -> tuple[float, float, float]:
    """(low, high) offsets on the ΔΔCt scale and the p value."""
    if kind == "sd":
        e = s["sd"]
        return (-e, e, np.nan) if np.isfinite(e) else (np.nan, np.nan, np.nan)
    if is_control:
        return np.nan, np.nan, np.nan
    ddct = s["mean"] - ctrl["mean"]
    if kind in ("pooled", "tukey"):
        assert pooled is not None
        s2, df_pooled = pooled
        df: float = df_pooled
        se = np.sqrt(s2 * (1 / s["n"] + 1 / ctrl["n"]))
        if kind == "pooled":
            q = stats.t.ppf(0.5 + confidence / 2, df) if df > 0 else np.nan
        else:
            q = _tukey_quantile(confidence, k, int(df)) if df > 0 else np.nan
    else:  # welch: needs a variance estimate from both groups
        if not s["parts"] or not ctrl["parts"]:
            return np.nan, np.nan, np.nan
        parts = s["parts"] + ctrl["parts"]
        var = sum(v for v, _ in parts)
        se = np.sqrt(var)
        denom = sum(v**2 / d for v, d in parts if d > 0)
        df = var**2 / denom if denom > 0 else np.nan
        q = stats.t.ppf(0.5 + confidence / 2, df) if np.isfinite(df) else np.nan
    if not np.isfinite(se) or se == 0 or not np.isfinite(q):
        return np.nan, np.nan, np.nan
    p = float(2 * stats.t.sf(abs(ddct / se), df))
    return -q * se, q * se, p


@lru_cache(maxsize=256)
def _tukey_quantile(confidence: float, k: int, df: int) -> float:
    """Tukey-Kramer multiplier q(conf; k, df)/√2 (scipy's studentized range is slow: cached)."""
    return float(stats.studentized_range.ppf(confidence, k, df) / np.sqrt(2))
