"""DAB IHC: analytic deconvolution, seeded synthetic truth, scikit-image's real IHC image.

Expected values: (1) analytic: images rendered by Beer-Lambert from scikit-image's
Ruifrok-Johnston haematoxylin and DAB vectors with known optical densities and areas;
(2) synthetic ground truth (neuroprotect.datasets.synthetic_cells), tolerances from
docs/histology-validation-cells.md (seeds 1000-1009: area error < 0.005 percentage points; mean
OD error +0.024 to +0.034 without and < 0.012 with a flat field); (3) smoke test on
skimage.data.immunohistochemistry() (CC0, bundled with scikit-image): DAB-stained epithelium
vs unstained stroma, regions picked by eye.
"""

from __future__ import annotations

import numpy as np
import pytest
import skimage.data
from tests.histology._images import DAB_VEC, H_VEC, brightfield, disk_mask

from neuroprotect.datasets.synthetic_cells import make_dab_image
from neuroprotect.errors import InputError
from neuroprotect.histology.ihc import deconvolve_hdab, measure_dab
from neuroprotect.histology.roi import parse_roi

PS = 0.5


def test_deconvolution_recovers_known_densities():
    """Analytic: a patch with H = 0.3 and DAB = 0.4 OD deconvolves to those values."""
    h = np.full((40, 40), 0.3)
    d = np.full((40, 40), 0.4)
    od = h[..., None] * H_VEC + d[..., None] * DAB_VEC
    rgb = brightfield(od)
    got_h, got_d = deconvolve_hdab(rgb, white=(255, 255, 255))
    assert float(got_h.mean()) == pytest.approx(0.3, abs=0.01)
    assert float(got_d.mean()) == pytest.approx(0.4, abs=0.01)


def test_positive_area_and_mean_od_of_drawn_disks():
    """Analytic: 4 DAB disks (OD 0.5) and 6 haematoxylin nuclei on white."""
    dab = disk_mask((300, 300), [(60, 60), (200, 80), (90, 220), (230, 230)], 25) > 0
    nuclei = (
        disk_mask(
            (300, 300), [(150, 150), (30, 150), (270, 150), (150, 30), (150, 270), (20, 280)], 8
        )
        > 0
    )
    od = (
        np.where(dab, 0.5, 0.0)[..., None] * DAB_VEC + np.where(nuclei, 0.5, 0.0)[..., None] * H_VEC
    )
    res = measure_dab(brightfield(od), pixel_size_um=PS)
    assert res.positive_area_pct == pytest.approx(100 * dab.mean(), abs=0.05)
    assert res.mean_dab_od == pytest.approx(0.5 * dab.mean(), abs=0.005)
    row = res.regions.iloc[0]
    assert row["mean_dab_od_positive"] == pytest.approx(0.5, abs=0.01)
    assert row["positive_area_mm2"] == pytest.approx(dab.sum() * PS**2 / 1e6, rel=0.01)


@pytest.mark.parametrize(("seed", "patch"), [(3, 0.0), (4, 0.1)])
def test_synthetic_ground_truth(seed, patch):
    s = make_dab_image(seed=seed, patch_fraction=patch, n_positive_cells=0 if patch == 0 else 25)
    res = measure_dab(s.image, pixel_size_um=s.pixel_size_um)
    assert res.positive_area_pct == pytest.approx(s.positive_area_pct, abs=0.05)
    bias = res.mean_dab_od - float(s.dab_od.mean())
    assert 0.0 < bias < 0.045  # uneven illumination adds OD (documented)
    flat = measure_dab(s.image, pixel_size_um=s.pixel_size_um, flat_field=s.flat_field)
    assert abs(flat.mean_dab_od - float(s.dab_od.mean())) < 0.015


def test_real_ihc_image_epithelium_vs_stroma():
    """Smoke test on scikit-image's bundled IHC image (no download)."""
    img = skimage.data.immunohistochemistry()
    rois = parse_roi(
        {
            "regions": [
                {"name": "epithelium", "polygon": [[20, 20], [120, 20], [120, 120], [20, 120]]},
                {"name": "stroma", "polygon": [[440, 300], [500, 300], [500, 480], [440, 480]]},
            ]
        }
    )
    res = measure_dab(img, pixel_size_um=PS, roi=rois).regions.set_index("region")
    assert res.loc["epithelium", "positive_area_pct"] > 95
    assert res.loc["stroma", "positive_area_pct"] < 2
    assert res.loc["epithelium", "mean_dab_od"] > 5 * res.loc["stroma", "mean_dab_od"]
    whole = measure_dab(img, pixel_size_um=PS)
    assert 40 < whole.positive_area_pct < 75


def test_otsu_option_and_bad_input():
    img = skimage.data.immunohistochemistry()
    res = measure_dab(img, pixel_size_um=PS, threshold="otsu")
    assert 0.05 < res.threshold_od < 1.0
    with pytest.raises(InputError, match="threshold"):
        measure_dab(img, pixel_size_um=PS, threshold=-0.1)
    with pytest.raises(InputError, match="threshold"):
        measure_dab(img, pixel_size_um=PS, threshold="li")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="flat-field"):
        measure_dab(img, pixel_size_um=PS, flat_field=img[:10])
    with pytest.raises(InputError, match="RGB"):
        measure_dab(img[..., 0], pixel_size_um=PS)


def test_threshold_in_intensity_units_is_an_error():
    """150 (an ImageJ 0-255 threshold) as an OD would silently give 0 % positive area."""
    img = skimage.data.immunohistochemistry()
    with pytest.raises(InputError, match=r"optical density .* but got 150: a 0-255 intensity"):
        measure_dab(img, pixel_size_um=PS, threshold=150)
    assert measure_dab(img, pixel_size_um=PS, threshold=5).threshold_od == 5
