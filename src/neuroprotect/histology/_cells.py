"""Image operations shared by the cell-level histology readouts (Nissl, TUNEL/IF, DAB IHC).

Optical density and colour deconvolution, background subtraction, blob (soma/nucleus)
segmentation by threshold + distance-transform watershed, and per-object measurements.
Private: the public functions live in :mod:`~neuroprotect.histology.neurons`,
:mod:`~neuroprotect.histology.fluorescence` and :mod:`~neuroprotect.histology.ihc`.
"""

from __future__ import annotations

from os import PathLike

import numpy as np
import pandas as pd
from scipy import ndimage as ndi
from skimage.measure import regionprops_table
from skimage.segmentation import watershed

from neuroprotect.errors import InputError

FileLike = str | PathLike[str] | None

#: Blob scales of the seed landscape, as fractions of the expected radius (sigma = f r / sqrt 2).
BLOB_SCALES = (0.7, 1.0)
#: Objects larger than this multiple of the expected area (pi r^2) are re-split as clumps.
CLUMP_AREA_RATIO = 1.5

#: A region with room for this many cell profiles and none detected is warned about.
EMPTY_REGION_CELLS = 20

#: Percentile of each RGB channel taken as the unstained (white) level ``I0`` by default.
WHITE_PERCENTILE = 99.5


def check_pixel_size(pixel_size_um: float, *, file: FileLike = None) -> float:
    if (
        isinstance(pixel_size_um, bool)
        or not isinstance(pixel_size_um, (int, float, np.floating))
        or not np.isfinite(pixel_size_um)
        or pixel_size_um <= 0
    ):
        raise InputError(
            f"Expected a pixel size in µm > 0, but got {pixel_size_um!r}",
            file=file,
            field="pixel_size_um",
        )
    return float(pixel_size_um)


def check_rgb(image: np.ndarray, *, file: FileLike = None) -> np.ndarray:
    """An ``(rows, cols, 3)`` RGB image (an alpha channel is dropped)."""
    arr = np.asarray(image)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4) or min(arr.shape[:2]) < 8:
        raise InputError(
            f"Expected an RGB image of shape (rows, cols, 3) with at least 8 x 8 pixels, "
            f"but got shape {arr.shape}",
            file=file,
        )
    if arr.dtype.kind not in "uif":
        raise InputError(f"Expected numeric pixels, but got dtype {arr.dtype}", file=file)
    arr = arr[..., :3]
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise InputError("Expected finite pixel values, but the image has NaN or inf", file=file)
    return arr


