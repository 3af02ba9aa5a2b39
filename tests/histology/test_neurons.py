"""Nissl neuron counts: analytic drawn disks, seeded synthetic ground truth, bad input.

Expected values: (1) analytic: disks of known number and pixel area drawn with the
cresyl-violet OD vector; (2) synthetic ground truth from
neuroprotect.datasets.synthetic_cells, with tolerances set from the validation figures in
docs/histology-validation-cells.md (seeds 1000-1009: scattered F1 >= 0.975, count error
worst -3.3 %; CA1 F1 >= 0.903, count error -8.6 % mean, worst -15.5 %).
"""

from __future__ import annotations

import numpy as np
import pytest
from tests.histology._images import grid, nissl_disks

from neuroprotect.datasets.synthetic_cells import make_nissl_image
from neuroprotect.errors import InputError
from neuroprotect.histology.neurons import count_neurons, estimate_stain_vector
from neuroprotect.histology.roi import Region
from neuroprotect.histology.validation import score_detections

PS = 0.5  # µm per pixel
R = 16.0  # px = 8 µm radius


def test_drawn_disks_count_area_and_density():
    """Analytic: 12 separated disks; count exact, areas within 3 % of the drawn pixel area."""
    centres = grid(4, 3, step=100, start=60)
    rgb, labels = nissl_disks((320, 420), centres, R)
    res = count_neurons(rgb, pixel_size_um=PS)
    assert res.count == 12
    true_area = np.bincount(labels.ravel())[1:] * PS**2
    got = res.cells.sort_values(["y", "x"])["area_um2"].to_numpy()
    np.testing.assert_allclose(got, true_area, rtol=0.03)
    area_mm2 = 320 * 420 * PS**2 / 1e6
    assert res.area_mm2 == pytest.approx(area_mm2)
    assert res.density_per_mm2 == pytest.approx(12 / area_mm2)
    xy = np.array(centres)
    sc = score_detections(res.cells[["x", "y"]].to_numpy(), xy, radius_px=2)
    assert sc.tp == 12
    assert res.labels is not None and res.labels.max() > 0


def test_touching_pair_is_split():
    """Analytic: two disks overlapping (centres 1.6 r apart) are two cells."""
    rgb, _ = nissl_disks((200, 200), [(75, 100), (75 + 1.6 * R, 100)], R)
    res = count_neurons(rgb, pixel_size_um=PS)
    assert res.count == 2


def test_polygon_roi_counts_cells_by_centroid():
    """Analytic: 6 disks left, 6 right; a rectangle over the left half counts 6."""
    centres = grid(4, 3, step=100, start=60)
    rgb, _ = nissl_disks((320, 420), centres, R)
    left = Region("left", "polygon", np.array([[0, 0], [209, 0], [209, 319], [0, 319]], float))
    res = count_neurons(rgb, pixel_size_um=PS, roi=[left])
    assert res.count == 6
    area_px = 210 * 320  # polygon2mask includes both edges
    assert res.regions.loc[0, "area_mm2"] == pytest.approx(area_px * PS**2 / 1e6, rel=0.01)
    assert res.regions.loc[0, "density_per_mm2"] == pytest.approx(6 / res.area_mm2)
    assert np.isnan(res.regions.loc[0, "neurons_per_mm"])


def test_band_roi_neurons_per_mm():
    """Analytic: 5 disks on a horizontal line; band of 40 µm along a 460 px polyline."""
    centres = [(60 + 90 * i, 100) for i in range(5)] + [(100, 30)]
    rgb, _ = nissl_disks((200, 500), centres, R)
    band = Region("CA1", "band", np.array([[20, 100], [480, 100]], float), 40.0)
    res = count_neurons(rgb, pixel_size_um=PS, roi=[band])
    row = res.regions.iloc[0]
    assert row["count"] == 5
    assert row["length_mm"] == pytest.approx(460 * PS / 1000)
    assert row["neurons_per_mm"] == pytest.approx(5 / (460 * PS / 1000))


