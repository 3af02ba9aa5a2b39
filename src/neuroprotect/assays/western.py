"""Western blot densitometry: loading-control normalisation, target ratios, fold change.

Input is a long band table, one row per lane and target, with columns ``lane``, ``target``,
``volume`` and optionally ``saturated``; :func:`read_densitometry` builds it from

* **ImageJ Gel Analyzer "Results"** (Analyze > Gels > Label Peaks, then File > Save As): a
  column ``Area`` (the peak areas, one row per lane in the order the lanes were selected) and
  optionally ``Label``/``Lane``; a ``target`` column, or the ``target=`` argument for a file
  holding one protein (one file per protein is the usual export).
* **Bio-Rad Image Lab** "Lane and Band" table export: ``Lane``, ``Band Label`` (or ``Band No.``),
  ``Adj. Volume (Int)`` (background-subtracted; used when present) or ``Volume (Int)``.
* a **long table** with ``lane``, ``target`` (or ``protein``, ``band``), ``volume`` (or
  ``intensity``, ``signal``, ``area``, ``adj_volume``), optional ``saturated`` (true/false) or
  ``max_intensity`` (compared with ``saturation_level``), optional ``blot``.

The **lane layout** (``lanes.csv``) gives each lane's ``sample`` (animal id) and ``group``, and
optionally ``blot`` (membrane) when lanes of several membranes share one table.

Computation (per blot): ``normalised = volume_target / volume_loading`` in the same lane (the
loading control, e.g. beta-actin or GAPDH, corrects for protein loaded); ``fold_change =
normalised / mean(normalised of the control-group lanes on the same blot)``; target ratios such as
Bax/Bcl-2 are ``volume_a / volume_b`` in the same lane (the loading control cancels) and are also
expressed relative to the control group's mean ratio. A saturated band (signal clipped by the
imager or film) underestimates the protein: it is flagged and warned about, never silently used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.io.tables import Column, read_table

__all__ = ["WesternResult", "compute_western", "read_densitometry", "read_lane_layout"]

FileLike = str | PathLike[str]

_VOLUME = (
    "volume",
    "adj. volume (int)",
    "adj_volume",
    "adjusted_volume",
    "volume (int)",
    "intensity",
    "signal",
    "area",
    "int",
    "density",
)
_TARGET = ("target", "protein", "band label", "band", "band_label", "antibody", "band no.")


def _find(cols: list[str], names: Sequence[str]) -> str | None:
    low = {c.lower().strip(): c for c in cols}
    return next((low[n] for n in names if n in low), None)


def read_densitometry(
    path: FileLike, *, target: str | None = None, saturation_level: float | None = None
) -> pd.DataFrame:
    """Read a densitometry table into ``lane, target, volume, saturated, blot, source_row``.

    Parameters
    ----------
    path
        CSV/TSV/XLSX: ImageJ Gel Analyzer results, Image Lab lane-and-band table, or long table.
    target
        Protein name for a one-protein file without a target column (ImageJ).
    saturation_level
        With a ``max_intensity`` column: bands whose maximum reaches it are ``saturated``.
    """
    path = Path(path)
    raw = read_table(path, [], allow_extra=True)
    cols = [c for c in raw.columns if c != "source_row"]
    vol = _find(cols, _VOLUME)
    if vol is None:
        raise InputError(
            "Expected a band volume column (volume, Adj. Volume (Int), Volume (Int), Area, "
            f"intensity), but the header has {', '.join(map(repr, cols))}",
            file=path,
        )
    tgt = _find(cols, _TARGET)
    if tgt is None and target is None:
        raise InputError(
            "Expected a target column (target, protein, Band Label) or a target name for this "
            "one-protein file (--target)",
            file=path,
        )
    lane_col = _find(cols, ("lane", "lane no.", "lane_number", "label", ""))
    if lane_col is not None:
        lanes = raw[lane_col].astype(str).str.extract(r"(\d+)\s*$")[0]
        if lanes.isna().any():
            i = int(np.flatnonzero(lanes.isna().to_numpy())[0])
            raise InputError(
                f"Expected a lane number, but got {raw[lane_col].iloc[i]!r}",
                file=path,
                row=int(raw["source_row"].iloc[i]),
                field=lane_col,
            )
        lane = lanes.astype(int)
    else:  # ImageJ: rows are the lanes in order
        lane = pd.Series(np.arange(1, len(raw) + 1))
    volume = pd.to_numeric(raw[vol].astype(str).str.replace(",", ".", regex=False), errors="coerce")
    if volume.isna().any() or (volume < 0).any():
        i = int(np.flatnonzero((volume.isna() | (volume < 0)).to_numpy())[0])
        raise InputError(
            f"Expected a band volume >= 0, but got {raw[vol].iloc[i]!r}",
            file=path,
            row=int(raw["source_row"].iloc[i]),
            field=vol,
        )
    out = pd.DataFrame(
        {
            "lane": lane.to_numpy(),
            "target": raw[tgt].astype(str).str.strip().to_numpy() if tgt else target,
            "volume": volume.to_numpy(float),
            "saturated": False,
            "blot": raw[_find(cols, ("blot", "membrane", "gel"))].astype(str).to_numpy()
            if _find(cols, ("blot", "membrane", "gel"))
            else "1",
            "source_row": raw["source_row"].to_numpy(),
        }
    )
    sat = _find(cols, ("saturated", "saturation", "clipped"))
    if sat is not None:
        out["saturated"] = (
            raw[sat]
            .astype(str)
            .str.strip()
            .str.lower()
            .isin({"true", "yes", "1", "y", "t"})
            .to_numpy()
        )
    mx = _find(cols, ("max_intensity", "max", "maximum"))
    if mx is not None and saturation_level is not None:
        out["saturated"] |= (pd.to_numeric(raw[mx], errors="coerce") >= saturation_level).to_numpy()
    dup = out.duplicated(["blot", "lane", "target"], keep=False).to_numpy()
    if dup.any():
        first = out[dup].iloc[0]
        rows = out.loc[
            dup & (out["lane"] == first["lane"]).to_numpy() & (out["target"] == first["target"]),
            "source_row",
        ]
        raise InputError(
            f"Expected one band per lane and target, but lane {first['lane']} {first['target']} "
            f"(blot {first['blot']}) is on rows {', '.join(map(str, rows))}",
            file=path,
            row=int(rows.iloc[1]),
            field=lane_col or "lane",
        )
    return out


def read_lane_layout(path: FileLike) -> pd.DataFrame:
    """Lane layout: ``lane`` (whole number), ``sample``, ``group``, optional ``blot``."""
    table = read_table(
        Path(path),
        [
            Column("lane", "int", min=1),
            Column("sample", "str", aliases=("animal_id", "animal", "sample_id")),
            Column("group", "str"),
            Column("blot", "str", required=False, aliases=("membrane", "gel")),
        ],
    )
    if "blot" not in table:
        table["blot"] = "1"
    dup = table.duplicated(["blot", "lane"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(
            f"Expected each lane once per blot, but lane {table['lane'].iloc[i]} repeats",
            file=path,
            row=int(table["source_row"].iloc[i]),
            field="lane",
        )
    return table


@dataclass
class WesternResult:
    """Result of :func:`compute_western`.

    Attributes
    ----------
    lanes
        One row per lane and target: ``blot, lane, sample, group, target, volume,
        loading_volume, normalised, fold_change, saturated``.
    ratios
        One row per lane and ratio: ``blot, lane, sample, group, ratio`` (e.g. ``Bax/Bcl-2``),
        ``value`` (volume_a/volume_b), ``fold_change`` (vs the control-group mean ratio).
    summary
        Per target (and ratio) and group: ``target, group, n, mean, sd, sem`` of the fold change.
    flags
        ``blot, lane, target, flag, message``.
    """

    lanes: pd.DataFrame
    ratios: pd.DataFrame
    summary: pd.DataFrame
    flags: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def compute_western(
    bands: pd.DataFrame,
    layout: pd.DataFrame,
    *,
    loading_control: str,
    control_group: str,
    ratios: Sequence[tuple[str, str]] = (),
    exclude_saturated: bool = False,
) -> WesternResult:
    """Normalise band volumes to the loading control and express them vs the control group.

    Parameters
    ----------
    bands
        ``lane, target, volume`` (+ ``saturated``, ``blot``) from :func:`read_densitometry` or
        :func:`~neuroprotect.assays.western_image.measure_bands`.
    layout
        ``lane, sample, group`` (+ ``blot``) from :func:`read_lane_layout`.
    loading_control
        Target used for normalisation (``beta-actin``, ``GAPDH``...); matched case-insensitively.
    control_group
        Group whose mean is 1 (vehicle).
    ratios
        Pairs ``(a, b)`` giving ``a/b`` per lane, e.g. ``[("Bax", "Bcl-2")]``.
    exclude_saturated
        Leave saturated bands out (default: keep, flag and warn).
    """
    b = bands.copy()
    if "blot" not in b:
        b["blot"] = "1"
    if "saturated" not in b:
        b["saturated"] = False
    b["blot"] = b["blot"].astype(str)
    lay = layout.copy()
    lay["blot"] = lay["blot"].astype(str) if "blot" in lay else "1"
    names = {t.lower(): t for t in b["target"].astype(str).unique()}
    if loading_control.lower() not in names:
        raise InputError(
            f"Expected the loading control {loading_control!r} among the targets ({', '.join(sorted(names.values()))})",
            field="loading_control",
        )
    loading = names[loading_control.lower()]
    if control_group not in set(lay["group"].astype(str)):
        raise InputError(
            f"Expected the control group among {', '.join(sorted(set(lay['group'])))}, but got {control_group!r}",
            field="control_group",
        )
    merged = b.merge(lay[["blot", "lane", "sample", "group"]], on=["blot", "lane"], how="left")
    unknown = merged[merged["sample"].isna()]
    if len(unknown):
        r = unknown.iloc[0]
        raise InputError(
            f"Expected every lane in the lane layout, but blot {r['blot']} lane {r['lane']} is not in it",
            field="lane",
        )
    flags: list[dict[str, object]] = []
    warnings: list[str] = []
    measured = set(zip(b["blot"], b["lane"], strict=True))
    empty = [r for r in lay.itertuples() if (r.blot, r.lane) not in measured]
    if empty:
        warnings.append(
            "layout lanes without any band, left out: "
            + ", ".join(f"lane {r.lane} ({r.sample}, blot {r.blot})" for r in empty)
        )
    sat = merged[merged["saturated"].astype(bool)]
    for r in sat.itertuples():
        flags.append(
            {
                "blot": r.blot,
                "lane": r.lane,
                "target": r.target,
                "flag": "saturated",
                "message": "band saturated: volume underestimates the protein",
            }
        )
    if len(sat):
        warnings.append(
            f"{len(sat)} saturated band(s) ({'left out' if exclude_saturated else 'kept, underestimated'}): "
            + ", ".join(f"{r.target} lane {r.lane}" for r in sat.itertuples())
        )
        if exclude_saturated:
            merged = merged[~merged["saturated"].astype(bool)]
    load = merged[merged["target"] == loading].set_index(["blot", "lane"])["volume"]
    targets = merged[merged["target"] != loading].copy()
    targets["loading_volume"] = [
        load.get((bl, ln), np.nan) for bl, ln in zip(targets["blot"], targets["lane"], strict=True)
    ]
    bad = targets["loading_volume"].isna() | (targets["loading_volume"] <= 0)
    for r in targets[bad].drop_duplicates(["blot", "lane"]).itertuples():
        flags.append(
            {
                "blot": r.blot,
                "lane": r.lane,
                "target": loading,
                "flag": "loading_missing",
                "message": f"no usable {loading} band: lane left out",
            }
        )
    if bad.any():
        warnings.append(
            f"lanes without a usable {loading} band left out: {', '.join(sorted({str(x) for x in targets.loc[bad, 'lane']}))}"
        )
    targets = targets[~bad]
    targets["normalised"] = targets["volume"] / targets["loading_volume"]
    targets["fold_change"] = _relative_to_control(
        targets, "normalised", "target", control_group, warnings
    )
    lanes_out = targets[
        [
            "blot",
            "lane",
            "sample",
            "group",
            "target",
            "volume",
            "loading_volume",
            "normalised",
            "fold_change",
            "saturated",
        ]
    ].reset_index(drop=True)
    for (tgt, smp), g in lanes_out.groupby(["target", "sample"], sort=False):
        if len(g) > 1:
            warnings.append(
                f"{tgt}: sample {smp} is in {len(g)} lanes "
                f"({', '.join(f'{r.lane} (blot {r.blot})' for r in g.itertuples())}): each lane "
                "counts as one in n; average technical lanes first if they are one animal"
            )

    ratio_rows = []
    vol = merged.set_index(["blot", "lane", "target"])["volume"]
    for a, bb in ratios:
        for name in (a, bb):
            if name.lower() not in names:
                raise InputError(
                    f"Expected ratio target {name!r} among the targets ({', '.join(sorted(names.values()))})",
                    field="ratios",
                )
        ta, tb = names[a.lower()], names[bb.lower()]
        for r in lay.itertuples():
            va, vb = vol.get((r.blot, r.lane, ta), np.nan), vol.get((r.blot, r.lane, tb), np.nan)
            if np.isfinite(va) and np.isfinite(vb) and vb > 0:
                ratio_rows.append(
                    {
                        "blot": r.blot,
                        "lane": r.lane,
                        "sample": r.sample,
                        "group": r.group,
                        "ratio": f"{ta}/{tb}",
                        "value": va / vb,
                    }
                )
    ratio_df = pd.DataFrame(
        ratio_rows, columns=["blot", "lane", "sample", "group", "ratio", "value"]
    )
    ratio_df["fold_change"] = (
        _relative_to_control(ratio_df, "value", "ratio", control_group, warnings)
        if len(ratio_df)
        else []
    )
    summary = pd.concat(
        [
            lanes_out.rename(columns={"target": "name"})[["name", "group", "fold_change"]],
            ratio_df.rename(columns={"ratio": "name"})[["name", "group", "fold_change"]],
        ],
        ignore_index=True,
    )
    summary = (
        summary.groupby(["name", "group"], sort=False)["fold_change"]
        .agg(n="count", mean="mean", sd="std")
        .reset_index()
    )
    summary["sem"] = summary["sd"] / np.sqrt(summary["n"])
    return WesternResult(
        lanes=lanes_out,
        ratios=ratio_df,
        summary=summary.rename(columns={"name": "target"}),
        flags=pd.DataFrame(flags, columns=["blot", "lane", "target", "flag", "message"]),
        warnings=warnings,
    )


def _relative_to_control(
    table: pd.DataFrame, value: str, key: str, control: str, warnings: list[str]
) -> pd.Series:
    """value / mean(value of control-group lanes) within each blot and key."""
    ctrl = table[table["group"] == control].groupby(["blot", key])[value].mean()
    ref = pd.Series(
        [ctrl.get((bl, k), np.nan) for bl, k in zip(table["blot"], table[key], strict=True)],
        index=table.index,
    )
    missing = sorted(
        {
            f"{k} (blot {bl})"
            for bl, k, r in zip(table["blot"], table[key], ref, strict=True)
            if not np.isfinite(r)
        }
    )
    if missing:
        warnings.append(
            f"no control-group ({control}) lane for {', '.join(missing)}: fold change not computed"
        )
    return table[value] / ref
