"""Seeded synthetic histology images with exact ground truth: Nissl, TUNEL/IF and DAB IHC.

Made to be hard in the ways real sections are: textured somata with pale nuclei and dark
nucleoli, neuropil texture, uneven (vignetted, sloped) illumination, a random camera white
balance, touching and overlapping cells, glial nuclei and debris that must not be counted, and
stain vectors that differ from the ones the analysis assumes. Every generator returns the image
and the truth (object centres, areas, labels, positive flags or masks); the same seed gives the
same image.

Images are rendered with the Beer-Lambert law for brightfield (``I = I0 * wb * L(x) *
10^-(sum_s c_s(x) v_s)`` with stain concentrations ``c_s`` and unit OD vectors ``v_s``) and as
additive emission plus noise for fluorescence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import ndimage as ndi

from neuroprotect.histology.roi import Region

__all__ = [
    "SyntheticCells",
    "SyntheticDab",
    "make_dab_image",
    "make_fluorescence_image",
    "make_nissl_image",
]

#: Stain vectors used to *render* (deliberately not identical to the analysis defaults).
RENDER_CRESYL = np.array([0.50, 0.82, 0.28])
RENDER_NEUROPIL = np.array([0.42, 0.70, 0.45])
RENDER_HEMATOXYLIN = np.array([0.62, 0.72, 0.31])
RENDER_DAB = np.array([0.29, 0.58, 0.76])


@dataclass
class SyntheticCells:
    """A synthetic image and its ground truth.

    Attributes
    ----------
    image
        ``(rows, cols, 3)`` uint8 RGB (Nissl) or ``(rows, cols, 2)`` uint16 (fluorescence:
        channel 0 nuclear counterstain, channel 1 marker).
    cells
        One row per true object: ``x``, ``y`` (centre, pixels), ``area_um2`` (pixels of the
        object's own ellipse x pixel area), ``visible_area_um2`` (pixels it owns in ``labels``;
        smaller when another object overlaps it) and, for fluorescence, ``positive`` (bool).
    labels
        ``(rows, cols)`` int32 label image of the true objects (``cells.index + 1``).
    pixel_size_um
        Pixel size the image was rendered at.
    roi
        For the ``"ca1"`` Nissl layout, the band along the simulated pyramidal layer.
    """

    image: np.ndarray
    cells: pd.DataFrame
    labels: np.ndarray
    pixel_size_um: float
    roi: Region | None = None
    meta: dict[str, float] = field(default_factory=dict)


@dataclass
class SyntheticDab:
    """A synthetic DAB IHC image: ``image`` (uint8 RGB), the true DAB-positive ``mask``, the
    noise-free DAB optical density ``dab_od``, ``positive_area_pct`` = 100 * mean(mask) and
    ``flat_field``, the same light and camera on an empty field."""

    image: np.ndarray
    mask: np.ndarray
    dab_od: np.ndarray
    pixel_size_um: float
    positive_area_pct: float
    flat_field: np.ndarray


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, int], sigma: float) -> np.ndarray:
    """Zero-mean, unit-SD Gaussian random field with correlation length ``sigma`` pixels."""
    f = max(1, int(sigma // 3))
    small = rng.standard_normal((shape[0] // f + 2, shape[1] // f + 2)).astype(np.float32)
    small = ndi.gaussian_filter(small, sigma / f)
    if f > 1:
        small = ndi.zoom(small, f, order=1)
    out = small[: shape[0], : shape[1]]
    return (out - out.mean()) / (out.std() + 1e-9)


def _illumination(rng: np.random.Generator, shape: tuple[int, int], strength: float) -> np.ndarray:
    """Multiplicative illumination: a vignette plus a linear slope, in ``[1 - strength, 1]``."""
    rows, cols = shape
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float32)
    cy, cx = rows * rng.uniform(0.3, 0.7), cols * rng.uniform(0.3, 0.7)
    r2 = ((y - cy) / rows) ** 2 + ((x - cx) / cols) ** 2
    angle = rng.uniform(0, 2 * np.pi)
    slope = (np.cos(angle) * x / cols + np.sin(angle) * y / rows).astype(np.float32)
    field_ = -r2 + 0.5 * slope
    field_ = (field_ - field_.min()) / (np.ptp(field_) + 1e-9)
    return (1.0 - strength + strength * field_).astype(np.float32)


def _ellipse(
    cy: float, cx: float, a: float, b: float, theta: float, shape: tuple[int, int], pad: int = 2
) -> tuple[tuple[slice, slice], np.ndarray] | None:
    """Window and normalised elliptical radius rho (rho <= 1 inside) of an ellipse."""
    r = int(np.ceil(max(a, b))) + pad
    r0, r1 = max(0, int(cy) - r), min(shape[0], int(cy) + r + 1)
    c0, c1 = max(0, int(cx) - r), min(shape[1], int(cx) + r + 1)
    if r0 >= r1 or c0 >= c1:
        return None
    y, x = np.mgrid[r0:r1, c0:c1].astype(np.float32)
    dy, dx = y - cy, x - cx
    ct, st = np.cos(theta), np.sin(theta)
    u = (dx * ct + dy * st) / a
    v = (-dx * st + dy * ct) / b
    return (slice(r0, r1), slice(c0, c1)), np.sqrt(u * u + v * v)


def _place(
    rng: np.random.Generator,
    n: int,
    shape: tuple[int, int],
    radius: float,
    touching_fraction: float,
    centres: np.ndarray | None = None,
) -> np.ndarray:
    """``n`` centres (y, x): well separated, except a fraction placed touching another cell."""
    pts: list[tuple[float, float]] = []
    tries = 0
    while len(pts) < n and tries < 200 * n:
        tries += 1
        if pts and rng.random() < touching_fraction:
            py, px = pts[rng.integers(len(pts))]
            ang = rng.uniform(0, 2 * np.pi)
            d = 2 * radius * rng.uniform(0.8, 0.95)
            y, x = py + d * np.sin(ang), px + d * np.cos(ang)
            min_d = 0.78 * 2 * radius
        elif centres is not None:
            y, x = centres[rng.integers(len(centres))]
            min_d = 2.1 * radius
        else:
            y, x = rng.uniform(0, shape[0]), rng.uniform(0, shape[1])
            min_d = 2.1 * radius
        if not (radius <= y < shape[0] - radius and radius <= x < shape[1] - radius):
            continue
        if pts:
            arr = np.asarray(pts)
            dmin = np.hypot(arr[:, 0] - y, arr[:, 1] - x).min()
            if dmin < min_d:
                continue
        pts.append((y, x))
    return np.asarray(pts, dtype=float).reshape(-1, 2)


def _to_uint8(
    rng: np.random.Generator,
    od: np.ndarray,
    *,
    illumination: float,
    white_balance: float,
    noise: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Render OD to uint8 RGB; also returns the empty-field (flat-field) image."""
    shape = od.shape[:2]
    wb = 1.0 + rng.uniform(-white_balance, white_balance, size=3)
    wb = wb / wb.max() * rng.uniform(0.92, 1.0)
    light = _illumination(rng, shape, illumination)
    blank = 255.0 * wb[None, None, :] * light[..., None]
    img = blank * np.power(10.0, -od)
    img += rng.normal(0.0, noise, size=img.shape)
    image = np.clip(np.round(img), 0, 255).astype(np.uint8)
    return image, np.clip(np.round(blank), 1, 255).astype(np.uint8)


