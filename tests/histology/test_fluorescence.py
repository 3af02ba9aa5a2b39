"""TUNEL / IF positive nuclei: analytic drawn nuclei, seeded synthetic truth, bad input.

Expected values: (1) analytic: nuclei drawn as disks in the nuclear channel, a known subset also
in the marker channel; (2) synthetic ground truth (neuroprotect.datasets.synthetic_cells) with
tolerances from docs/histology-validation-cells.md (seeds 1000-1009: positive % error at most
2.8 percentage points with positives, 6.4 without; nuclei F1 >= 0.88).
"""

from __future__ import annotations

import numpy as np
import pytest
from tests.histology._images import disk_mask, grid

from neuroprotect.datasets.synthetic_cells import make_fluorescence_image
from neuroprotect.errors import InputError
from neuroprotect.histology.fluorescence import count_positive_nuclei
from neuroprotect.histology.roi import Region
from neuroprotect.histology.validation import score_detections

PS = 0.5
R = 9.0  # px = 4.5 µm radius


def _two_channel(positive: list[bool], *, seed: int = 0) -> tuple[np.ndarray, list]:
    centres = grid(5, 4, step=50, start=30)[: len(positive)]
    labels = disk_mask((220, 270), centres, R)
    rng = np.random.default_rng(seed)
    nuc = 100 + 1000 * (labels > 0) + rng.normal(0, 5, labels.shape)
    pos_ids = [k + 1 for k, p in enumerate(positive) if p]
    mark = 80 + 600 * np.isin(labels, pos_ids) + 20 * (labels > 0) + rng.normal(0, 5, labels.shape)
    return np.stack([nuc, mark], axis=-1).astype(np.uint16), centres


def test_drawn_nuclei_positive_fraction():
    """Analytic: 20 nuclei, 7 marker-positive -> 35 %."""
    positive = [k % 3 == 0 for k in range(20)]
    img, centres = _two_channel(positive)
    res = count_positive_nuclei(img, pixel_size_um=PS)
    assert res.n_nuclei == 20
    assert res.n_positive == 7
    assert res.positive_pct == pytest.approx(35.0)
    sc = score_detections(res.nuclei[["x", "y"]].to_numpy(), np.array(centres), radius_px=2)
    calls = res.nuclei["positive"].to_numpy()[sc.matched_pred]
    assert list(calls) == [positive[j] for j in sc.matched_true]
    area = np.pi * R**2 * PS**2
    np.testing.assert_allclose(res.nuclei["area_um2"], area, rtol=0.05)


def test_no_positives_auto_vs_otsu():
    """'auto' keeps an all-negative field at 0 %; plain Otsu splits it (documented)."""
    img, _ = _two_channel([False] * 20, seed=1)
    assert count_positive_nuclei(img, pixel_size_um=PS).n_positive == 0
    assert count_positive_nuclei(img, pixel_size_um=PS, marker_threshold="otsu").n_positive > 0


def test_user_threshold_and_channel_order():
    positive = [k < 5 for k in range(20)]
    img, _ = _two_channel(positive)
    swapped = img[..., ::-1]
    res = count_positive_nuclei(
        swapped, pixel_size_um=PS, nuclear_channel=1, marker_channel=0, marker_threshold=300.0
    )
    assert (res.n_nuclei, res.n_positive) == (20, 5)
    assert res.marker_threshold == 300.0
    none = count_positive_nuclei(img, pixel_size_um=PS, marker_threshold=5000.0)
    assert none.n_positive == 0


def test_regions_summaries():
    """Two rectangles: left 3 columns of nuclei, right 2 columns."""
    positive = [k % 5 == 0 for k in range(20)]  # column 0 positive
    img, _ = _two_channel(positive)
    left = Region("left", "polygon", np.array([[0, 0], [154, 0], [154, 219], [0, 219]], float))
    right = Region(
        "right", "polygon", np.array([[155, 0], [269, 0], [269, 219], [155, 219]], float)
    )
    res = count_positive_nuclei(img, pixel_size_um=PS, roi=[left, right])
    t = res.regions.set_index("region")
    assert t.loc["left", "n_nuclei"] == 12 and t.loc["left", "n_positive"] == 4
    assert t.loc["right", "n_nuclei"] == 8 and t.loc["right", "n_positive"] == 0
    assert t.loc["left", "positive_pct"] == pytest.approx(100 * 4 / 12)
    assert t.loc["left", "positive_per_mm2"] == pytest.approx(4 / t.loc["left", "area_mm2"])
    assert res.n_nuclei == 20


@pytest.mark.parametrize(("seed", "fraction"), [(5, 0.0), (6, 0.2), (7, 0.6)])
def test_synthetic_ground_truth(seed, fraction):
    s = make_fluorescence_image(seed=seed, positive_fraction=fraction)
    res = count_positive_nuclei(s.image, pixel_size_um=s.pixel_size_um)
    truth = 100 * s.cells["positive"].mean()
    assert abs(res.positive_pct - truth) <= 5.0
    sc = score_detections(
        res.nuclei[["x", "y"]].to_numpy(), s.cells[["x", "y"]].to_numpy(), radius_px=5
    )
    assert sc.f1 >= 0.92


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"nuclear_channel": 0, "marker_channel": 0}, "different"),
        ({"marker_channel": 2}, "between 0 and 1"),
        ({"marker_threshold": "li"}, "marker_threshold"),
        ({"min_area_um2": 50, "max_area_um2": 10}, "min_area_um2"),
        ({"pixel_size_um": -1}, "pixel size"),
    ],
)
def test_bad_parameters(kwargs, match):
    img, _ = _two_channel([True, False])
    args = {"pixel_size_um": PS, **kwargs}
    with pytest.raises(InputError, match=match):
        count_positive_nuclei(img, **args)


def test_single_channel_image_rejected():
    with pytest.raises(InputError, match="multi-channel"):
        count_positive_nuclei(np.zeros((40, 40)), pixel_size_um=PS)


def test_no_nuclei_is_warned_not_a_silent_nan():
    """A pixel size given in nm instead of µm (500 for 0.5): every nucleus is too large, none
    is kept, and the NA % positive comes with a warning saying why to look."""
    img, _ = _two_channel([True] * 5 + [False] * 15)
    res = count_positive_nuclei(img, pixel_size_um=1000 * PS)
    assert res.n_nuclei == 0 and np.isnan(res.positive_pct)
    assert any("image: no nuclei found" in w and "pixel size" in w for w in res.warnings)
    assert not count_positive_nuclei(img, pixel_size_um=PS).warnings