def optical_density(
    rgb: np.ndarray, *, white: tuple[float, float, float] | None = None
) -> np.ndarray:
    """Per-channel optical density ``OD = log10(I0 / I)`` (Beer-Lambert), float32, >= 0.

    ``I0`` (the unstained, white level of each channel) is ``white`` when given, else the
    99.5th percentile of each channel, which also corrects the camera's white balance: a slide
    photographed with a bluish cast gets its own per-channel ``I0``.
    """
    arr = rgb.astype(np.float32)
    if white is None:
        sample = arr[:: max(1, arr.shape[0] // 512), :: max(1, arr.shape[1] // 512)]
        i0 = np.percentile(sample.reshape(-1, 3), WHITE_PERCENTILE, axis=0)
    else:
        i0 = np.asarray(white, dtype=np.float32)
    i0 = np.maximum(i0, 1e-3).astype(np.float32)
    od = np.log10(i0 / np.maximum(arr, np.float32(1e-3) * i0.max()))
    return np.maximum(od, 0, out=od)


def unit_vector(v: np.ndarray | tuple[float, ...], *, field: str) -> np.ndarray:
    vec = np.asarray(v, dtype=float)
    if vec.shape != (3,) or not np.isfinite(vec).all() or (vec < 0).any() or vec.sum() == 0:
        raise InputError(
            f"Expected a stain vector of 3 non-negative RGB optical densities, but got {v!r}",
            field=field,
        )
    return vec / np.linalg.norm(vec)


def background(signal: np.ndarray, *, radius_px: float) -> np.ndarray:
    """Smooth background under bright objects smaller than ``radius_px`` (rolling-ball-like).

    The image is block-averaged by ``f = max(1, radius_px // 4)``, greyscale-opened with a disk
    of radius ``radius_px / f`` (removes every bright object narrower than the disk), smoothed
    with a Gaussian of the same size and interpolated back to full size.
    """
    f = max(1, int(radius_px // 4))
    rows, cols = signal.shape
    pr, pc = (-rows) % f, (-cols) % f
    padded = np.pad(signal, ((0, pr), (0, pc)), mode="edge") if pr or pc else signal
    small = padded.reshape(padded.shape[0] // f, f, padded.shape[1] // f, f).mean(axis=(1, 3))
    r = max(1, int(round(radius_px / f)))
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    disk = (yy**2 + xx**2) <= r**2
    opened = ndi.grey_opening(small, footprint=disk, mode="nearest")
    smooth = ndi.gaussian_filter(opened, sigma=r / 2.0, mode="nearest")
    if f == 1:
        return smooth.astype(np.float32)
    zoom = (padded.shape[0] / smooth.shape[0], padded.shape[1] / smooth.shape[1])
    full = ndi.zoom(smooth, zoom, order=1, mode="nearest", grid_mode=True)
    return full[:rows, :cols].astype(np.float32)


def noise_sigma(image: np.ndarray) -> float:
    """Gaussian noise SD of an image by Immerkaer's (1996) Laplacian-difference estimator.

    ``sigma = sqrt(pi / 2) / (6 (W - 2)(H - 2)) * sum |I * N|`` with the mask
    ``N = [[1, -2, 1], [-2, 4, -2], [1, -2, 1]]``, which cancels smooth structure (edges only
    inflate it slightly). Immerkaer J (1996) Comput Vis Image Underst 64:300-302.
    """
    img = image.astype(np.float64)
    if min(img.shape) < 3:
        return 0.0
    kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=float)
    conv = ndi.convolve(img, kernel, mode="reflect")[1:-1, 1:-1]
    return float(np.sqrt(np.pi / 2.0) * np.abs(conv).sum() / (6.0 * conv.size))


def threshold_otsu(values: np.ndarray, *, nbins: int = 256) -> float:
    """Otsu's (1979) threshold of a sample, centred when the criterion is flat.

    Maximises the between-class variance ``w0 w1 (mu0 - mu1)^2`` over ``nbins`` histogram bin
    edges. When the two classes are separated by empty bins every threshold in the gap scores
    the same; :func:`skimage.filters.threshold_otsu` then returns the first, which hugs the lower
    class. Here the middle of the tied range is returned, as for a well-separated pair of peaks.
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    lo, hi = float(v.min()), float(v.max())
    if hi == lo:
        return lo
    counts, edges = np.histogram(v, bins=nbins, range=(lo, hi))
    centres = (edges[:-1] + edges[1:]) / 2.0
    w0 = np.cumsum(counts)[:-1].astype(np.float64)
    w1 = v.size - w0
    m = np.cumsum(counts * centres)[:-1]
    mu0 = m / np.maximum(w0, 1)
    mu1 = (m[-1] + counts[-1] * centres[-1] - m) / np.maximum(w1, 1)
    between = w0 * w1 * (mu0 - mu1) ** 2
    best = np.flatnonzero(between >= between.max() * (1 - 1e-9))
    return float((edges[best[0] + 1] + edges[best[-1] + 1]) / 2.0)


def auto_threshold(
    signal: np.ndarray, *, mask: np.ndarray | None = None, otsu_fraction: float = 1.0
) -> float:
    """Otsu's threshold (times ``otsu_fraction``), never below 4 x the noise SD.

    Otsu (1979) splits the histogram into two classes of maximal between-class variance. On an
    image without objects it would still split the noise; the floor ``4 * sigma`` (noise SD by
    :func:`noise_sigma`) keeps such images empty. ``otsu_fraction < 1`` lowers the threshold
    towards the background, for objects whose brightness varies several-fold (nuclei: Otsu
    falls between dim and bright nuclei and loses the dim ones).
    """
    step = max(1, int(np.sqrt(signal.size / 1_000_000)))
    sample = signal[::step, ::step]
    values = sample[mask[::step, ::step]] if mask is not None else sample.ravel()
    if values.size == 0 or np.ptp(values) == 0:
        return float("inf")
    otsu = otsu_fraction * float(threshold_otsu(values))
    crop = signal[: min(signal.shape[0], 1024), : min(signal.shape[1], 1024)]
    noise = noise_sigma(crop)
    return max(otsu, 4.0 * noise)


def _blob_response(
    image: np.ndarray, radius_px: float, *, scales: tuple[float, ...] = BLOB_SCALES
) -> np.ndarray:
    """Max over ``scales`` (default :data:`BLOB_SCALES`) of ``-sigma^2 * Laplacian(Gaussian(image, sigma))``.

    For radii of 8 px or more the response is computed on a 2x block-averaged image and
    interpolated back (the response is smooth at these scales; 4x fewer pixels).
    """
    f = 2 if radius_px >= 8 else 1
    rows, cols = image.shape
    if f > 1:
        padded = np.pad(image, ((0, rows % 2), (0, cols % 2)), mode="edge")
        small = padded.reshape(padded.shape[0] // 2, 2, padded.shape[1] // 2, 2).mean(axis=(1, 3))
    else:
        small = image
    out = np.full(small.shape, -np.inf, dtype=np.float32)
    for factor in scales:
        s = factor * radius_px / np.sqrt(2.0) / f
        resp = -(s * s) * ndi.laplace(ndi.gaussian_filter(small, s))
        np.maximum(out, resp, out=out)
    if f > 1:
        out = ndi.zoom(out, 2, order=1, grid_mode=True, mode="nearest")[:rows, :cols]
    return out


def segment_blobs(
    signal: np.ndarray,
    *,
    radius_px: float,
    threshold: float,
    foreground: np.ndarray | None = None,
) -> np.ndarray:
    """Label image of bright blobs: threshold, fill holes, seeded watershed.

    Parameters
    ----------
    signal
        ``(rows, cols)`` float image, objects bright (stain concentration or fluorescence above
        background).
    radius_px
        Typical object radius in pixels; sets the smoothing (``0.1 r``), the opening that removes
        thin fibres (``r / 4`` iterations), the blob scale and the minimum seed spacing
        (``0.45 r``).
    threshold
        Foreground threshold on the smoothed signal.
    foreground
        Optional boolean foreground from the caller (e.g. with a local threshold), replacing
        ``smoothed > threshold``; its pixels below ``threshold`` count as ``threshold`` in the
        blob landscape (pale objects become plateaus, split by their shape).

    Notes
    -----
    Touching objects are split by a marker-controlled watershed (Beucher & Meyer 1993). The
    landscape is ``0.5 * min(d / r, 1) + 0.5 * LoG`` where ``d`` is the Euclidean distance
    transform of the foreground and ``LoG`` the normalised negative scale-normalised
    Laplacian-of-Gaussian ``-sigma^2 LoG``, maximal over ``sigma = f r / sqrt(2)`` for ``f`` in
    :data:`BLOB_SCALES` (Lindeberg 1998: a disk of radius ``f r`` answers most at that scale; the
    larger scale keeps evenly stained cells up to about 1.3 r whole): the distance term splits
    touching round objects at their neck, the blob term splits objects whose outline is merged
    but whose stained bodies are distinct. Seeds are its local maxima at least ``0.45 r`` apart
    and at least ``0.2 r`` inside the foreground; components without a seed become one object.
    Objects larger than ``CLUMP_AREA_RATIO * pi r^2`` (merged clumps in packed layers such as
    CA1) are split again with the finest blob scale only, which separates overlapping somata
    that the larger scale merges.
    Parameters were chosen on seeded synthetic Nissl images (docs/histology-validation-cells.md).
    """
    sm = ndi.gaussian_filter(signal.astype(np.float32), sigma=max(0.5, 0.1 * radius_px))
    fg = ndi.binary_fill_holes(sm > threshold if foreground is None else foreground)
    fg = ndi.binary_opening(fg, iterations=max(1, int(radius_px // 4)))
    if not fg.any():
        return np.zeros(signal.shape, np.int32)
    dist = ndi.distance_transform_edt(fg).astype(np.float32)
    clipped = np.where(fg, np.maximum(sm, threshold), 0).astype(np.float32)
    labels = _seeded_watershed(fg, dist, _blob_response(clipped, radius_px), radius_px)
    areas = np.bincount(labels.ravel())
    areas[0] = 0
    big = np.flatnonzero(areas > CLUMP_AREA_RATIO * np.pi * radius_px**2)
    if big.size:  # clumps: split again with the finest blob scale only
        fine_blob = _blob_response(clipped, radius_px, scales=BLOB_SCALES[:1])
        fine = _seeded_watershed(fg, dist, fine_blob, radius_px)
        clump = np.isin(labels, big)
        labels = np.where(clump, fine + labels.max(), labels)
    return labels.astype(np.int32)


def _seeded_watershed(
    fg: np.ndarray,
    dist: np.ndarray,
    blob: np.ndarray,
    radius_px: float,
    *,
    spacing: float = 0.45,
) -> np.ndarray:
    """Watershed of ``0.5 min(d / r, 1) + 0.5 blob`` from its maxima >= ``spacing r`` apart."""
    blob = blob / max(float(blob[fg].max()), 1e-9)
    score = 0.5 * np.clip(dist / radius_px, 0, 1) + 0.5 * blob
    score = ndi.gaussian_filter(score, max(0.5, 0.05 * radius_px))
    size = 2 * max(1, int(round(spacing * radius_px))) + 1
    peaks = (score == ndi.maximum_filter(score, size=size)) & fg & (dist > 0.2 * radius_px)
    markers, n = ndi.label(peaks, structure=np.ones((3, 3)))
    labels = watershed(-score, markers, mask=fg)
    rest, m = ndi.label(fg & (labels == 0))
    if m:
        labels = np.where(rest > 0, rest + n, labels)
    return labels


def label_medians(image: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Median of ``image`` over each label: array indexed by label (0 and absent labels 0).

    One sort of the labelled pixels (:func:`scipy.ndimage.median` selects per label and is
    about 30x slower on thousands of objects); the upper median for even counts.
    """
    out = np.zeros(int(labels.max()) + 1, np.float64)
    inside = labels > 0
    if not inside.any():
        return out
    lab, val = labels[inside], image[inside]
    order = np.lexsort((val, lab))
    lab, val = lab[order], val[order]
    uniq, start, count = np.unique(lab, return_index=True, return_counts=True)
    out[uniq] = val[start + count // 2]
    return out


def _pair_boundaries(labels: np.ndarray, image: np.ndarray) -> dict[tuple[int, int], float]:
    """Median of ``image`` (the lower of the two pixels) along the boundary of each pair of
    4-adjacent objects, keyed ``(lower label, higher label)`` (the median ignores the dim ends
    of a boundary at the objects' rims)."""
    n = int(labels.max()) + 1
    keys, vals = [], []
    for a, b, va, vb in (
        (labels[:, :-1], labels[:, 1:], image[:, :-1], image[:, 1:]),
        (labels[:-1, :], labels[1:, :], image[:-1, :], image[1:, :]),
    ):
        m = (a != b) & (a > 0) & (b > 0)
        lo, hi = np.minimum(a[m], b[m]).astype(np.int64), np.maximum(a[m], b[m]).astype(np.int64)
        keys.append(lo * n + hi)
        vals.append(np.minimum(va[m], vb[m]))
    k, v = np.concatenate(keys), np.concatenate(vals)
    if k.size == 0:
        return {}
    order = np.lexsort((v, k))
    k, v = k[order], v[order]
    uniq, start, count = np.unique(k, return_index=True, return_counts=True)
    medians = v[start + count // 2]
    return {(int(u // n), int(u % n)): float(m) for u, m in zip(uniq, medians, strict=True)}


def merge_oversplit(
    labels: np.ndarray,
    image: np.ndarray,
    *,
    max_area_px: float,
    min_solidity: float = 0.9,
    min_boundary_ratio: float = 0.95,
    max_contrast: float = 1.3,
) -> np.ndarray:
    """Merge adjacent objects that are one object cut in two by the watershed.

    Two touching objects ``i, j`` are merged when all hold: their union is convex (solidity =
    area / convex-hull area >= ``min_solidity``; two touching round cells leave a notch), no
    darker valley separates them (median ``image`` on their shared boundary >=
    ``min_boundary_ratio`` x the dimmer one's median), they are equally bright (medians within
    a factor ``max_contrast``; a bright and a dim nucleus side by side are two cells) and the
    union is not larger than ``max_area_px``. Pairs are merged best first (highest boundary
    ratio x solidity), each object once per round, until no pair qualifies.
    """
    from skimage.morphology import convex_hull_image

    labels = labels.copy()
    for _ in range(8):
        pairs = _pair_boundaries(labels, image)
        if not pairs:
            break
        med = label_medians(image, labels)
        slices = ndi.find_objects(labels)
        candidates = []
        for (i, j), edge in pairs.items():
            dim, bright = sorted((med[i], med[j]))
            ratio = edge / max(dim, 1e-9)
            if ratio < min_boundary_ratio or bright > max_contrast * dim:
                continue
            si, sj = slices[i - 1], slices[j - 1]
            assert si is not None and sj is not None
            win = labels[
                min(si[0].start, sj[0].start) : max(si[0].stop, sj[0].stop),
                min(si[1].start, sj[1].start) : max(si[1].stop, sj[1].stop),
            ]
            union = (win == i) | (win == j)
            area = int(union.sum())
            if area > max_area_px:
                continue
            solidity = area / max(int(convex_hull_image(union).sum()), 1)
            if solidity >= min_solidity:
                candidates.append((ratio * solidity, i, j))
        if not candidates:
            break
        used: set[int] = set()
        for _score, i, j in sorted(candidates, reverse=True):
            if i not in used and j not in used:
                sj = slices[j - 1]
                assert sj is not None
                window = labels[sj]  # a view: relabel j inside its own box only
                window[window == j] = i
                used |= {i, j}
    return labels


def measure_objects(
    labels: np.ndarray,
    *,
    pixel_size_um: float,
    intensity: np.ndarray | None = None,
    shape: bool = True,
) -> pd.DataFrame:
    """One row per labelled object.

    Returns
    -------
    pandas.DataFrame
        ``label``, ``x``, ``y`` (centroid, pixels: column and row), ``area_um2``, ``solidity``
        (area / convex-hull area) and ``eccentricity`` (of the moment ellipse) unless
        ``shape=False`` (faster: no convex hulls), and ``mean_intensity`` when ``intensity``
        is given.
    """
    shape_cols = ["solidity", "eccentricity"] if shape else []
    props = ["label", "centroid", "area", *shape_cols]
    if intensity is not None:
        props.append("intensity_mean")
    if labels.max() == 0:
        cols = ["label", "x", "y", "area_um2", *shape_cols]
        if intensity is not None:
            cols.append("mean_intensity")
        return pd.DataFrame({c: pd.Series(dtype=float) for c in cols})
    t = regionprops_table(labels, intensity_image=intensity, properties=props)
    out = pd.DataFrame(
        {
            "label": t["label"].astype(int),
            "x": t["centroid-1"],
            "y": t["centroid-0"],
            "area_um2": t["area"] * pixel_size_um**2,
            **{c: t[c] for c in shape_cols},
        }
    )
    if intensity is not None:
        out["mean_intensity"] = t["intensity_mean"]
    return out


def centroid_in(mask: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """True where the rounded centroid ``(x, y)`` falls inside ``mask``."""
    if len(x) == 0:
        return np.zeros(0, dtype=bool)
    r = np.clip(np.round(np.asarray(y)).astype(int), 0, mask.shape[0] - 1)
    c = np.clip(np.round(np.asarray(x)).astype(int), 0, mask.shape[1] - 1)
    return mask[r, c]


def empty_region_warnings(
    regions: pd.DataFrame, *, cell_diameter_um: float, what: str, file: FileLike = None
) -> list[str]:
    """A warning per region with a count of 0 though it holds at least ``EMPTY_REGION_CELLS``
    cell profiles (disks of ``cell_diameter_um``): a failed stain or threshold more often than
    a truly empty region."""
    cell_mm2 = np.pi * (cell_diameter_um / 2000.0) ** 2
    where = f"{file}: " if file is not None else ""
    return [
        f"{where}no {what} detected in region {r.region!r} ({r.area_mm2:.3g} mm², room for about "
        f"{r.area_mm2 / cell_mm2:.0f}); check the stain, threshold and cell diameter"
        for r in regions.itertuples()
        if r.count == 0 and r.area_mm2 >= EMPTY_REGION_CELLS * cell_mm2
    ]
