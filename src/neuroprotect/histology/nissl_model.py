"""A trainable soma detector for Nissl sections: a random-forest pixel classifier (ilastik-like).

Labs' stains, section thickness and scanners differ; a few annotated images of their own are
the surest way to a counter that agrees with their experts. :func:`train_neuron_model` learns,
from images and soma masks (instance or binary), to classify each pixel as background, soma rim
or soma core from multi-scale filters of the stain concentration; :meth:`NeuronModel.segment`
turns the class probabilities into somata (one seed per connected core, grown over the soma
pixels by a watershed), which separates touching somata along the rims the experts drew.

Filter scales are in µm, so a model applies to images at another pixel size. The model file is
an ``.npz`` of plain arrays plus a JSON header (version, training provenance); it is read with
``allow_pickle=False``, so a model file from anyone can be loaded safely.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage as ndi
from skimage.morphology import h_maxima
from skimage.segmentation import find_boundaries, watershed

from neuroprotect.errors import InputError

__all__ = [
    "MODEL_FORMAT",
    "NeuronModel",
    "instance_masks",
    "load_neuron_model",
    "pixel_features",
    "train_neuron_model",
]

#: Identifies the file format; bumped when the arrays or features change meaning.
MODEL_FORMAT = "neuroprotect-nissl-rf/1"
#: Gaussian scales of the filter bank (µm), from Nissl granules to a large soma.
FEATURE_SCALES_UM = (0.5, 1.0, 2.0, 4.0, 8.0)
#: A soma pixel is "core" when its distance to the soma's outline is at least this fraction of
#: the soma's equivalent radius; cores of touching somata are then disjoint.
CORE_FRACTION = 0.3
#: Training pixels drawn per image (stratified by class), enough for a forest of this size.
PIXELS_PER_IMAGE = 40_000
CLASSES = ("background", "rim", "core")
#: Seeds: h-maxima of the core probability with this dynamic, above :data:`SEED_FLOOR`.
SEED_DYNAMIC = 0.2
SEED_FLOOR = 0.3


def pixel_features(signal: np.ndarray, *, pixel_size_um: float) -> np.ndarray:
    """``(rows, cols, n_features)`` float32 filter bank of a stain-concentration image.

    The signal itself and, at each scale ``s`` of :data:`FEATURE_SCALES_UM` (``sigma = s /
    pixel size``): Gaussian smoothing, scale-normalised ``-sigma^2 LoG`` (blobs), gradient
    magnitude ``sigma |grad G|`` (edges) and both scale-normalised Hessian eigenvalues
    (ridges, valleys between touching somata); the classic ilastik set (Sommer et al. 2011).
    """
    sig = signal.astype(np.float32)
    out = [sig]
    for s_um in FEATURE_SCALES_UM:
        s = s_um / pixel_size_um
        out.append(ndi.gaussian_filter(sig, s))
        out.append(-(s * s) * ndi.gaussian_laplace(sig, s))
        out.append(s * ndi.gaussian_gradient_magnitude(sig, s))
        hrr = ndi.gaussian_filter(sig, s, order=(2, 0))
        hcc = ndi.gaussian_filter(sig, s, order=(0, 2))
        hrc = ndi.gaussian_filter(sig, s, order=(1, 1))
        half_tr = (hrr + hcc) / 2
        root = np.sqrt(((hrr - hcc) / 2) ** 2 + hrc**2)
        out.append(s * s * (half_tr + root))
        out.append(s * s * (half_tr - root))
    return np.stack(out, axis=-1).astype(np.float32)


def instance_masks(mask: np.ndarray, *, file: str | PathLike[str] | None = None) -> np.ndarray:
    """Instance labels from an instance or a binary mask (binary: connected components)."""
    arr = np.asarray(mask)
    if arr.ndim == 3:
        arr = arr[..., 0]
    if arr.ndim != 2 or arr.dtype.kind not in "uib":
        raise InputError(
            f"Expected a 2-D integer mask (0 = background), but got shape {arr.shape} and "
            f"dtype {arr.dtype}",
            file=file,
        )
    values = np.unique(arr)
    if len(values) <= 2:  # binary: 0/1 or 0/255
        labels, _ = ndi.label(arr > 0)
        return labels.astype(np.int32)
    return arr.astype(np.int32)


def pixel_classes(labels: np.ndarray) -> np.ndarray:
    """Training target per pixel: 0 background, 1 rim, 2 core (see :data:`CORE_FRACTION`)."""
    target = np.zeros(labels.shape, np.uint8)
    target[labels > 0] = 1
    edge = find_boundaries(labels, mode="inner") | (labels == 0)
    dist = ndi.distance_transform_edt(~edge)
    radius = np.sqrt(np.bincount(labels.ravel()) / np.pi)
    target[(labels > 0) & (dist >= CORE_FRACTION * radius[labels])] = 2
    return target


@dataclass
class NeuronModel:
    """A trained soma detector (see :func:`train_neuron_model`).

    Attributes
    ----------
    left, right, feature, threshold
        The forest's nodes, all trees concatenated (child indices are global, ``-1`` at leaves).
    value
        ``(n_nodes, 3)`` class probabilities at each node (background, rim, core).
    roots
        Index of each tree's root node.
    info
        Header: ``format``, ``package_version``, ``created``, ``pixel_size_um`` (training),
        ``background_radius_um``, ``min_area_um2``, ``max_area_um2``, ``training`` (images,
        pixels), ``held_out`` (scores, when computed).
    """

    left: np.ndarray
    right: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    info: dict[str, Any] = field(default_factory=dict)

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """``(..., 3)`` mean class probabilities of the trees for ``(..., n_features)``."""
        shape = features.shape[:-1]
        x = features.reshape(-1, features.shape[-1])
        rows = np.arange(len(x))
        total = np.zeros((len(x), self.value.shape[1]), np.float32)
        for root in self.roots:
            node = np.full(len(x), root, dtype=np.int64)
            active = rows
            while active.size:
                n = node[active]
                leaf = self.left[n] < 0
                active, n = active[~leaf], n[~leaf]
                go_left = x[active, self.feature[n]] <= self.threshold[n]
                node[active] = np.where(go_left, self.left[n], self.right[n])
            total += self.value[node]
        return (total / len(self.roots)).reshape(*shape, -1)

    def segment(self, signal: np.ndarray, *, pixel_size_um: float) -> np.ndarray:
        """Label image of somata in a stain-concentration image.

        Seeds are the maxima of the (lightly smoothed) core probability that rise at least
        :data:`SEED_DYNAMIC` above the saddle to any higher one (h-maxima) and exceed
        :data:`SEED_FLOOR`; each grows by a watershed on the core probability over the pixels
        more likely soma (rim + core) than background. A soma whose core the classifier sees
        as two weakly separated lobes stays one.
        """
        prob = self.predict_proba(pixel_features(signal, pixel_size_um=pixel_size_um))
        core = ndi.gaussian_filter(prob[..., 2], max(0.5, 0.35 / pixel_size_um))
        soma = (prob[..., 1] + prob[..., 2]) > 0.5
        markers, _ = ndi.label(h_maxima(core, SEED_DYNAMIC).astype(bool) & (core > SEED_FLOOR))
        return watershed(-core, markers, mask=soma | (markers > 0)).astype(np.int32)

    def summary(self, source: Any = None) -> dict[str, Any]:
        """Provenance for a count's ``method``: file, format, version, training, held-out score."""
        held = self.info.get("held_out") or {}
        return {
            "file": str(source) if isinstance(source, (str, PathLike)) else None,
            "format": self.info.get("format"),
            "package_version": self.info.get("package_version"),
            "created": self.info.get("created"),
            "trained_on": (self.info.get("training") or {}).get("images"),
            "held_out_f1": held.get("mean_f1"),
            "held_out_count_error_pct": held.get("mean_abs_count_error_pct"),
        }

    def save(self, path: str | PathLike[str]) -> Path:
        """Write the model to ``path`` (``.npz``; arrays and a JSON header, no pickle)."""
        out = Path(path)
        with open(out, "wb") as fh:
            np.savez_compressed(
                fh,
                left=self.left,
                right=self.right,
                feature=self.feature,
                threshold=self.threshold,
                value=self.value,
                roots=self.roots,
                header=np.frombuffer(json.dumps(self.info).encode(), dtype=np.uint8),
            )
        return out


