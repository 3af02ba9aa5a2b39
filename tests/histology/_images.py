"""Analytic test images: drawn disks of known count and area (shared by the cell-level tests)."""

from __future__ import annotations

import numpy as np
from skimage.color import rgb_from_hed
from skimage.draw import disk

from neuroprotect.histology.neurons import CRESYL_VIOLET_OD

CV = np.asarray(CRESYL_VIOLET_OD) / np.linalg.norm(CRESYL_VIOLET_OD)


def disk_mask(shape: tuple[int, int], centres: list[tuple[float, float]], r: float) -> np.ndarray:
    """Label image: disk k (1-based) of radius ``r`` px at ``centres[k-1]`` = (x, y)."""
    labels = np.zeros(shape, np.int32)
    for k, (x, y) in enumerate(centres, start=1):
        rr, cc = disk((y, x), r, shape=shape)
        labels[rr, cc] = k
    return labels


def brightfield(od: np.ndarray) -> np.ndarray:
    """uint8 RGB from a per-pixel (rows, cols, 3) optical density, white = 255 (no noise)."""
    return np.clip(np.round(255.0 * np.power(10.0, -od)), 0, 255).astype(np.uint8)


def nissl_disks(
    shape: tuple[int, int], centres: list[tuple[float, float]], r: float, od: float = 0.6
) -> tuple[np.ndarray, np.ndarray]:
    """Cresyl-violet disks on white: (rgb, labels)."""
    labels = disk_mask(shape, centres, r)
    conc = np.where(labels > 0, od, 0.0)
    return brightfield(conc[..., None] * CV), labels


def grid(n_x: int, n_y: int, step: float, start: float) -> list[tuple[float, float]]:
    return [(start + i * step, start + j * step) for j in range(n_y) for i in range(n_x)]


H_VEC, DAB_VEC = rgb_from_hed[0], rgb_from_hed[2]
