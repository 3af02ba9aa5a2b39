"""Geometry, texture and stain of the synthetic TTC slices (see :mod:`.synthetic_ttc`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from neuroprotect.datasets.synthetic_ttc import SyntheticSlice, TTCScene

#: Reflectance of unstained (cream) brain tissue, linear RGB.
TISSUE_WHITE = np.array([0.88, 0.82, 0.74])


#: Absorbance of reduced TTC (red formazan) per unit stain density, linear RGB.
FORMAZAN_ABSORBANCE = np.array([0.14, 2.9, 2.3])


def _lattice(ix: np.ndarray, iy: np.ndarray, seed: int) -> np.ndarray:
    h = (ix.astype(np.uint64) * np.uint64(0x9E3779B1)) ^ (
        iy.astype(np.uint64) * np.uint64(0x85EBCA77)
    )
    h ^= np.uint64(seed * 0xC2B2AE3D & 0xFFFFFFFF)
    h = (h ^ (h >> np.uint64(15))) * np.uint64(0x2C1B3C6D)
    h = (h ^ (h >> np.uint64(12))) * np.uint64(0x297A2D39)
    h ^= h >> np.uint64(15)
    return (h & np.uint64(0xFFFFFF)).astype(np.float64) / float(0xFFFFFF) * 2.0 - 1.0


def _value_noise(x: np.ndarray, y: np.ndarray, scale: float, seed: int) -> np.ndarray:
    """Smooth noise in [-1, 1] with features about ``scale`` (same units as x, y)."""
    gx, gy = x / scale + 1000.0, y / scale + 1000.0
    ix, iy = np.floor(gx).astype(np.int64), np.floor(gy).astype(np.int64)
    fx, fy = gx - ix, gy - iy
    sx, sy = fx * fx * (3 - 2 * fx), fy * fy * (3 - 2 * fy)
    v00, v10 = _lattice(ix, iy, seed), _lattice(ix + 1, iy, seed)
    v01, v11 = _lattice(ix, iy + 1, seed), _lattice(ix + 1, iy + 1, seed)
    return (v00 * (1 - sx) + v10 * sx) * (1 - sy) + (v01 * (1 - sx) + v11 * sx) * sy


def _local(s: SyntheticSlice, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = np.deg2rad(s.angle_deg)
    dx, dy = x - s.centre_mm[0], y - s.centre_mm[1]
    return dx * np.cos(t) + dy * np.sin(t), -dx * np.sin(t) + dy * np.cos(t)


def _slice_fields(
    s: SyntheticSlice, side: str, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Tissue mask, ipsilateral mask, infarct signed field g (< 0 inside), white matter, u."""
    u, v = _local(s, x, y)
    sign = 1.0 if side == "right" else -1.0
    ipsi = u * sign > 0
    ue = np.where(ipsi, u / (1.0 + s.edema), u)
    a, b = s.half_width_mm, s.half_height_mm
    w = 1.0 - 0.18 * np.clip(v / b, 0.0, 1.0)
    tissue = (np.abs(ue) / (a * w)) ** 2.4 + (np.abs(v) / b) ** 2.2 <= 1.0
    tissue &= (ue / (0.06 * a)) ** 2 + ((v + b) / (0.2 * b)) ** 2 >= 1.0  # dorsal notch
    tissue &= (ue / (0.05 * a)) ** 2 + ((v - b) / (0.1 * b)) ** 2 >= 1.0  # ventral notch
    if s.infarct is not None:
        cx, cy, rx, ry, p1, p2 = s.infarct
        xi = (ue * sign - cx * a) / (rx * a)
        yi = (v - cy * b) / (ry * b)
        rho, phi = np.hypot(xi, yi), np.arctan2(yi, xi)
        g = rho / (1.0 + 0.15 * np.sin(3 * phi + p1) + 0.08 * np.sin(5 * phi + p2)) - 1.0
        g = np.where(ipsi, g, 1.0)
    else:
        g = np.ones_like(u)
    arc = -0.22 * b + 0.35 * b * (ue / a) ** 2
    white = (np.abs(v - arc) < 0.045 * b) & (np.abs(ue) < 0.72 * a) & (np.abs(ue) > 0.03 * a)
    return tissue, ipsi, g, white, u


def _bbox_px(s: SyntheticSlice, px: float) -> tuple[int, int, int, int]:
    r = max(s.half_width_mm * (1 + s.edema), s.half_height_mm) * 1.05 + 0.2
    cx, cy = s.centre_mm
    return (int((cy - r) / px), int((cy + r) / px) + 2, int((cx - r) / px), int((cx + r) / px) + 2)


def _labels_and_density(
    scene: TTCScene, px: float, r0: int, c0: int, h: int, w: int, *, colours: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels, tissue reflectance (linear RGB; zeros when ``colours`` is False) and tissue mask."""
    labels = np.zeros((h, w), np.int32)
    colour = np.zeros((h, w, 3) if colours else (1, 1, 3))
    tissue_any = np.zeros((h, w), bool)
    for k, s in enumerate(scene.slices, start=1):
        br0, br1, bc0, bc1 = _bbox_px(s, px)
        rr0, rr1 = max(br0, r0), min(br1, r0 + h)
        cc0, cc1 = max(bc0, c0), min(bc1, c0 + w)
        if rr0 >= rr1 or cc0 >= cc1:
            continue
        yy = (np.arange(rr0, rr1) + 0.5)[:, None] * px
        xx = (np.arange(cc0, cc1) + 0.5)[None, :] * px
        yy, xx = np.broadcast_arrays(yy, xx)
        tissue, ipsi, g, white, _u = _slice_fields(s, scene.lesion_side, xx, yy)
        lab = np.where(ipsi, np.where(g < 0, 3, 2), 1) + 10 * k
        sl = (slice(rr0 - r0, rr1 - r0), slice(cc0 - c0, cc1 - c0))
        labels[sl] = np.where(tissue, lab, labels[sl])
        tissue_any[sl] |= tissue
        if not colours:
            continue
        tex = 0.10 * _value_noise(xx, yy, 0.35, scene.seed) + 0.06 * _value_noise(
            xx, yy, 0.06, scene.seed + 1
        )
        viable = scene.stain * (1.0 + tex) * np.where(white, 0.62, 1.0)
        core = scene.stain * scene.infarct_stain * (1.0 + 0.5 * tex)
        # viable share of the tissue seen at this point: a soft (penumbra-like) border
        ramp = 1.0 / (1.0 + np.exp(-np.clip(g / 0.05, -50, 50)))
        refl = _reflectance(viable) * ramp[..., None] + _reflectance(core) * (1 - ramp[..., None])
        colour[sl] = np.where(tissue[..., None], refl, colour[sl])
    return labels, colour, tissue_any


def _reflectance(density: np.ndarray) -> np.ndarray:
    return TISSUE_WHITE * np.exp(-density[..., None] * FORMAZAN_ABSORBANCE)
