"""Adapt the Nissl soma counter to a lab's own sections: train, with a held-out score.

:func:`train_neurons` fits a :class:`~neuroprotect.histology.nissl_model.NeuronModel` on a few
RGB images and their soma masks and, when there are at least two images, scores it on images
not used for training (leave-one-image-out, at most :data:`MAX_FOLDS` folds): count error and
centroid F1, the figures a lab compares with its own inter-rater agreement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import ndimage as ndi

from neuroprotect.errors import InputError
from neuroprotect.histology import _cells
from neuroprotect.histology.nissl_model import NeuronModel, instance_masks, train_neuron_model
from neuroprotect.histology.nissl_stain import estimate_stain_vector, nissl_signal
from neuroprotect.histology.validation import score_detections

__all__ = ["MATCH_RADIUS_UM", "MAX_FOLDS", "TrainedNeurons", "stain_signal", "train_neurons"]

#: Held-out folds at most (leave-one-image-out up to this many images, else this many folds).
MAX_FOLDS = 5
#: A detected and an annotated soma match when their centroids are at most this far apart (µm).
MATCH_RADIUS_UM = 5.0


@dataclass
class TrainedNeurons:
    """Result of :func:`train_neurons`: the ``model`` (trained on all images) and ``held_out``,
    one row per held-out image (``image``, ``n_true``, ``n_found``, ``count_error_pct``,
    ``f1``, ``precision``, ``recall``), empty for a single image; ``summary`` the means."""

    model: NeuronModel
    held_out: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)


def stain_signal(
    image: np.ndarray, *, pixel_size_um: float, background_radius_um: float
) -> np.ndarray:
    """Background-subtracted cresyl-violet concentration of an RGB image, as the counter sees it
    (per-image white point and stain vector, :func:`neuroprotect.histology.neurons.nissl_signal`).
    """
    rgb = _cells.check_rgb(image)
    white = np.percentile(rgb.reshape(-1, 3).astype(float), _cells.WHITE_PERCENTILE, axis=0)
    vector = estimate_stain_vector(_cells.optical_density(rgb, white=tuple(white)))
    return nissl_signal(
        rgb,
        stain_vector=vector,
        white=white,
        background_radius_px=background_radius_um / pixel_size_um,
    )


def _centroids(labels: np.ndarray) -> np.ndarray:
    ids = np.unique(labels)
    ids = ids[ids > 0]
    if not len(ids):
        return np.zeros((0, 2))
    return np.asarray(ndi.center_of_mass(labels > 0, labels, ids))[:, ::-1]


def detect(model: NeuronModel, signal: np.ndarray, *, pixel_size_um: float) -> np.ndarray:
    """``(n, 2)`` x, y centroids of the somata the model finds, area limits applied."""
    labels = model.segment(signal, pixel_size_um=pixel_size_um)
    obj = _cells.measure_objects(labels, pixel_size_um=pixel_size_um)
    lo, hi = model.info["min_area_um2"], model.info["max_area_um2"]
    obj = obj[(obj["area_um2"] >= lo) & (obj["area_um2"] <= hi)]
    return obj[["x", "y"]].to_numpy()


def train_neurons(
    images: Sequence[np.ndarray],
    masks: Sequence[np.ndarray],
    *,
    pixel_size_um: float,
    names: Sequence[str] | None = None,
    background_radius_um: float | None = None,
    n_trees: int = 40,
    seed: int = 0,
) -> TrainedNeurons:
    """Train a soma detector on annotated images and score it on held-out images.

    Parameters
    ----------
    images
        RGB brightfield images (cresyl violet or another Nissl stain).
    masks
        Soma masks of the same shapes: instance labels (0 = background) or binary (touching
        somata in a binary mask count as one).
    pixel_size_um
        µm per pixel of the images (one value for all).
    names
        Image names for the held-out table and the model's provenance.
    background_radius_um
        Background radius of the stain signal; default 2.5 x the equivalent diameter of the
        largest 5 % of the annotated somata (the opening must not eat large somata).
    n_trees, seed
        Random forest size and seed.

    Returns
    -------
    TrainedNeurons

    Raises
    ------
    InputError
        No images, images and masks of different numbers or shapes, fewer than 5 somata.

    Notes
    -----
    Held-out score: for each fold the model is trained on the other images only and its
    detections on the held-out image are matched one-to-one to the annotated centroids within
    :data:`MATCH_RADIUS_UM` (Hungarian matching, :func:`score_detections`); ``count_error_pct
    = 100 (n_found - n_true) / n_true``. The final model is trained on all images.
    """
    ps = _cells.check_pixel_size(pixel_size_um)
    if not images or len(images) != len(masks):
        raise InputError(
            f"Expected as many masks as images (at least one), but got {len(images)} images "
            f"and {len(masks)} masks",
            field="masks",
        )
    names = list(names) if names is not None else [f"image {i + 1}" for i in range(len(images))]
    labels = [instance_masks(m, file=n) for m, n in zip(masks, names, strict=True)]
    for img, lab, name in zip(images, labels, names, strict=True):
        if np.asarray(img).shape[:2] != lab.shape:
            raise InputError(
                f"Expected a mask of the image's shape {np.asarray(img).shape[:2]}, but got "
                f"{lab.shape}",
                file=name,
            )
    if background_radius_um is None:
        areas = np.concatenate([np.bincount(lab.ravel())[1:] for lab in labels]) * ps * ps
        areas = areas[areas > 0]
        big = float(np.percentile(areas, 95)) if len(areas) else 100.0
        background_radius_um = 2.5 * 2 * np.sqrt(big / np.pi)
    signals = [
        stain_signal(img, pixel_size_um=ps, background_radius_um=background_radius_um)
        for img in images
    ]
    n = len(images)
    folds = [[i] for i in range(n)] if n <= MAX_FOLDS else np.array_split(np.arange(n), MAX_FOLDS)
    rows = []
    for fold in folds if n >= 2 else []:
        train = [i for i in range(n) if i not in set(fold)]
        model = train_neuron_model(
            [signals[i] for i in train],
            [labels[i] for i in train],
            pixel_size_um=ps,
            background_radius_um=background_radius_um,
            n_trees=n_trees,
            seed=seed,
        )
        for i in fold:
            truth = _centroids(labels[i])
            sc = score_detections(
                detect(model, signals[i], pixel_size_um=ps),
                truth,
                radius_px=MATCH_RADIUS_UM / ps,
            )
            rows.append(
                {
                    "image": names[i],
                    "n_true": len(truth),
                    "n_found": sc.tp + sc.fp,
                    "count_error_pct": sc.count_error_pct,
                    "f1": sc.f1,
                    "precision": sc.precision,
                    "recall": sc.recall,
                }
            )
    held = pd.DataFrame(
        rows,
        columns=["image", "n_true", "n_found", "count_error_pct", "f1", "precision", "recall"],
    )
    summary: dict[str, Any] = {
        "n_images": n,
        "held_out_images": len(held),
        "mean_abs_count_error_pct": float(held["count_error_pct"].abs().mean())
        if len(held)
        else None,
        "mean_f1": float(held["f1"].mean()) if len(held) else None,
        "match_radius_um": MATCH_RADIUS_UM,
    }
    model = train_neuron_model(
        signals,
        labels,
        pixel_size_um=ps,
        background_radius_um=background_radius_um,
        n_trees=n_trees,
        seed=seed,
        provenance={"images": names},
    )
    model.info["held_out"] = {**summary, "per_image": held.to_dict(orient="records")}
    return TrainedNeurons(model=model, held_out=held, summary=summary)
