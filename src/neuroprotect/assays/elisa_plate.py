"""One ELISA plate: blank subtraction, standard-curve fit, back-calculated standards, samples.

:func:`fit_plate` does the per-plate work of :func:`neuroprotect.assays.elisa.analyse_elisa`; the
formulas and the range and QC flags are described in :mod:`neuroprotect.assays.elisa`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from neuroprotect.assays.elisa_fit import LogisticFitter, Weights, make_fitter
from neuroprotect.errors import InputError

__all__ = ["fit_plate"]


#: Columns of the per-sample table (one row per sample and plate).
SAMPLE_COLUMNS = (
    "plate",
    "type",
    "sample",
    "n",
    "mean_signal",
    "concentration",
    "dilution",
    "adjusted_concentration",
    "cv_pct",
    "flag",
)


def _cv(values: np.ndarray) -> float:
    v = values[np.isfinite(values)]
    if v.size < 2 or v.mean() == 0:
        return float("nan")
    return float(100 * v.std(ddof=1) / abs(v.mean()))


def _well_range_flag(fit: LogisticFitter, signal: np.ndarray) -> np.ndarray:
    a, d = fit.params_["a"], fit.params_["d"]
    lo_side = (signal <= a) if a < d else (signal >= a)
    hi_side = (signal >= d) if a < d else (signal <= d)
    flag = np.full(signal.shape, "ok", dtype=object)
    flag[lo_side] = "below_curve"
    flag[hi_side] = "above_curve"
    return flag


def _poorly_determined(fit: LogisticFitter) -> list[str]:
    """Free parameters whose SE is large: > |estimate| for the positive shape parameters b, c,
    g, > 25 % of the signal span |d - a| for the asymptotes (which may lie near 0)."""
    summ = fit.summary.set_index("param")
    span = abs(fit.params_["d"] - fit.params_["a"])
    out = []
    for name, row in summ.iterrows():
        limit = 0.25 * span if name in ("a", "d") else abs(row["estimate"])
        if not (np.isfinite(row["se"]) and row["se"] <= limit):
            out.append(str(name))
    return out


def fit_plate(
    plate: int,
    wells: pd.DataFrame,
    *,
    model: str,
    weights: Weights,
    fixed: dict[str, float] | None,
    subtract_blank: bool,
    lloq: float | None,
    uloq: float | None,
    cv_limit: float,
    out_of_range: str,
    warnings: list[str],
) -> tuple[
    LogisticFitter,
    pd.DataFrame,
    pd.DataFrame,
    pd.DataFrame,
    pd.DataFrame,
    float,
    tuple[float, float],
]:
    w = wells.copy()
    blanks = w[(w["type"] == "blank") & (w["flag"] == "ok")]["value"]
    blank = float(blanks.mean()) if subtract_blank and len(blanks) else 0.0
    w["signal"] = w["value"] - blank
    std = w[w["type"] == "standard"].copy()
    if std.empty:
        raise InputError(f"Expected standard wells on plate {plate}, but the layout has none")
    used = std[std["flag"] == "ok"].copy()
    fit = make_fitter(model, weights=weights, fixed=fixed)
    try:
        fit.fit(used["concentration"].to_numpy(float), used["signal"].to_numpy(float))
    except InputError as exc:
        raise InputError(f"Plate {plate} standard curve: {exc.message}") from None
    loose = _poorly_determined(fit)
    if loose:
        warnings.append(
            f"plate {plate}: {fit.model} parameter(s) {', '.join(loose)} poorly determined "
            "(relative SE > 100 % for b, c, g; SE > 25 % of the signal span for a, d): the "
            "standards do not pin the curve down"
            + (", consider the 4PL" if fit.model == "5PL" else "")
        )
    std["back_calculated"] = np.where(std["flag"] == "ok", fit.inverse(std["signal"]), np.nan)
    # a fitted standard beyond an asymptote has no back-calculated value: say which side
    std["flag"] = np.where(
        std["flag"] == "ok", _well_range_flag(fit, std["signal"].to_numpy(float)), std["flag"]
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        std["recovery_pct"] = np.where(
            std["concentration"] > 0, 100 * std["back_calculated"] / std["concentration"], np.nan
        )
    conc_used = used["concentration"].to_numpy(float)
    low = float(lloq) if lloq is not None else float(conc_used[conc_used > 0].min())
    high = float(uloq) if uloq is not None else float(conc_used.max())
    levels = []
    for (name, conc), g in std.groupby(["sample", "concentration"], sort=False):
        ok = g[g["flag"].isin(["ok", "below_curve", "above_curve"])]  # the wells fitted
        back = ok["back_calculated"].to_numpy(float)
        back_mean = float(np.nanmean(back)) if np.isfinite(back).any() else float("nan")
        levels.append(
            {
                "plate": plate,
                "sample": name,
                "concentration": float(conc),
                "n": int(len(ok)),
                "mean_signal": float(ok["signal"].mean()) if len(ok) else float("nan"),
                "cv_pct": _cv(ok["signal"].to_numpy(float)),
                "back_calculated": back_mean,
                "recovery_pct": 100 * back_mean / conc if conc > 0 else float("nan"),
            }
        )
    unk = w[w["type"].isin(["sample", "control"])].copy()
    unk["concentration"] = np.where(unk["flag"] == "ok", fit.inverse(unk["signal"]), np.nan)
    rflag = _well_range_flag(fit, unk["signal"].to_numpy(float))
    unk["flag"] = np.where(unk["flag"] == "ok", rflag, unk["flag"])
    unk["adjusted_concentration"] = unk["concentration"] * unk["dilution"]
    rows = []
    rising = fit.params_["a"] < fit.params_["d"]
    for (kind, name), g in unk.groupby(["type", "sample"], sort=False):
        ok = g[~g["flag"].isin(["masked", "no_signal", "overflow"])]
        saturated = bool((g["flag"] == "overflow").any())
        conc = ok["concentration"].to_numpy(float)
        dil = ok["dilution"].unique()
        flags: list[str] = []
        mean_conc = float(np.nanmean(conc)) if np.isfinite(conc).any() else float("nan")
        adj = ok["adjusted_concentration"].to_numpy(float)
        mean_adj = float(np.nanmean(adj)) if np.isfinite(adj).any() else float("nan")
        if saturated:  # a saturated well: above the ULOQ on a rising curve, below on a falling
            flags += ["overflow", "above_uloq" if rising else "below_lloq"]
        if ok.empty and not saturated:
            flags.append("masked" if (g["flag"] == "masked").all() else "no_signal")
        if (ok["flag"] == "below_curve").any() or mean_conc < low:
            flags.append("below_lloq")
        if (ok["flag"] == "above_curve").any() or mean_conc > high:
            flags.append("above_uloq")
        flags = list(dict.fromkeys(flags))
        cv = _cv(conc)
        if np.isfinite(cv) and cv > cv_limit:
            flags.append("high_cv")
        if out_of_range == "censor" and {"below_lloq", "above_uloq"} & set(flags):
            mean_conc = mean_adj = float("nan")
        rows.append(
            {
                "plate": plate,
                "type": kind,
                "sample": name,
                "n": int(len(ok)),
                "mean_signal": float(ok["signal"].mean()) if len(ok) else float("nan"),
                "concentration": mean_conc,
                "dilution": float(dil[0]) if len(dil) == 1 else float("nan"),
                "adjusted_concentration": mean_adj,
                "cv_pct": cv,
                "flag": ";".join(flags) if flags else "ok",
            }
        )
    samples = pd.DataFrame(rows, columns=list(SAMPLE_COLUMNS))
    std_cols = [
        "plate",
        "well",
        "sample",
        "concentration",
        "value",
        "signal",
        "back_calculated",
        "recovery_pct",
        "flag",
    ]
    unk_cols = [
        "plate",
        "well",
        "type",
        "sample",
        "value",
        "signal",
        "concentration",
        "dilution",
        "adjusted_concentration",
        "flag",
    ]
    for kind, label in (("below_lloq", "below the LLOQ"), ("above_uloq", "above the ULOQ")):
        hit = samples[samples["flag"].str.contains(kind)]["sample"].tolist()
        if hit:
            how = "set to NaN" if out_of_range == "censor" else "extrapolated, flagged"
            warnings.append(f"plate {plate}: {', '.join(hit)} {label} ({low:g}-{high:g}; {how})")
    hi_cv = samples[samples["flag"].str.contains("high_cv")]["sample"].tolist()
    if hi_cv:
        warnings.append(f"plate {plate}: replicate CV > {cv_limit:g}% for {', '.join(hi_cv)}")
    return (
        fit,
        pd.DataFrame(levels),
        std[std_cols].reset_index(drop=True),
        samples,
        unk[unk_cols].reset_index(drop=True),
        blank,
        (low, high),
    )
