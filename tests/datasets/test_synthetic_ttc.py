"""Synthetic TTC plates: determinism, exact truth from labels, tiling, analytic edema ratio."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from neuroprotect.datasets.synthetic_ttc import (
    SyntheticSlice,
    make_ttc_plate,
    make_ttc_scene,
    render_ttc_scene,
    ttc_ground_truth,
    write_ttc_scene_tiff,
)
from neuroprotect.histology.io import read_image


def test_same_seed_same_plate() -> None:
    a = make_ttc_plate(7, pixel_size_mm=0.1)
    b = make_ttc_plate(7, pixel_size_mm=0.1)
    np.testing.assert_array_equal(a.image, b.image)
    assert a.truth.equals(b.truth)
    c = make_ttc_plate(8, pixel_size_mm=0.1)
    assert not np.array_equal(
        a.image[: c.image.shape[0], : c.image.shape[1]],
        c.image[: a.image.shape[0], : a.image.shape[1]],
    )


def test_truth_is_label_count() -> None:
    """The per-slice truth equals the label image counted directly (exact, no tolerance)."""
    p = make_ttc_plate(2, pixel_size_mm=0.1)
    px2 = 0.01
    for k, row in p.truth.set_index("slice").iterrows():
        assert row["contralateral_area_mm2"] == pytest.approx((p.labels == 10 * k + 1).sum() * px2)
        assert row["infarct_area_mm2"] == pytest.approx((p.labels == 10 * k + 3).sum() * px2)
        ipsi = ((p.labels == 10 * k + 2) | (p.labels == 10 * k + 3)).sum() * px2
        assert row["ipsilateral_area_mm2"] == pytest.approx(ipsi)
    assert (p.truth["infarct_area_mm2"] <= p.truth["ipsilateral_area_mm2"]).all()


def test_region_rendering_matches_whole_labels() -> None:
    scene = make_ttc_scene(4, n_slices=2, per_row=2)
    whole_img, whole = render_ttc_scene(scene, pixel_size_mm=0.1)
    img, part = render_ttc_scene(scene, pixel_size_mm=0.1, region=(30, 40, 50, 60))
    np.testing.assert_array_equal(part, whole[30:80, 40:100])
    assert img.shape == (50, 60, 3)
    # same scene, noise aside: colours agree within the sensor noise
    diff = np.abs(img.astype(int) - whole_img[30:80, 40:100].astype(int))
    assert np.median(diff) <= 3 * scene.noise + 1


def test_edema_widens_ipsilateral_hemisphere_analytically() -> None:
    """Analytic: the ipsilateral half is the contralateral half stretched by (1 + edema)."""
    s = SyntheticSlice(centre_mm=(12.0, 10.0), half_width_mm=7.0, half_height_mm=5.0, edema=0.1)
    scene = replace(make_ttc_scene(1, n_slices=1), slices=(s,), width_mm=24.0, height_mm=20.0)
    truth = ttc_ground_truth(scene, pixel_size_mm=0.02)
    ratio = truth["ipsilateral_area_mm2"].iloc[0] / truth["contralateral_area_mm2"].iloc[0]
    assert ratio == pytest.approx(1.1, rel=0.003)
    assert truth["infarct_area_mm2"].iloc[0] == 0.0


def test_sham_has_no_infarct_and_sizes_are_rat_like() -> None:
    """Rat coronal hemispheres are 30-70 mm² (demo profile 44-68 mm²)."""
    p = make_ttc_plate(5, pixel_size_mm=0.1, infarct=False)
    assert (p.truth["infarct_area_mm2"] == 0).all()
    assert p.truth["contralateral_area_mm2"].between(25, 80).all()


def test_tiff_writer_tiles_and_scale(tmp_path: Path) -> None:
    scene = make_ttc_scene(6, n_slices=2, per_row=2)
    path = tmp_path / "plate.tif"
    truth = write_ttc_scene_tiff(scene, path, pixel_size_mm=0.1, tile=64)
    img = read_image(path)
    assert img.pixel_size_um == pytest.approx(100.0)
    assert img.array.shape[:2] == scene.shape(0.1)
    assert truth.equals(ttc_ground_truth(scene, pixel_size_mm=0.1))
