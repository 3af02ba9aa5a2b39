"""Mitochondrial membrane potential on plates: JC-1 red/green ratio or TMRM intensity.

JC-1 is read twice on the same plate: the red J-aggregates (Ex 535 / Em 590 nm), which form in
polarised mitochondria, and the green monomers (Ex 485 / Em 530 nm). The ratio red / green falls
when mitochondria depolarise (Smiley et al. 1991, PNAS 88:3671). TMRM (or TMRE) is one
fluorescence channel whose intensity falls with depolarisation (Scaduto & Grotyohann 1999,
Biophys J 76:469). An uncoupler (FCCP or CCCP, ``control`` wells named by ``depolarised``)
collapses the potential: it is the assay's positive control, and a depolarised control that is
not clearly below the untreated cells makes the plate suspect.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from neuroprotect.assays.plate_assay import (
    FileLike,
    PlateAssayResult,
    assign_groups,
    flag_saturated,
    plate_blank,
    relative_to_control,
    sample_means,
)
from neuroprotect.errors import InputError

__all__ = ["analyse_mitochondrial_potential"]

#: A depolarised control above this fraction of the untreated control is warned about.
DEPOLARISED_LIMIT = 0.8


def _two_channels(red: pd.DataFrame, green: pd.DataFrame, file: FileLike) -> pd.DataFrame:
    keys = ["plate", "well"]
    g = green[[*keys, "value", "flag"]].rename(columns={"value": "green", "flag": "green_flag"})
    out = red.merge(g, on=keys, how="left")
    if out["green"].isna().all() and out["green_flag"].isna().all():
        raise InputError(
            "Expected the green (monomer) plate to hold the same wells as the red plate, but "
            "none matched",
            file=file,
        )
    out = out.rename(columns={"value": "red"})
    bad = out["green_flag"].ne("ok") & out["flag"].eq("ok")
    out.loc[bad, "flag"] = out.loc[bad, "green_flag"].fillna("no_signal")
    return out


def analyse_mitochondrial_potential(
    wells: pd.DataFrame,
    green: pd.DataFrame | None = None,
    *,
    probe: Literal["jc1", "tmrm"] = "jc1",
    control: str,
    depolarised: str | None = "FCCP",
    groups: Mapping[str, str] | None = None,
    saturation: float | None = None,
    file: FileLike = None,
) -> PlateAssayResult:
    """JC-1 aggregate/monomer ratio or TMRM intensity per sample, as % of control.

    Parameters
    ----------
    wells
        Joined well table of the red channel (JC-1 590 nm) or of the TMRM channel.
    green
        JC-1 only: the joined well table of the green channel (530 nm), same layout.
    probe
        ``jc1`` or ``tmrm``.
    control
        Group that is 100 %.
    depolarised
        Sample name of the uncoupler control wells (layout ``type: control``), or None.
    saturation
        Reader ceiling; a well saturated in either channel is left out.

    Returns
    -------
    PlateAssayResult
        ``samples`` with ``mmp`` (JC-1: mean over wells of
        ``(red - red_blank) / (green - green_blank)``; TMRM: mean RFU - blank) and
        ``mmp_pct_of_control``; ``qc["depolarised"]`` the uncoupler control's % of control
        per plate.

    Notes
    -----
    JC-1: ``ratio = (F590 - F590_blank) / (F530 - F530_blank)`` per well, averaged over the
    sample's wells; ``% of control = 100 * ratio / mean ratio of the control cultures`` on the
    same plate. The blank wells are cells without dye (autofluorescence) or dye without cells.
    """
    if probe not in ("jc1", "tmrm"):
        raise InputError(f"Expected probe jc1 or tmrm, but got {probe!r}", field="probe")
    if probe == "jc1" and green is None:
        raise InputError(
            "Expected a green (530 nm) plate for JC-1 besides the red one", field="green"
        )
    w = assign_groups(wells, groups)
    w, warnings = flag_saturated(w, saturation)
    blanks: dict[int, float] = {}
    if probe == "jc1":
        assert green is not None
        g, more = flag_saturated(green, saturation)
        warnings += [f"green channel: {m}" for m in more]
        w = _two_channels(w, g, file)
        plates = [int(p) for p in w["plate"].unique()]
        red_blank = {
            p: plate_blank(w.rename(columns={"red": "value"}), p, file=file) for p in plates
        }
        gw = w.drop(columns=["red"]).rename(columns={"green": "value"})
        green_blank = {p: plate_blank(gw, p, file=file) for p in plates}
        r = w["red"].to_numpy(float) - w["plate"].map(red_blank).to_numpy(float)
        gg = w["green"].to_numpy(float) - w["plate"].map(green_blank).to_numpy(float)
        ok = w["flag"].eq("ok").to_numpy() & w["type"].isin(["sample", "control"]).to_numpy()
        low = ok & ~(gg > 0)
        if low.any():
            listed = ", ".join(w.loc[low, "well"].astype(str))
            raise InputError(
                f"Expected a green (monomer) signal above the blank in every sample well, but "
                f"not in {listed}",
                file=file,
                field="green",
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            w["value"] = np.where(ok, r / gg, np.nan)
        blanks = {p: red_blank[p] for p in plates}
        samples = sample_means(w)
        samples["mmp"] = samples["mean_signal"]
        qc_blanks = {"red": red_blank, "green": green_blank}
    else:
        samples = sample_means(w)
        plates = [int(p) for p in w["plate"].unique()]
        blanks = {p: plate_blank(w, p, file=file) for p in plates}
        samples["mmp"] = samples["mean_signal"] - samples["plate"].map(blanks).astype(float)
        qc_blanks = {"tmrm": blanks}
    samples["mmp_pct_of_control"] = relative_to_control(samples, "mmp", control, file=file)
    depol: dict[int, float] = {}
    if depolarised is not None:
        hit = (samples["type"] == "control") & (
            samples["sample"].astype(str).str.lower() == depolarised.lower()
        )
        if not hit.any():
            warnings.append(
                f"no depolarised control wells named {depolarised!r} (FCCP/CCCP): the assay's "
                "dynamic range is not checked"
            )
        for row in samples[hit].itertuples():
            depol[int(row.plate)] = float(row.mmp_pct_of_control)
            if row.mmp_pct_of_control > 100 * DEPOLARISED_LIMIT:
                warnings.append(
                    f"plate {row.plate}: the depolarised control {row.sample} is at "
                    f"{row.mmp_pct_of_control:.0f} % of control (expected well below "
                    f"{100 * DEPOLARISED_LIMIT:.0f} %): check the uncoupler and the dye loading"
                )
    method = (
        "JC-1: red/green (590/530 nm) ratio per well after blank subtraction, mean per sample, "
        "% of control per plate"
        if probe == "jc1"
        else "TMRM: blank-corrected intensity, mean per sample, % of control per plate"
    )
    return PlateAssayResult(
        samples=samples,
        wells=w,
        blanks=blanks,
        warnings=warnings,
        method=method,
        qc={"probe": probe, "blanks": qc_blanks, "depolarised_pct_of_control": depol},
    )