def make_nissl_image(
    *,
    shape: tuple[int, int] = (512, 512),
    pixel_size_um: float = 0.5,
    n_neurons: int = 60,
    layout: str = "scattered",
    touching_fraction: float = 0.3,
    n_glia: int = 40,
    n_debris: int = 15,
    illumination: float = 0.3,
    white_balance: float = 0.08,
    soma_diameter_um: float = 15.0,
    stain_strength: float = 1.0,
    pale_fraction: float = 0.0,
    seed: int = 0,
) -> SyntheticCells:
    """Cresyl-violet-like section: neuronal somata to count, glia and debris not to count.

    Parameters
    ----------
    shape
        Image size (rows, cols).
    pixel_size_um
        µm per pixel (0.5 µm is a 20x objective).
    n_neurons
        Neurons to place (fewer when they do not fit).
    layout
        ``"scattered"`` (cortex-like) or ``"ca1"``: most neurons packed in a curved band (the
        pyramidal layer, returned as ``roi``, 4 soma diameters wide) and a few outside it.
    touching_fraction
        Probability that a neuron is placed touching (slightly overlapping) an earlier one.
    n_glia, n_debris
        Small dark glial nuclei (radius 1.8-3 µm) and debris (streaks, specks), not counted.
    illumination
        Depth of the illumination falloff (0 = even).
    white_balance
        Maximal relative deviation of each channel's gain.
    soma_diameter_um
        Mean soma diameter; semi-axes are drawn from 0.8-1.2 x its half (default 15 µm: 6-9 µm).
    stain_strength
        Multiplies the somata's stain OD (0.5 = a lightly stained section).
    pale_fraction
        Fraction of somata drawn pale: stain OD 0.12-0.25 x ``stain_strength``, below the dark
        somata's Otsu split (large neurons with dispersed Nissl substance).

    Notes
    -----
    Neurons are ellipses of semi-axes 6-9 µm (aspect up to 1.4), stain OD 0.35-0.8 with
    Nissl-substance speckle, a pale nucleus (40 % of the radius) and a dark nucleolus. With the
    default size, strength and no pale somata the images are those of version 0.2 (same seeds).
    """
    if layout not in ("scattered", "ca1"):
        raise ValueError(f"Expected layout 'scattered' or 'ca1', but got {layout!r}")
    rng = np.random.default_rng(seed)
    rows, cols = shape
    px = 1.0 / pixel_size_um
    conc = (
        0.07 + 0.025 * _smooth_noise(rng, shape, 12 * px) + 0.012 * _smooth_noise(rng, shape, 1.5)
    )
    conc = np.clip(conc, 0.01, None)
    cell_conc = np.zeros(shape, np.float32)
    labels = np.zeros(shape, np.int32)
    scale = soma_diameter_um / 15.0
    mean_r = 7.5 * scale * px
    roi = None
    if layout == "ca1":
        t = np.linspace(0.0, 1.0, 200)
        ys = rows * (0.35 + 0.3 * t + 0.12 * np.sin(np.pi * t))
        xs = cols * (0.08 + 0.84 * t)
        width = 4 * 2 * mean_r
        offs = rng.uniform(-0.5, 0.5, size=(4000, 1)) * (width - 2 * mean_r)
        idx = rng.integers(0, len(t), size=4000)
        normal = np.stack([np.gradient(xs), -np.gradient(ys)], axis=1)
        normal /= np.linalg.norm(normal, axis=1, keepdims=True)
        band = np.stack([ys[idx], xs[idx]], axis=1) + offs * normal[idx]
        n_in = int(round(0.85 * n_neurons))
        centres = _place(rng, n_in, shape, mean_r, touching_fraction, centres=band)
        outside = _place(rng, n_neurons - len(centres), shape, mean_r, 0.0)
        centres = np.vstack([centres, outside]) if len(outside) else centres
        keep = np.ones(len(centres), bool)
        for k in range(len(centres)):
            d = np.hypot(*(centres[:k][keep[:k]] - centres[k]).T) if k else np.array([np.inf])
            keep[k] = d.size == 0 or d.min() >= 0.78 * 2 * mean_r
        centres = centres[keep]
        pts = np.stack([xs[::20], ys[::20]], axis=1)
        pts = np.vstack([pts, [xs[-1], ys[-1]]])
        roi = Region("CA1", "band", pts, float(width * pixel_size_um))
    else:
        centres = _place(rng, n_neurons, shape, mean_r, touching_fraction)
    records = []
    for k, (cy, cx) in enumerate(centres, start=1):
        a = rng.uniform(6.0, 9.0) * scale * px
        b = a / rng.uniform(1.0, 1.4)
        theta = rng.uniform(0, np.pi)
        win = _ellipse(cy, cx, a, b, theta, shape)
        if win is None:
            continue
        sl, rho = win
        inside = rho <= 1.0
        level = rng.uniform(0.35, 0.8) * stain_strength
        if pale_fraction > 0 and rng.random() < pale_fraction:
            level = rng.uniform(0.12, 0.25) * stain_strength
        speckle = 1.0 + 0.25 * rng.standard_normal(rho.shape)
        speckle = ndi.gaussian_filter(speckle, 0.6 * px)
        body = level * speckle * np.clip((1.0 - rho) / 0.08 + 0.5, 0, 1)
        ny, nx = cy + rng.normal(0, 0.15 * b), cx + rng.normal(0, 0.15 * b)
        nuc = np.hypot(
            np.arange(sl[0].start, sl[0].stop)[:, None] - ny,
            np.arange(sl[1].start, sl[1].stop)[None, :] - nx,
        )
        body = np.where(nuc < 0.4 * b, body * rng.uniform(0.2, 0.4), body)
        body = np.where(nuc < 0.1 * b + 0.8 * px, level * 1.2, body)
        cell_conc[sl] = np.maximum(cell_conc[sl], body.astype(np.float32))
        labels[sl][inside] = k
        records.append((cx, cy, inside.sum() * pixel_size_um**2))
    cells = pd.DataFrame(records, columns=["x", "y", "area_um2"])
    own = np.bincount(labels.ravel(), minlength=len(cells) + 1)[1:]
    cells["visible_area_um2"] = own * pixel_size_um**2
    # glia: small dark nuclei, some satellite to neurons; debris: streaks and specks
    for _ in range(n_glia):
        if len(cells) and rng.random() < 0.4:
            c = cells.iloc[rng.integers(len(cells))]
            ang = rng.uniform(0, 2 * np.pi)
            d = np.sqrt(c.area_um2 / np.pi) * px + 3 * px
            cy, cx = c.y + d * np.sin(ang), c.x + d * np.cos(ang)
        else:
            cy, cx = rng.uniform(0, rows), rng.uniform(0, cols)
        r = rng.uniform(1.8, 3.0) * px
        win = _ellipse(cy, cx, r, r * rng.uniform(0.7, 1.0), rng.uniform(0, np.pi), shape)
        if win is not None:
            sl, rho = win
            val = rng.uniform(0.5, 0.9) * np.clip((1 - rho) / 0.15 + 0.5, 0, 1)
            cell_conc[sl] = np.maximum(cell_conc[sl], val.astype(np.float32))
    for _ in range(n_debris):
        cy, cx = rng.uniform(0, rows), rng.uniform(0, cols)
        if rng.random() < 0.6:  # streak (fibre, scratch)
            length, w = rng.uniform(15, 50) * px, rng.uniform(0.6, 1.5) * px
        else:  # speck
            length = w = rng.uniform(0.8, 2.0) * px
        win = _ellipse(cy, cx, length, w, rng.uniform(0, np.pi), shape)
        if win is not None:
            sl, rho = win
            val = rng.uniform(0.3, 0.8) * np.clip((1 - rho) / 0.2 + 0.5, 0, 1)
            cell_conc[sl] = np.maximum(cell_conc[sl], val.astype(np.float32))
    od = conc[..., None] * RENDER_NEUROPIL + cell_conc[..., None] * RENDER_CRESYL
    image, _ = _to_uint8(rng, od, illumination=illumination, white_balance=white_balance, noise=3.0)
    return SyntheticCells(image, cells, labels, pixel_size_um, roi)


