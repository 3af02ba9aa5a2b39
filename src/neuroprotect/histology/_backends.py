"""Optional deep-learning segmentation backends (StarDist, Cellpose), import-guarded.

Neither package is a dependency. Their weights must already be on disk: this module never calls
the packages' download helpers (``StarDist2D.from_pretrained``, Cellpose model names), so a
missing model is a clear error instead of a network access.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np

from neuroprotect.errors import InputError

BACKENDS = ("classic", "stardist", "cellpose")


def segment_with_backend(
    rgb: np.ndarray,
    *,
    backend: str,
    model_path: str | PathLike[str] | None,
    diameter_px: float,
) -> np.ndarray:
    """Label image of cells from StarDist (2D model folder) or Cellpose (model file)."""
    if backend not in BACKENDS:
        raise InputError(
            f"Expected backend among {', '.join(BACKENDS)}, but got {backend!r}", field="backend"
        )
    if backend == "stardist":
        return _stardist(rgb, model_path)
    return _cellpose(rgb, model_path, diameter_px)


def _need_path(model_path: str | PathLike[str] | None, backend: str, what: str) -> Path:
    if model_path is None:
        raise InputError(
            f"Expected --model-path to {what} for the {backend} backend (weights are never "
            "downloaded), but none was given",
            field="model_path",
        )
    return Path(model_path)


def _stardist(rgb: np.ndarray, model_path: str | PathLike[str] | None) -> np.ndarray:
    try:
        from csbdeep.utils import normalize
        from stardist.models import StarDist2D
    except ImportError:
        raise InputError(
            "Expected the optional 'stardist' package (pip install stardist tensorflow), "
            "but it is not installed",
            field="backend",
        ) from None
    path = _need_path(model_path, "stardist", "a StarDist2D model folder")
    if not (path / "config.json").is_file() or not any(path.glob("weights*.h5")):
        raise InputError(
            "Expected a StarDist2D model folder with config.json and weights*.h5, but they are "
            "missing",
            file=path,
            field="model_path",
        )
    model = StarDist2D(None, name=path.name, basedir=str(path.parent))
    img = normalize(rgb.astype(np.float32), 1, 99.8, axis=(0, 1))
    labels, _ = model.predict_instances(img)
    return np.asarray(labels, dtype=np.int32)


def _cellpose(
    rgb: np.ndarray, model_path: str | PathLike[str] | None, diameter_px: float
) -> np.ndarray:
    try:
        from cellpose import models
    except ImportError:
        raise InputError(
            "Expected the optional 'cellpose' package (pip install cellpose), but it is not "
            "installed",
            field="backend",
        ) from None
    path = _need_path(model_path, "cellpose", "a Cellpose model file")
    if not path.is_file():
        raise InputError(
            "Expected a Cellpose model weights file, but it does not exist",
            file=path,
            field="model_path",
        )
    model = models.CellposeModel(pretrained_model=str(path), gpu=False)
    masks = model.eval(rgb, diameter=diameter_px)[0]
    return np.asarray(masks, dtype=np.int32)