def load_neuron_model(path: str | PathLike[str]) -> NeuronModel:
    """Read a model written by :meth:`NeuronModel.save` (never unpickles anything)."""
    p = Path(path)
    try:
        with np.load(p, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        info = json.loads(arrays.pop("header").tobytes().decode())
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(
            f"Expected a neuron model file written by 'histology train-neurons', but could not "
            f"read it ({exc})",
            file=p,
        ) from None
    if info.get("format") != MODEL_FORMAT:
        raise InputError(
            f"Expected model format {MODEL_FORMAT!r}, but got {info.get('format')!r}", file=p
        )
    needed = ("left", "right", "feature", "threshold", "value", "roots")
    if any(k not in arrays for k in needed):
        raise InputError(f"Expected the arrays {', '.join(needed)} in the model", file=p)
    return NeuronModel(**{k: arrays[k] for k in needed}, info=info)


def _sample(target: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Flat indices of up to ``n`` pixels, a third from each class (all of a rarer class)."""
    flat = target.ravel()
    picks = []
    for c in range(len(CLASSES)):
        idx = np.flatnonzero(flat == c)
        take = min(len(idx), n // len(CLASSES))
        if take:
            picks.append(rng.choice(idx, take, replace=False))
    return np.concatenate(picks) if picks else np.zeros(0, dtype=np.int64)


def train_neuron_model(
    signals: list[np.ndarray],
    labels: list[np.ndarray],
    *,
    pixel_size_um: float,
    background_radius_um: float,
    n_trees: int = 40,
    max_depth: int = 14,
    seed: int = 0,
    provenance: dict[str, Any] | None = None,
) -> NeuronModel:
    """Fit the pixel classifier on stain-concentration images and their soma labels.

    Parameters
    ----------
    signals
        ``(rows, cols)`` background-subtracted stain concentrations
        (:func:`neuroprotect.histology.neurons.nissl_signal`).
    labels
        Instance label images of the somata, same shapes (0 = background).
    pixel_size_um
        µm per pixel of the training images.
    background_radius_um
        Background radius used for ``signals`` (stored, so counting uses the same).
    n_trees, max_depth, seed
        Random forest (scikit-learn ``RandomForestClassifier``, ``min_samples_leaf=5``).
    provenance
        Extra header entries (image names, mask names).

    Notes
    -----
    Area limits for counting are stored from the training somata: ``min_area_um2`` half the
    2nd percentile of their areas, ``max_area_um2`` twice the largest.
    """
    from sklearn.ensemble import RandomForestClassifier

    from neuroprotect import __version__

    rng = np.random.default_rng(seed)
    xs, ys, areas = [], [], []
    for sig, lab in zip(signals, labels, strict=True):
        target = pixel_classes(lab)
        idx = _sample(target, PIXELS_PER_IMAGE, rng)
        feats = pixel_features(sig, pixel_size_um=pixel_size_um)
        xs.append(feats.reshape(-1, feats.shape[-1])[idx])
        ys.append(target.ravel()[idx])
        a = np.bincount(lab.ravel())[1:]
        areas.append(a[a > 0] * pixel_size_um**2)
    y = np.concatenate(ys)
    all_areas = np.concatenate(areas)
    if len(all_areas) < 5 or len(np.unique(y)) < 3:
        raise InputError(
            f"Expected at least 5 annotated somata in the masks, but got {len(all_areas)}",
            field="masks",
        )
    forest = RandomForestClassifier(
        n_estimators=n_trees, max_depth=max_depth, min_samples_leaf=5, random_state=seed, n_jobs=1
    ).fit(np.concatenate(xs), y)
    model = _from_forest(forest)
    model.info = {
        "format": MODEL_FORMAT,
        "package_version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "pixel_size_um": float(pixel_size_um),
        "background_radius_um": float(background_radius_um),
        "feature_scales_um": list(FEATURE_SCALES_UM),
        "min_area_um2": float(0.5 * np.percentile(all_areas, 2)),
        "max_area_um2": float(2.0 * all_areas.max()),
        "median_area_um2": float(np.median(all_areas)),
        "training": {
            "n_images": len(signals),
            "n_somata": len(all_areas),
            "n_pixels": len(y),
            "n_trees": n_trees,
            "max_depth": max_depth,
            "seed": seed,
            **(provenance or {}),
        },
    }
    return model


def _from_forest(forest: Any) -> NeuronModel:
    lefts, rights, feats, thrs, vals, roots = [], [], [], [], [], []
    offset = 0
    for est in forest.estimators_:
        t = est.tree_
        n = t.node_count
        left = t.children_left.astype(np.int64)
        right = t.children_right.astype(np.int64)
        lefts.append(np.where(left >= 0, left + offset, -1))
        rights.append(np.where(right >= 0, right + offset, -1))
        feats.append(np.maximum(t.feature, 0).astype(np.int32))
        thrs.append(t.threshold.astype(np.float64))
        v = t.value[:, 0, :].astype(np.float32)
        full = np.zeros((n, len(CLASSES)), np.float32)
        full[:, est.classes_.astype(int)] = v / np.maximum(v.sum(axis=1, keepdims=True), 1e-12)
        vals.append(full)
        roots.append(offset)
        offset += n
    return NeuronModel(
        left=np.concatenate(lefts),
        right=np.concatenate(rights),
        feature=np.concatenate(feats),
        threshold=np.concatenate(thrs),
        value=np.concatenate(vals),
        roots=np.asarray(roots, dtype=np.int64),
    )
