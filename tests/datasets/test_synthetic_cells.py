"""Synthetic histology generators: determinism and self-consistent ground truth."""

from __future__ import annotations

import numpy as np
import pytest

from neuroprotect.datasets.synthetic_cells import (
    make_dab_image,
    make_fluorescence_image,
    make_nissl_image,
)
from neuroprotect.histology import _cells


def test_nissl_deterministic_and_truth_consistent():
    a = make_nissl_image(seed=3, shape=(256, 256), n_neurons=20)
    b = make_nissl_image(seed=3, shape=(256, 256), n_neurons=20)
    c = make_nissl_image(seed=4, shape=(256, 256), n_neurons=20)
    assert np.array_equal(a.image, b.image) and not np.array_equal(a.image, c.image)
    assert a.image.dtype == np.uint8 and a.image.shape == (256, 256, 3)
    assert a.labels.max() == len(a.cells) == 20
    own = np.bincount(a.labels.ravel(), minlength=21)[1:] * a.pixel_size_um**2
    np.testing.assert_allclose(a.cells["visible_area_um2"], own)
    assert (a.cells["visible_area_um2"] <= a.cells["area_um2"] + 1e-9).all()
    # neurons: semi-axes 6-9 µm, aspect <= 1.4 -> area between pi*6*6/1.4 and pi*9*9
    assert a.cells["area_um2"].between(np.pi * 36 / 1.4 * 0.9, np.pi * 81 * 1.05).all()
    # every centre lies on its own label
    r = a.cells["y"].round().astype(int)
    col = a.cells["x"].round().astype(int)
    assert (a.labels[r, col] > 0).mean() > 0.9


def test_nissl_ca1_band_holds_most_cells():
    s = make_nissl_image(seed=1, layout="ca1", n_neurons=90)
    assert s.roi is not None and s.roi.kind == "band"
    mask = s.roi.mask(s.image.shape[:2], pixel_size_um=s.pixel_size_um)
    inside = _cells.centroid_in(mask, s.cells["x"].to_numpy(), s.cells["y"].to_numpy())
    assert inside.mean() > 0.5
    with pytest.raises(ValueError, match="layout"):
        make_nissl_image(layout="cortex")


def test_fluorescence_truth():
    s = make_fluorescence_image(seed=2, positive_fraction=0.4, n_nuclei=100)
    assert s.image.dtype == np.uint16 and s.image.shape[2] == 2
    assert 0.25 < s.cells["positive"].mean() < 0.55
    assert s.labels.max() == len(s.cells)
    pos = s.cells.index[s.cells["positive"]] + 1
    neg = s.cells.index[~s.cells["positive"]] + 1
    marker = s.image[..., 1].astype(float)
    assert marker[np.isin(s.labels, pos)].mean() > 2 * marker[np.isin(s.labels, neg)].mean()
    assert make_fluorescence_image(seed=2, positive_fraction=0.0).cells["positive"].sum() == 0
    with pytest.raises(ValueError):
        make_fluorescence_image(positive_fraction=1.5)


def test_dab_truth():
    s = make_dab_image(seed=5, patch_fraction=0.1)
    assert s.positive_area_pct == pytest.approx(100 * s.mask.mean())
    assert (s.dab_od[s.mask] >= 0.3).all() and (s.dab_od[~s.mask] == 0).all()
    assert s.flat_field.shape == s.image.shape
    blank = make_dab_image(seed=5, patch_fraction=0.0, n_positive_cells=0)
    assert blank.positive_area_pct == 0.0