def test_small_and_elongated_objects_rejected():
    """Analytic: glia-sized disks (r = 2.5 µm) are too small; a 1.5 µm wide streak is dropped."""
    rgb, _ = nissl_disks((200, 300), [(60, 60), (150, 60)], R)
    small, _ = nissl_disks((200, 300), [(60, 150), (220, 150)], 5.0)
    rgb = np.minimum(rgb, small)
    rgb[20:24, 180:290] = np.minimum(rgb[20:24, 180:290], nissl_disks((4, 110), [(55, 2)], 60)[0])
    res = count_neurons(rgb, pixel_size_um=PS)
    assert res.count == 2
    assert (res.rejected["reason"] == "too_small").sum() >= 2


def test_blank_image_has_no_cells():
    """A flat neuropil with camera noise: the noise floor keeps Otsu from splitting it."""
    rng = np.random.default_rng(3)
    rgb = np.clip(rng.normal(200, 3, size=(256, 256, 3)), 0, 255).astype(np.uint8)
    assert count_neurons(rgb, pixel_size_um=PS).count == 0


@pytest.mark.parametrize(
    ("layout", "n", "min_f1", "err_range"),
    [("scattered", 60, 0.95, (-8.0, 4.0)), ("ca1", 90, 0.88, (-20.0, 4.0))],
)
def test_synthetic_ground_truth(layout, n, min_f1, err_range):
    """Seeded synthetic Nissl (seed 7): F1 and count error within the validated ranges."""
    s = make_nissl_image(seed=7, layout=layout, n_neurons=n)
    res = count_neurons(s.image, pixel_size_um=s.pixel_size_um)
    sc = score_detections(
        res.cells[["x", "y"]].to_numpy(), s.cells[["x", "y"]].to_numpy(), radius_px=15
    )
    assert sc.f1 >= min_f1
    assert err_range[0] <= sc.count_error_pct <= err_range[1]
    matched = res.cells["area_um2"].to_numpy()[sc.matched_pred]
    truth = s.cells["visible_area_um2"].to_numpy()[sc.matched_true]
    assert abs(np.median((matched - truth) / truth)) < 0.05


def test_tiled_matches_whole_image(tmp_path):
    """Tiles (with margins) give the same cells as one pass, also from a memmap."""
    s = make_nissl_image(seed=11, shape=(600, 600), n_neurons=80)
    whole = count_neurons(s.image, pixel_size_um=PS, threshold=0.25)
    mm = np.lib.format.open_memmap(
        tmp_path / "img.npy", mode="w+", shape=s.image.shape, dtype=np.uint8
    )
    mm[:] = s.image
    tiled = count_neurons(mm, pixel_size_um=PS, threshold=0.25, tile_size=256)
    assert tiled.labels is None and tiled.method["tiles"] == 9
    assert abs(tiled.count - whole.count) <= 2
    sc = score_detections(
        tiled.cells[["x", "y"]].to_numpy(), whole.cells[["x", "y"]].to_numpy(), radius_px=3
    )
    assert sc.f1 > 0.97


def test_stain_options_and_estimate():
    """The estimated vector of pure cresyl-violet disks is the drawing vector."""
    from tests.histology._images import CV

    from neuroprotect.histology._cells import optical_density

    rgb, _ = nissl_disks((200, 200), [(60, 60), (140, 140)], R)
    vec = estimate_stain_vector(optical_density(rgb))
    np.testing.assert_allclose(vec, CV, atol=0.01)
    for stain in ("cresyl_violet", "hematoxylin", 1, (0.5, 0.8, 0.3)):
        assert count_neurons(rgb, pixel_size_um=PS, stain=stain).count == 2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"pixel_size_um": 0}, "pixel size"),
        ({"pixel_size_um": PS, "min_area_um2": 500, "max_area_um2": 100}, "min_area_um2"),
        ({"pixel_size_um": PS, "stain": "eosin"}, "stain"),
        ({"pixel_size_um": PS, "stain": 3}, "channel"),
        ({"pixel_size_um": PS, "cell_diameter_um": -1}, "cell_diameter_um"),
        ({"pixel_size_um": PS, "backend": "magic"}, "backend"),
    ],
)
def test_bad_parameters(kwargs, match):
    rgb, _ = nissl_disks((64, 64), [(32, 32)], 8)
    with pytest.raises(InputError, match=match):
        count_neurons(rgb, **kwargs)


def test_bad_image():
    with pytest.raises(InputError, match="RGB image"):
        count_neurons(np.zeros((50, 50)), pixel_size_um=PS)
    with pytest.raises(InputError, match="finite"):
        count_neurons(np.full((50, 50, 3), np.nan), pixel_size_um=PS)