def make_fluorescence_image(
    *,
    shape: tuple[int, int] = (512, 512),
    pixel_size_um: float = 0.65,
    n_nuclei: int = 120,
    positive_fraction: float = 0.25,
    touching_fraction: float = 0.3,
    n_debris: int = 10,
    illumination: float = 0.4,
    seed: int = 0,
) -> SyntheticCells:
    """Two-channel TUNEL/IF field: channel 0 nuclei (DAPI-like), channel 1 marker.

    Positive nuclei carry marker signal 4-15x the background noise, often brighter in condensed
    spots (apoptotic chromatin); negatives show a faint bleed-through of their nuclear signal
    (3 %). Marker-only debris spots are not nuclei. Both channels share an uneven illumination
    and have an offset, autofluorescence texture and Poisson-Gaussian noise. Returned as
    uint16 ``(rows, cols, 2)``; ``cells.positive`` is the truth.
    """
    if not 0 <= positive_fraction <= 1:
        raise ValueError(f"Expected 0 <= positive_fraction <= 1, but got {positive_fraction}")
    rng = np.random.default_rng(seed)
    px = 1.0 / pixel_size_um
    mean_r = 5.0 * px
    centres = _place(rng, n_nuclei, shape, mean_r, touching_fraction)
    nuc = np.zeros(shape, np.float32)
    mark = np.zeros(shape, np.float32)
    labels = np.zeros(shape, np.int32)
    records = []
    for k, (cy, cx) in enumerate(centres, start=1):
        a = rng.uniform(4.0, 6.0) * px
        b = a / rng.uniform(1.0, 1.35)
        win = _ellipse(cy, cx, a, b, rng.uniform(0, np.pi), shape)
        if win is None:
            continue
        sl, rho = win
        inside = rho <= 1.0
        edge = np.clip((1.0 - rho) / 0.1 + 0.5, 0, 1)
        chromatin = ndi.gaussian_filter(1.0 + 0.3 * rng.standard_normal(rho.shape), 0.7 * px)
        level = rng.uniform(600, 2000)
        nuc[sl] = np.maximum(nuc[sl], (level * chromatin * edge).astype(np.float32))
        positive = bool(rng.random() < positive_fraction)
        m = 0.03 * level * chromatin * edge
        if positive:
            spots = ndi.gaussian_filter(rng.random(rho.shape) ** 8, 1.0 * px)
            spots = spots / (spots.max() + 1e-9)
            m = rng.uniform(250, 900) * (0.6 + 0.8 * spots) * edge
        mark[sl] = np.maximum(mark[sl], m.astype(np.float32))
        labels[sl][inside] = k
        records.append((cx, cy, inside.sum() * pixel_size_um**2, positive))
    cells = pd.DataFrame(records, columns=["x", "y", "area_um2", "positive"])
    own = np.bincount(labels.ravel(), minlength=len(cells) + 1)[1:]
    cells["visible_area_um2"] = own * pixel_size_um**2
    for _ in range(n_debris):
        cy, cx = rng.uniform(0, shape[0]), rng.uniform(0, shape[1])
        win = _ellipse(cy, cx, 1.5 * px, 1.2 * px, 0.0, shape)
        if win is not None:
            sl, rho = win
            val = rng.uniform(400, 1500) * np.clip((1 - rho) / 0.2 + 0.5, 0, 1)
            mark[sl] = np.maximum(mark[sl], val.astype(np.float32))
    light = _illumination(rng, shape, illumination)
    auto = 60 + 25 * _smooth_noise(rng, shape, 20 * px)
    channels = []
    for signal, offset in ((nuc, 100.0), (mark, 120.0)):
        expected = np.clip((signal + auto) * light, 0, None)
        counts = rng.poisson(expected).astype(np.float32) + offset
        counts += rng.normal(0, 8.0, size=shape)
        channels.append(np.clip(np.round(counts), 0, 65535).astype(np.uint16))
    return SyntheticCells(np.stack(channels, axis=-1), cells, labels, pixel_size_um)


