"""ROI JSON parsing and masks (analytic: rectangles and straight bands of known area/length)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from neuroprotect.errors import InputError
from neuroprotect.histology.roi import parse_roi, read_roi, region_masks


def test_forms_and_masks(tmp_path):
    poly = parse_roi([[10, 20], [29, 20], [29, 49], [10, 49]])[0]
    assert poly.kind == "polygon" and poly.name == "roi"
    m = poly.mask((100, 100), pixel_size_um=1)
    assert m.sum() == 20 * 30  # x 10..29, y 20..49 inclusive
    assert m[20, 10] and not m[19, 10] and not m[20, 30]
    band = parse_roi({"polyline": [[10, 50], [90, 50]], "width_um": 10, "name": "CA1"})[0]
    assert band.length_mm(pixel_size_um=2.0) == pytest.approx(80 * 2 / 1000)
    bm = band.mask((100, 100), pixel_size_um=2.0)  # half width 2.5 px -> rows 48..52
    assert set(np.nonzero(bm[:, 50])[0]) == {48, 49, 50, 51, 52}
    path = tmp_path / "r.json"
    path.write_text(
        json.dumps(
            {
                "regions": [
                    {"polygon": [[0, 0], [5, 0], [5, 5]]},
                    {"name": "b", "polyline": [[0, 0], [3, 4]], "width_um": 1},
                ]
            }
        )
    )
    regions = read_roi(path)
    assert [r.name for r in regions] == ["region_1", "b"]
    assert regions[1].length_mm(pixel_size_um=1000) == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("obj", "match"),
    [
        ([[0, 0], [1, 1]], "polygon"),
        ({"polyline": [[0, 0], [1, 1]]}, "width_um"),
        ({"polyline": [[0, 0]], "width_um": 3}, "polyline"),
        ({"polygon": [[0, 0], [1, 0], [1, 1]], "polyline": [[0, 0], [1, 1]]}, "exactly one"),
        ({"polygon": [[0, 0], [1, 0], [1, 1]], "colour": "red"}, "colour"),
        ({"regions": []}, "non-empty"),
        ({"regions": [{"name": "a", "polygon": [[0, 0], [1, 0], [1, 1]]}] * 2}, "unique"),
        ("text", "polygon"),
        ([["a", 1], [2, 3], [4, 5]], "polygon"),
    ],
)
def test_bad_roi(obj, match):
    with pytest.raises(InputError, match=match):
        parse_roi(obj)


def test_read_roi_errors(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_roi(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="ROI JSON"):
        read_roi(bad)


def test_region_entirely_outside_the_image_is_an_error(tmp_path):
    path = tmp_path / "ca1.json"
    path.write_text(json.dumps({"name": "CA1", "polygon": [[500, 10], [600, 10], [600, 90]]}))
    regions = read_roi(path)
    with pytest.raises(InputError) as info:
        region_masks(regions, (100, 200), pixel_size_um=1.0, file="section.png")
    msg = str(info.value)
    assert msg.startswith("section.png, field 'roi': Expected ROI 'CA1' (")
    assert "ca1.json" in msg and "200 x 100 pixels" in msg and "x 500 to 600" in msg


def test_region_partly_outside_is_clipped_with_a_warning():
    poly, band = parse_roi(
        {
            "regions": [
                {"name": "a", "polygon": [[-50, 0], [49, 0], [49, 9], [-50, 9]]},
                {"name": "CA1", "polyline": [[10, 50], [290, 50]], "width_um": 2},
            ]
        }
    )
    (m_poly, m_band), warnings = region_masks(
        [poly, band], (100, 200), pixel_size_um=1.0, file="s.png"
    )
    assert m_poly.sum() == 50 * 10  # x 0..49 inside, y 0..9
    assert len(warnings) == 2 and all("partly outside" in w for w in warnings)
    assert "'CA1'" in warnings[1] and warnings[1].startswith("s.png:")
    # only the polyline inside the image (x 10 to the right edge, 199.5) has countable cells
    assert band.length_mm(pixel_size_um=1.0, shape=(100, 200)) == pytest.approx(189.5 / 1000)
    assert band.length_mm(pixel_size_um=1.0) == pytest.approx(280 / 1000)


def test_region_inside_the_image_gives_no_warning():
    whole = parse_roi([[0, 0], [200, 0], [200, 100], [0, 100]])  # ImageJ pixel-edge outline
    _, warnings = region_masks(whole, (100, 200), pixel_size_um=1.0)
    assert warnings == []
