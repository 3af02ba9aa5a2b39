"""Reader of the real BBBC039 Hoechst nuclei in ../shared/data (CC0; see its PROVENANCE.md).

Instances are the 4-connected regions of channel 0 of each mask PNG (the source's 4-colour map).
Pixel size ~0.65 µm (ImageXpress 20x; not stated by the source).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
from skimage import io, measure
from tests.conftest import shared_data

PIXEL_SIZE_UM = 0.65


def image_paths() -> list[Path]:
    """The 40 image files, sorted (skips the test when the shared data is absent)."""
    return sorted((shared_data("histology", "bbbc039_nuclei") / "images").glob("*.tif"))


def load(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """``(image, labels)``: the 16-bit image as float32 and the expert instance labels."""
    mask = io.imread(path.parent.parent / "masks" / (path.stem + ".png"))
    labels = measure.label(mask[..., 0], background=0, connectivity=1)
    return io.imread(path).astype(np.float32), labels


def iter_images(step: int = 1) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """``(name, image, labels)`` for every ``step``-th image."""
    for p in image_paths()[::step]:
        img, lab = load(p)
        yield p.stem, img, lab


def true_centroids(labels: np.ndarray) -> np.ndarray:
    """``(n, 2)`` expert centroids as ``(x, y)`` pixels."""
    props = measure.regionprops(labels)
    return np.array([(p.centroid[1], p.centroid[0]) for p in props]).reshape(-1, 2)