def make_dab_image(
    *,
    shape: tuple[int, int] = (512, 512),
    pixel_size_um: float = 0.5,
    n_positive_cells: int = 25,
    n_nuclei: int = 150,
    patch_fraction: float = 0.05,
    illumination: float = 0.25,
    white_balance: float = 0.08,
    seed: int = 0,
) -> SyntheticDab:
    """DAB IHC field with haematoxylin counterstain and a known DAB-positive area.

    DAB-positive tissue is cell bodies (ellipses, radius 5-9 µm) and diffuse patches (a
    thresholded random field covering about ``patch_fraction`` of the field). Inside the true
    mask the DAB optical density is 0.3-1.0 (hard edges), outside it is exactly 0, so the truth
    is the mask itself. Haematoxylin nuclei (OD 0.3-0.7) and a faint haematoxylin background
    overlie everything.
    """
    rng = np.random.default_rng(seed)
    px = 1.0 / pixel_size_um
    h = 0.06 + 0.02 * _smooth_noise(rng, shape, 10 * px)
    for cy, cx in _place(rng, n_nuclei, shape, 4.0 * px, 0.2):
        r = rng.uniform(3.0, 5.0) * px
        win = _ellipse(cy, cx, r, r / rng.uniform(1.0, 1.3), rng.uniform(0, np.pi), shape)
        if win is not None:
            sl, rho = win
            val = rng.uniform(0.3, 0.7) * np.clip((1 - rho) / 0.1 + 0.5, 0, 1)
            h[sl] = np.maximum(h[sl], val.astype(np.float32))
    dab = np.zeros(shape, np.float32)
    field_ = _smooth_noise(rng, shape, 25 * px)
    if patch_fraction > 0:
        cut = np.quantile(field_, 1 - patch_fraction)
        patch = field_ > cut
        dab[patch] = np.clip(0.45 + 0.2 * _smooth_noise(rng, shape, 3 * px), 0.3, 1.0)[patch]
    for cy, cx in _place(rng, n_positive_cells, shape, 8.0 * px, 0.1):
        a = rng.uniform(5.0, 9.0) * px
        win = _ellipse(cy, cx, a, a / rng.uniform(1.0, 1.5), rng.uniform(0, np.pi), shape)
        if win is not None:
            sl, rho = win
            level = rng.uniform(0.35, 1.0)
            val = np.where(rho <= 1.0, level, 0.0).astype(np.float32)
            dab[sl] = np.maximum(dab[sl], val)
    dab = np.clip(dab, 0.0, 1.2)
    mask = dab > 0
    od = h[..., None] * RENDER_HEMATOXYLIN + dab[..., None] * RENDER_DAB
    image, blank = _to_uint8(
        rng, od, illumination=illumination, white_balance=white_balance, noise=2.5
    )
    return SyntheticDab(image, mask, dab, pixel_size_um, float(100.0 * mask.mean()), blank)
