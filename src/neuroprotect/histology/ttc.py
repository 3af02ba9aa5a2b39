"""TTC infarct volumetry from per-slice areas (direct and edema-corrected volumes, edema %).

One implementation for every source of slice areas: a table typed in by hand, or the areas measured
by image analysis of TTC-stained slices. Areas are in mm², slice thickness in mm, volumes in mm³.
"""

from __future__ import annotations

from os import PathLike
from typing import Literal

import numpy as np
import pandas as pd

from neuroprotect.errors import InputError
from neuroprotect.schema.checks import (
    id_column,
    numeric_column,
    require_columns,
    row_number,
    unique_keys,
)

__all__ = ["TTC_METHODS", "compute_infarct_volumes", "compute_slice_areas"]

Method = Literal["sum", "cavalieri", "trapezoid"]
#: Accepted integration methods ("cavalieri" is another name for "sum").
TTC_METHODS: tuple[str, ...] = ("sum", "cavalieri", "trapezoid")
#: A slab thicker than this (mm) is a unit mistake (µm given as mm): a whole rat brain is ~20 mm.
MAX_SLICE_THICKNESS_MM = 10.0

IPSI = "ipsilateral_area_mm2"
CONTRA = "contralateral_area_mm2"
INFARCT = "infarct_area_mm2"
CORRECTED = "corrected_infarct_area_mm2"
AREA_COLUMNS = (IPSI, CONTRA, INFARCT)


def compute_slice_areas(
    slices: pd.DataFrame, *, file: str | PathLike[str] | None = None
) -> pd.DataFrame:
    """Check a per-slice area table and add the edema-corrected infarct area of each slice.

    Parameters
    ----------
    slices
        One row per slice: ``animal_id``, ``slice`` (position, rostral to caudal),
        ``ipsilateral_area_mm2``, ``contralateral_area_mm2``, ``infarct_area_mm2``; optionally
        ``source_row``.
    file
        Where the table came from, named in errors.

    Returns
    -------
    pandas.DataFrame
        ``animal_id, slice, ipsilateral_area_mm2, contralateral_area_mm2, infarct_area_mm2,
        corrected_infarct_area_mm2`` (plus ``source_row`` when given), sorted by animal (in order
        of first appearance) and slice.

    Raises
    ------
    InputError
        Missing column, a negative or non-numeric area, an infarct larger than its ipsilateral
        hemisphere, or a slice listed twice for an animal.

    Notes
    -----
    Swanson et al. (1990) indirect infarct area, which removes the swelling of the ischemic
    hemisphere: ``A_corr = A_contra - (A_ipsi - A_infarct)``, i.e. the contralateral hemisphere
    minus the non-infarcted ipsilateral tissue. It may be negative in a slice where the
    ipsilateral hemisphere is larger than the contralateral one without infarct.

    Swanson RA et al. (1990) J Cereb Blood Flow Metab 10:290-293.
    """
    require_columns(slices, ["animal_id", "slice", *AREA_COLUMNS], file=file)
    out = pd.DataFrame({"animal_id": id_column(slices, "animal_id", file=file)})
    out["slice"] = numeric_column(slices, "slice", file=file, what="a slice number")
    for col in AREA_COLUMNS:
        out[col] = numeric_column(slices, col, file=file, min=0, what="an area in mm² >= 0")
    too_big = out[INFARCT].to_numpy() > out[IPSI].to_numpy()
    if too_big.any():
        i = int(np.flatnonzero(too_big)[0])
        raise InputError(
            f"Expected the infarct area to be at most the ipsilateral hemisphere area "
            f"({out[IPSI].iloc[i]:g} mm²), but got {out[INFARCT].iloc[i]:g} mm²",
            file=file,
            row=row_number(slices, i),
            field=INFARCT,
        )
    if "source_row" in slices.columns:
        out["source_row"] = slices["source_row"].to_numpy()
    unique_keys(out, ["animal_id", "slice"], file=file)
    out[CORRECTED] = out[CONTRA] - (out[IPSI] - out[INFARCT])
    order = {a: k for k, a in enumerate(dict.fromkeys(out["animal_id"]))}
    out = out.assign(_o=out["animal_id"].map(order)).sort_values(["_o", "slice"], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)


def _integrate(areas: np.ndarray, slice_no: np.ndarray, thickness: float, method: str) -> float:
    if method == "trapezoid":
        position = slice_no * thickness
        return float(np.sum(np.diff(position) * (areas[:-1] + areas[1:]) / 2.0))
    return float(thickness * np.sum(areas))


