"""Arena files: YAML and Rtrack arena descriptions."""

from __future__ import annotations

import pytest
from tests.conftest import shared_data

from neuroprotect.behavior.arena import ArenaOpenField, ArenaWaterMaze, ArenaYMaze, load_arena
from neuroprotect.errors import InputError


def test_yaml_water_maze_and_others(tmp_path):
    f = tmp_path / "a.yaml"
    f.write_text(
        "type: water_maze\ncm_per_unit: 0.5\npool: {x: 100, y: 100, radius: 100}\n"
        "goal: {x: 46.2, y: 113.4, radius: 7.6}\nold_goal: null\n"
    )
    a = load_arena(f)
    assert isinstance(a, ArenaWaterMaze) and a.cm_per_unit == 0.5 and a.old_goal is None
    assert a.goal.x == 46.2
    f.write_text("type: y_maze\narms:\n  A: [[0,0],[1,0],[1,5]]\n  B: [[0,0],[-1,0],[-1,5]]\n")
    assert isinstance(load_arena(f), ArenaYMaze)
    f.write_text("type: open_field\nbounds: {x_min: 0, y_min: 0, x_max: 40, y_max: 40}\n")
    assert isinstance(load_arena(f), ArenaOpenField)
    f.write_text("type: water_maze\npool: {x: 1, y: 1}\ngoal: {x: 1, y: 1, radius: 1}\n")
    with pytest.raises(InputError, match="field 'pool'.*radius"):
        load_arena(f)


def test_rtrack_arena_files():
    base = shared_data("behavior", "rtrack_extdata")
    a = load_arena(base / "Arena.txt")
    assert (a.pool.x, a.pool.y, a.pool.radius) == (133.655, 103.5381, 95.0)
    assert (a.goal.x, a.goal.y, a.goal.radius) == (121.8934, 154.6834, 10.0)
    assert load_arena(base / "Arena_SW.txt").trial_length_s == 120