@pytest.mark.parametrize("backend", ["stardist", "cellpose"])
def test_optional_backends_fail_clearly(backend, tmp_path):
    """Not installed (or no weights): a one-line InputError, never a download."""
    rgb, _ = nissl_disks((64, 64), [(32, 32)], 8)
    with pytest.raises(InputError, match=backend):
        count_neurons(rgb, pixel_size_um=PS, backend=backend, model_path=tmp_path / "none")


@pytest.mark.parametrize("radius_px", [8, 12, 16, 20])
def test_evenly_stained_disks_of_other_sizes_stay_whole(radius_px):
    """Analytic: 12 flat disks from 0.5x to 1.33x the expected radius (15 px) count as 12."""
    rgb, _ = nissl_disks((320, 420), grid(4, 3, step=100, start=60), radius_px)
    res = count_neurons(rgb, pixel_size_um=PS, min_area_um2=10, max_area_um2=2000)
    assert res.count == 12


@pytest.mark.parametrize("diameter", [2.0, 80.0])
def test_implausible_cell_diameter_is_a_warning(diameter):
    """A soma diameter outside 4-60 µm is warned (value named), not refused: glia are counted
    too."""
    rgb, _ = nissl_disks((320, 420), grid(4, 3, step=100, start=60), R)
    res = count_neurons(rgb, pixel_size_um=PS, cell_diameter_um=diameter, file="s1.png")
    assert any(w.startswith("s1.png:") and f"{diameter:g} µm" in w for w in res.warnings)
    assert not any("cell diameter" in w for w in count_neurons(rgb, pixel_size_um=PS).warnings)


def test_region_without_neurons_is_warned():
    """0 neurons in a region with room for >= 20 somata is warned (region named); a region too
    small for 20 somata, or one with neurons, is not."""
    rgb, _ = nissl_disks((320, 420), grid(2, 3, step=100, start=60), R)  # disks at x 60, 160
    right = Region(
        "right", "polygon", np.array([[260, 0], [419, 0], [419, 319], [260, 319]], float)
    )
    tiny = Region("tiny", "polygon", np.array([[300, 10], [330, 10], [330, 40], [300, 40]], float))
    left = Region("left", "polygon", np.array([[0, 0], [209, 0], [209, 319], [0, 319]], float))
    res = count_neurons(rgb, pixel_size_um=PS, roi=[right, tiny, left])
    assert list(res.regions["count"]) == [0, 0, 6]
    (w,) = res.warnings
    assert "no neurons detected in region 'right'" in w


def test_dark_cap_of_a_pale_soma_is_grown_but_a_lone_nucleus_is_not():
    """Drawn signal (exact reference: the drawn disks). A pale soma (radius 10 px, 0.6 x the
    threshold) with a dark cap (radius 3 px) is grown to about its drawn area, so the area filter
    keeps it; a dark glial nucleus of the same size on clear neuropil stays as drawn."""
    from neuroprotect.histology.nissl_stain import grow_fragments

    yy, xx = np.mgrid[:80, :120]
    sig = np.zeros((80, 120), np.float32)
    sig[(yy - 40) ** 2 + (xx - 30) ** 2 <= 10**2] = 0.6
    cap = (yy - 40) ** 2 + (xx - 34) ** 2 <= 3**2
    nucleus = (yy - 40) ** 2 + (xx - 90) ** 2 <= 3**2
    sig[cap | nucleus] = 2.0
    labels = np.zeros((80, 120), np.int32)
    labels[cap], labels[nucleus] = 1, 2
    min_area = 0.5 * np.pi * 10**2
    grown = grow_fragments(labels, sig, radius_px=10, threshold=1.0, min_area_px=min_area)
    assert (grown == 1).sum() >= min_area  # the soma passes the area filter
    assert (grown == 1).sum() <= np.pi * 11**2
    assert (grown == 2).sum() == nucleus.sum()
    big = np.where(labels == 1, 1, 0).astype(np.int32)
    big[(yy - 40) ** 2 + (xx - 30) ** 2 <= 10**2] = 1
    assert (
        grow_fragments(big, sig, radius_px=10, threshold=1.0, min_area_px=min_area) == big
    ).all()
