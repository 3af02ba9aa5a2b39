"""Y-maze arms YAML: polygons, symmetric geometry, unit conversion, one-line errors."""

from __future__ import annotations

import numpy as np
import pytest

from neuroprotect.behavior.readers.zones import read_y_maze_arms
from neuroprotect.behavior.y_maze import make_y_maze_arms
from neuroprotect.errors import InputError


def test_polygons_scaled_to_cm(tmp_path):
    f = tmp_path / "arms.yaml"
    f.write_text(
        "type: y_maze\ncm_per_unit: 0.5\narms:\n"
        "  1: [[0, 0], [10, 0], [10, 10], [0, 10]]\n"
        "  2: [[20, 0], [30, 0], [30, 10]]\n"
        "centre: [[0, 0], [2, 0], [0, 2]]\n"
    )
    arms, centre = read_y_maze_arms(f)
    assert sorted(arms) == ["1", "2"]
    assert arms["1"][2] == (5.0, 5.0)
    assert centre == [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)]


def test_geometry_form_matches_make_y_maze_arms(tmp_path):
    f = tmp_path / "arms.yaml"
    f.write_text("type: y_maze\ncentre_point: [10, 20]\narm_length: 35\narm_width: 8\n")
    arms, centre = read_y_maze_arms(f)
    expected, expected_centre = make_y_maze_arms(centre=(10, 20), arm_length_cm=35, arm_width_cm=8)
    for k in "ABC":
        np.testing.assert_allclose(arms[k], expected[k])
    np.testing.assert_allclose(centre, expected_centre)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("type: water_maze\n", "type"),
        ("arms: {A: [[0, 0], [1, 1]], B: [[0, 0], [1, 0], [0, 1]]}\n", "arms.A"),
        ("arms: {AB: [[0, 0], [1, 0], [0, 1]], C: [[0, 0], [1, 0], [0, 1]]}\n", "arms"),
        ("arm_length: 35\narm_width: -1\n", "arm_width"),
        ("cm_per_unit: 0\narms: {}\n", "cm_per_unit"),
    ],
)
def test_errors(tmp_path, text, field):
    f = tmp_path / "arms.yaml"
    f.write_text(text)
    with pytest.raises(InputError) as err:
        read_y_maze_arms(f)
    assert err.value.field == field
    assert err.value.file == str(f)