def compute_infarct_volumes(
    slices: pd.DataFrame,
    *,
    slice_thickness_mm: float,
    method: Method = "sum",
    file: str | PathLike[str] | None = None,
) -> pd.DataFrame:
    """Infarct volume per animal from TTC slice areas: direct, edema-corrected, edema %.

    Parameters
    ----------
    slices
        Per-slice areas as described in :func:`compute_slice_areas`.
    slice_thickness_mm
        Distance between consecutive slice faces (slab thickness), e.g. 2 mm in rats.
    method
        ``"sum"`` (alias ``"cavalieri"``): each slice stands for a slab of the given thickness,
        ``V = t * sum(A_i)`` (Cavalieri estimator; right when the measured face represents the
        slab). ``"trapezoid"``: areas are sections at spacing ``t`` and the volume between them is
        integrated with the trapezoid rule over the section positions ``x_i = t * slice_i``,
        ``V = sum((x_i+1 - x_i) * (A_i + A_i+1) / 2)`` (a skipped slice number is bridged; no volume
        beyond the first and last section).
    file
        Where the table came from, named in errors.

    Returns
    -------
    pandas.DataFrame
        One row per animal, in order of first appearance:

        - ``animal_id``
        - ``n_slices``
        - ``ipsilateral_volume_mm3``, ``contralateral_volume_mm3``: hemisphere volumes
        - ``infarct_volume_mm3``: direct (uncorrected) volume of TTC-pale tissue
        - ``corrected_infarct_volume_mm3``: edema-corrected volume (Swanson)
        - ``edema_pct``: swelling of the ipsilateral hemisphere, % of the contralateral one
        - ``hemispheric_infarct_pct``: edema-corrected infarct as % of the contralateral
          hemisphere volume

    Raises
    ------
    InputError
        Bad areas (see :func:`compute_slice_areas`), a thickness that is not positive, an unknown
        method, or an animal whose contralateral hemisphere has zero volume.

    Notes
    -----
    With slab thickness ``t`` and the integration above applied to each area column:

    - direct: ``V_inf = t * sum(A_inf)``
    - Swanson et al. (1990) indirect (edema-corrected):
      ``V_corr = t * sum(A_contra - (A_ipsi - A_inf))``, identical to the Lin et al. (1993)
      correction ``V_inf - (V_ipsi - V_contra)``
    - edema (Lin et al. 1993): ``edema_pct = (V_ipsi - V_contra) / V_contra * 100``
    - hemispheric infarct: ``hemispheric_infarct_pct = V_corr / V_contra * 100`` (the
      edema-corrected volume relative to the contralateral hemisphere, not to the swollen
      ipsilateral one).

    The corrected volume is not clipped at zero: a sham animal whose ipsilateral hemisphere is a
    little larger than the contralateral one gets a small negative value, which keeps group means
    unbiased.

    Swanson RA et al. (1990) J Cereb Blood Flow Metab 10:290-293.
    Lin TN et al. (1993) Stroke 24:117-121.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"animal_id": ["a", "a"], "slice": [1, 2],
    ...     "ipsilateral_area_mm2": [55.0, 66.0], "contralateral_area_mm2": [50.0, 60.0],
    ...     "infarct_area_mm2": [20.0, 30.0]})
    >>> v = compute_infarct_volumes(s, slice_thickness_mm=2.0)
    >>> v[["infarct_volume_mm3", "corrected_infarct_volume_mm3", "edema_pct"]].round(3)
       infarct_volume_mm3  corrected_infarct_volume_mm3  edema_pct
    0               100.0                          78.0       10.0
    """
    if method not in TTC_METHODS:
        raise InputError(
            f"Expected a TTC integration method among {', '.join(TTC_METHODS)}, but got {method!r}",
            field="method",
        )
    if not (isinstance(slice_thickness_mm, (int, float)) and np.isfinite(slice_thickness_mm)) or (
        slice_thickness_mm <= 0
    ):
        raise InputError(
            f"Expected a slice thickness in mm > 0, but got {slice_thickness_mm!r}",
            field="slice_thickness_mm",
        )
    if slice_thickness_mm > MAX_SLICE_THICKNESS_MM:
        raise InputError(
            f"Expected a slice thickness in mm (TTC slabs are about 1-3 mm, at most "
            f"{MAX_SLICE_THICKNESS_MM:g}), but got {slice_thickness_mm:g}: is it in µm?",
            field="slice_thickness_mm",
        )
    table = compute_slice_areas(slices, file=file)
    t = float(slice_thickness_mm)
    rows = []
    for animal, part in table.groupby("animal_id", sort=False):
        pos = part["slice"].to_numpy()
        ipsi = _integrate(part[IPSI].to_numpy(), pos, t, method)
        contra = _integrate(part[CONTRA].to_numpy(), pos, t, method)
        infarct = _integrate(part[INFARCT].to_numpy(), pos, t, method)
        corrected = _integrate(part[CORRECTED].to_numpy(), pos, t, method)
        if contra <= 0:
            first = int(np.flatnonzero((table["animal_id"] == animal).to_numpy())[0])
            raise InputError(
                f"Expected a contralateral hemisphere volume > 0 for animal {animal!r}, but its "
                f"contralateral areas sum to {contra:g}",
                file=file,
                row=int(table["source_row"].iloc[first]) if "source_row" in table else None,
                field=CONTRA,
            )
        rows.append(
            {
                "animal_id": animal,
                "n_slices": len(part),
                "ipsilateral_volume_mm3": ipsi,
                "contralateral_volume_mm3": contra,
                "infarct_volume_mm3": infarct,
                "corrected_infarct_volume_mm3": corrected,
                "edema_pct": (ipsi - contra) / contra * 100.0,
                "hemispheric_infarct_pct": corrected / contra * 100.0,
            }
        )
    return pd.DataFrame(rows)
