"""TTC image analysis: analytic drawings with exact areas, synthetic plates with exact truth.

Tolerances on synthetic plates come from the validation in docs/histology-validation.md
(benchmarks/validate_histology_ttc.py, 24 seeded plates at 0.04 mm/pixel: hemisphere areas within
1 %, infarct area within 3 %, lesion side always right); tests use coarser images (0.06 mm/pixel
for speed), where boundary pixels weigh more, so the limits are about twice those figures.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import tifffile
from PIL import Image as PILImage

from neuroprotect.datasets.synthetic_ttc import make_ttc_plate, write_ttc_scene_tiff
from neuroprotect.errors import InputError, InputWarning
from neuroprotect.histology.midline import find_midline
from neuroprotect.histology.ttc import compute_infarct_volumes
from neuroprotect.histology.ttc_images import (
    TTCOverrides,
    analyse_ttc_image,
    measure_ttc_slices,
)

RED, PALE, BLACK = (190, 35, 45), (235, 226, 214), (12, 12, 12)


def _drawn_slice(
    *, angle_deg: float = 0.0, pale_from: float | None = 0.4, size: tuple[int, int] = (300, 400)
) -> tuple[np.ndarray, dict[str, int]]:
    """A notched ellipse (a = 120, b = 80 px) centred between pixel centres at (200.5, 150.5).

    Returns the image and the exact pixel counts: left, right (of the midline through the
    notches) and pale (right of u = pale_from * a, in the slice frame).
    """
    rows, cols = size
    yy, xx = np.mgrid[0:rows, 0:cols].astype(float)
    t = np.deg2rad(angle_deg)
    dx, dy = xx - 200.5, yy - 150.5
    u = dx * np.cos(t) + dy * np.sin(t)
    v = -dx * np.sin(t) + dy * np.cos(t)
    a, b = 120.0, 80.0
    tissue = (u / a) ** 2 + (v / b) ** 2 <= 1
    tissue &= (u / 8.0) ** 2 + ((v + b) / 16.0) ** 2 >= 1
    tissue &= (u / 6.0) ** 2 + ((v - b) / 10.0) ** 2 >= 1
    pale = tissue & (u > pale_from * a) if pale_from is not None else np.zeros_like(tissue)
    img = np.empty((rows, cols, 3), np.uint8)
    img[:] = BLACK
    img[tissue] = RED
    img[pale] = PALE
    counts = {
        "left": int((tissue & (u < 0)).sum()),
        "right": int((tissue & (u > 0)).sum()),
        "pale": int(pale.sum()),
    }
    return img, counts


def test_drawn_slice_exact_areas() -> None:
    """Analytic: hemispheres and pale band of a drawn slice, counted exactly (0.1 mm pixels)."""
    img, n = _drawn_slice()
    a = analyse_ttc_image(img, pixel_size_mm=0.1)
    row = a.slices.iloc[0]
    assert len(a.slices) == 1 and row["midline_method"] == "notches"
    assert row["midline_angle_deg"] == pytest.approx(0.0, abs=0.3)
    px = 0.01
    assert row["left_area_mm2"] == pytest.approx(n["left"] * px, rel=0.003)
    assert row["right_area_mm2"] == pytest.approx(n["right"] * px, rel=0.003)
    assert row["right_pale_area_mm2"] == pytest.approx(n["pale"] * px, rel=0.01)
    assert row["left_pale_area_mm2"] == 0.0
    m = measure_ttc_slices([img], pixel_size_mm=0.1)
    assert m.lesion_side == "right" and m.lesion_side_source == "auto"


def test_tilted_slice_midline_angle() -> None:
    """Analytic: the same slice turned 12 degrees clockwise; the midline follows the notches."""
    img, n = _drawn_slice(angle_deg=12.0)
    row = analyse_ttc_image(img, pixel_size_mm=0.1).slices.iloc[0]
    assert row["midline_angle_deg"] == pytest.approx(12.0, abs=0.7)
    assert row["left_area_mm2"] == pytest.approx(n["left"] * 0.01, rel=0.01)
    assert row["right_pale_area_mm2"] == pytest.approx(n["pale"] * 0.01, rel=0.02)


def test_find_midline_without_notches_uses_symmetry() -> None:
    yy, xx = np.mgrid[0:200, 0:300]
    mask = ((xx - 150.5) / 100) ** 2 + ((yy - 100.5) / 60) ** 2 <= 1
    ml = find_midline(mask)
    assert ml.method == "symmetry"
    assert ml.angle_deg == pytest.approx(0.0, abs=0.5)
    assert ml.offset_from((150.5, 100.5)) == pytest.approx(0.0, abs=0.6)


def test_no_pale_tissue_gives_zero_infarct() -> None:
    img, _ = _drawn_slice(pale_from=None)
    a = analyse_ttc_image(img, pixel_size_mm=0.1)
    assert a.colour.method == "half-viable"
    assert a.slices[["left_pale_area_mm2", "right_pale_area_mm2"]].to_numpy().sum() == 0.0


@pytest.fixture(scope="module")
def plate() -> object:
    return make_ttc_plate(3, pixel_size_mm=0.06)


def test_synthetic_plate_matches_truth(plate) -> None:  # type: ignore[no-untyped-def]
    """Seeded synthetic ground truth (exact label counts), tolerances from the validation."""
    m = measure_ttc_slices([plate.image], pixel_size_mm=0.06)
    got, truth = m.slices, plate.truth
    assert m.lesion_side == plate.scene.lesion_side
    assert list(got["slice"]) == list(truth["slice"])
    for col in ("ipsilateral_area_mm2", "contralateral_area_mm2"):
        assert got[col].sum() == pytest.approx(truth[col].sum(), rel=0.02)
        np.testing.assert_allclose(got[col], truth[col], rtol=0.04)
    assert got["infarct_area_mm2"].sum() == pytest.approx(truth["infarct_area_mm2"].sum(), rel=0.06)
    np.testing.assert_allclose(got["infarct_area_mm2"], truth["infarct_area_mm2"], atol=0.8)
    # volumes through the shared implementation
    v = compute_infarct_volumes(m.areas().assign(animal_id="a"), slice_thickness_mm=2.0)
    ref = compute_infarct_volumes(truth.assign(animal_id="a"), slice_thickness_mm=2.0)
    assert v["infarct_volume_mm3"].iloc[0] == pytest.approx(
        ref["infarct_volume_mm3"].iloc[0], rel=0.06
    )
    assert v["edema_pct"].iloc[0] == pytest.approx(ref["edema_pct"].iloc[0], abs=1.0)


def test_sham_plate_has_no_infarct() -> None:
    sham = make_ttc_plate(8, pixel_size_mm=0.08, infarct=False, n_slices=3)
    m = measure_ttc_slices([sham.image], pixel_size_mm=0.08)
    assert m.slices["infarct_area_mm2"].sum() < 0.005 * m.slices["ipsilateral_area_mm2"].sum()


def test_overrides_order_exclude_side_and_midline(plate) -> None:  # type: ignore[no-untyped-def]
    base = measure_ttc_slices([plate.image], pixel_size_mm=0.06)
    other = "left" if base.lesion_side == "right" else "right"
    ov = TTCOverrides(
        order=(2, 1, 3, 4, 5, 6), exclude=(6,), lesion_side=other, midline={1: (10.0, 5.0)}
    )
    m = measure_ttc_slices([plate.image], pixel_size_mm=0.06, overrides=ov)
    s = m.slices.set_index("detected")
    assert m.lesion_side == other and m.lesion_side_source == "user"
    assert s.loc[2, "slice"] == 1 and s.loc[1, "slice"] == 2 and bool(s.loc[6, "excluded"])
    assert len(m.areas()) == 5
    b = base.slices.set_index("detected")
    # a user lesion side swaps the hemispheres of an untouched slice exactly
    assert s.loc[3, "ipsilateral_area_mm2"] == b.loc[3, "contralateral_area_mm2"]
    assert s.loc[1, "midline_method"] == "user"
    assert s.loc[1, "midline_angle_deg"] == 10.0
    assert s.loc[1, "midline_offset_px"] == pytest.approx(5.0, abs=1e-9)
    assert m.overrides.as_dict()["midline"] == {1: {"angle_deg": 10.0, "offset_px": 5.0}}
    with pytest.raises(InputError, match="detected slice numbers"):
        measure_ttc_slices([plate.image], pixel_size_mm=0.06, overrides=TTCOverrides(exclude=(9,)))
    with pytest.raises(InputError, match="every slice"):
        measure_ttc_slices([plate.image], pixel_size_mm=0.06, overrides=TTCOverrides(order=(1, 2)))


def test_several_photos_one_slice_each() -> None:
    """One photo per slice: numbering continues across photos in the given order."""
    img1, n1 = _drawn_slice()
    img2, n2 = _drawn_slice(pale_from=0.6)
    m = measure_ttc_slices([img1, img2], pixel_size_mm=0.1)
    assert list(m.slices["detected"]) == [1, 2] and list(m.slices["slice"]) == [1, 2]
    assert list(m.slices["infarct_area_mm2"]) == pytest.approx(
        [n1["pale"] * 0.01, n2["pale"] * 0.01], rel=0.015
    )


def test_large_tiff_read_in_tiles_with_metadata_pixel_size(tmp_path: Path) -> None:
    """A tiled TIFF analysed at a block-averaged scale agrees with the truth; scale from tags."""
    p = make_ttc_plate(5, pixel_size_mm=0.05, n_slices=3)
    path = tmp_path / "plate.tif"
    truth = write_ttc_scene_tiff(p.scene, path, pixel_size_mm=0.05, tile=128)
    m = measure_ttc_slices([path], max_side=400)  # forces 2 x 2 block averaging
    assert m.analyses[0].factor >= 2
    assert m.analyses[0].pixel_size_mm == pytest.approx(0.05)
    for col in ("ipsilateral_area_mm2", "contralateral_area_mm2"):
        assert m.slices[col].sum() == pytest.approx(truth[col].sum(), rel=0.03)
    assert m.slices["infarct_area_mm2"].sum() == pytest.approx(
        truth["infarct_area_mm2"].sum(), rel=0.1
    )


def test_qc_overlay_written(tmp_path: Path, plate) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "plate.png"
    PILImage.fromarray(plate.image).save(path)
    m = measure_ttc_slices([path], pixel_size_mm=0.06, qc_dir=tmp_path / "qc")
    assert [q.name for q in m.qc_images] == ["plate_qc.png"]
    qc = np.asarray(PILImage.open(m.qc_images[0]))
    assert qc.shape == plate.image.shape
    # yellow infarct outline and cyan slice outline are drawn
    assert ((qc[..., 0] == 255) & (qc[..., 1] == 235) & (qc[..., 2] == 0)).sum() > 50
    assert ((qc[..., 0] == 0) & (qc[..., 1] == 230) & (qc[..., 2] == 255)).sum() > 200


def test_bad_inputs(tmp_path: Path) -> None:
    grey = tmp_path / "grey.tif"
    tifffile.imwrite(grey, np.zeros((50, 60), np.uint8))
    with pytest.raises(InputError, match="colour"):
        measure_ttc_slices([grey], pixel_size_mm=0.1)
    blank = np.full((100, 120, 3), 30, np.uint8)
    with pytest.raises(InputError, match="slice"):
        analyse_ttc_image(blank, pixel_size_mm=0.1)
    img, _ = _drawn_slice()
    png = tmp_path / "noscale.png"
    PILImage.fromarray(img).save(png)
    with pytest.raises(InputError, match="pixel size") as exc:
        measure_ttc_slices([png])
    assert str(png) in str(exc.value)
    with pytest.raises(InputError, match="at least one image"):
        measure_ttc_slices([])
    with pytest.raises(InputError, match="left or right"):
        measure_ttc_slices([img], pixel_size_mm=0.1, lesion_side="up")


def test_scale_bar_sets_pixel_size() -> None:
    """A 10 mm bar drawn in the synthetic photo (0.05 mm pixels; 2 x 2 analysis blocks): the
    bar is known to one analysis pixel (0.1 mm of 10 mm), so the pixel size within 1.5 %."""
    p = make_ttc_plate(5, pixel_size_mm=0.05, n_slices=3, scale_bar_mm=10.0)
    m = measure_ttc_slices([p.image], scale_bar_mm=10.0)
    assert m.analyses[0].pixel_size_mm == pytest.approx(0.05, rel=0.015)
    assert m.slices["contralateral_area_mm2"].sum() == pytest.approx(
        p.truth["contralateral_area_mm2"].sum(), rel=0.035
    )
    with pytest.raises(InputError, match="both"):
        measure_ttc_slices([p.image], scale_bar_mm=10.0, pixel_size_mm=0.05)
    plain = make_ttc_plate(5, pixel_size_mm=0.1, n_slices=3)
    with pytest.raises(InputError, match="scale bar"):
        measure_ttc_slices([plain.image], scale_bar_mm=10.0)


def test_pixel_size_far_from_metadata_is_warned(tmp_path: Path) -> None:
    """A given pixel size more than 2x off the file's metadata is warned (file, both values) and
    used; within 2x, or a 72/96 dpi screen default in the file, says nothing."""
    img, counts = _drawn_slice()
    path = tmp_path / "scaled.png"
    PILImage.fromarray(img).save(path, dpi=(254, 254))  # 0.1 mm per pixel in the metadata
    with pytest.warns(InputWarning) as rec:
        a = analyse_ttc_image(path, pixel_size_mm=0.01)
    (w,) = [str(r.message) for r in rec]
    assert str(path) in w and "0.01 mm" in w and "0.1 mm" in w
    row = a.slices.iloc[0]
    assert row.left_area_mm2 == pytest.approx(counts["left"] * 0.01**2, rel=1e-3)  # the given one
    for given in (0.06, 0.19):  # within 2x
        with warnings.catch_warnings():
            warnings.simplefilter("error", InputWarning)
            analyse_ttc_image(path, pixel_size_mm=given)
    for dpi in (72, 96):
        PILImage.fromarray(img).save(path, dpi=(dpi, dpi))
        with warnings.catch_warnings():
            warnings.simplefilter("error", InputWarning)
            analyse_ttc_image(path, pixel_size_mm=0.01)
