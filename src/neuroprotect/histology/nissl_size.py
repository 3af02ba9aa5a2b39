"""Soma size of a Nissl image when the user gives none: measured, with plausibility warnings.

The soma diameter sets the Nissl counter's smoothing, seed spacing, background scale and area
limits. A fixed default fits one preparation (adult CA1 pyramidal cells, about 15 µm) and fails
others (juvenile cortex, 7-12 µm). :func:`soma_diameter` measures it on the stain signal with
the shared scale-space estimator (:func:`neuroprotect.histology.cell_size.estimate_cell_diameter`).
"""

from __future__ import annotations

from os import PathLike
from typing import Any

import numpy as np

from neuroprotect.histology.cell_size import estimate_cell_diameter, size_warnings
from neuroprotect.histology.nissl_stain import nissl_signal

__all__ = ["FALLBACK_DIAMETER_UM", "PLAUSIBLE_SOMA_UM", "soma_diameter"]

#: Used when the image holds no measurable somata (and said so in a warning).
FALLBACK_DIAMETER_UM = 15.0
#: Diameters plausible for Nissl-stained somata (small glia-sized cells to large pyramidal cells).
PLAUSIBLE_SOMA_UM = (6.0, 40.0)
#: Fewer measured somata than this make the estimate a guess (then the fallback is used).
MIN_BLOBS = 5
#: Largest soma the background opening used for the measurement must not remove (µm).
MEASURE_BACKGROUND_SOMA_UM = 30.0
#: Edge of the central crop the size is measured on (pixels).
MEASURE_CROP_PX = 768


def soma_diameter(
    image: Any,
    *,
    pixel_size_um: float,
    stain_vector: np.ndarray | int,
    white: np.ndarray,
    given: float | None,
    file: str | PathLike[str] | None = None,
) -> tuple[float, dict[str, Any], list[str]]:
    """The soma diameter to use: ``given`` when not ``None``, else measured on the image.

    Returns
    -------
    diameter_um, info, warnings
        ``info`` holds ``source`` (``"given"``, ``"estimated"`` or ``"fallback"``) and, when
        measured, the estimator's fields (``diameter_um``, ``spread``, ``confidence``,
        ``n_blobs``). Warnings name the file: an estimate outside :data:`PLAUSIBLE_SOMA_UM`, one
        resting on fewer than :data:`MIN_BLOBS` somata, or none found; in these cases
        :data:`FALLBACK_DIAMETER_UM` is used (an implausible size is more often sharp-edged
        debris, a wrong pixel size or an empty field than real somata).

    Notes
    -----
    Measured on a central crop of at most ``MEASURE_CROP_PX`` pixels a side of the background-
    subtracted cresyl-violet concentration (background opening sized for 30 µm somata, so no
    soma is flattened), bright objects, diameters 3-60 µm searched.
    """
    if given is not None:
        return float(given), {"source": "given"}, []
    rows, cols = int(image.shape[0]), int(image.shape[1])
    h, w = min(rows, MEASURE_CROP_PX), min(cols, MEASURE_CROP_PX)
    r0, c0 = (rows - h) // 2, (cols - w) // 2
    rgb = np.asarray(image[r0 : r0 + h, c0 : c0 + w, :3])
    signal = nissl_signal(
        rgb,
        stain_vector=stain_vector,
        white=white,
        background_radius_px=2.5 * MEASURE_BACKGROUND_SOMA_UM / pixel_size_um,
    )
    est = estimate_cell_diameter(signal, pixel_size_um=pixel_size_um, polarity="bright")
    where = f"{file}: " if file is not None else ""
    notes = [where + w for w in size_warnings(est, plausible_um=PLAUSIBLE_SOMA_UM, what="soma")]
    info: dict[str, Any] = {"source": "estimated", **est.as_dict()}
    low, high = PLAUSIBLE_SOMA_UM
    if not (low <= est.diameter_um <= high and est.n_blobs >= MIN_BLOBS):
        info["source"] = "fallback"
        notes.append(f"{where}soma diameter not measurable; using {FALLBACK_DIAMETER_UM:g} µm")
        return FALLBACK_DIAMETER_UM, info, notes
    return float(est.diameter_um), info, notes
