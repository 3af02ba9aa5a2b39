"""``neuroprotect behavior water-maze`` and ``strategies``: JSON fields and one-line errors."""

from __future__ import annotations

import json

import pytest
from tests.conftest import shared_data
from typer.testing import CliRunner

from neuroprotect.cli.main import app

runner = CliRunner()

REQUIRED = {
    "trial_id",
    "source_file",
    "escape_latency_s",
    "goal_reached",
    "path_length_cm",
    "mean_speed_cm_s",
    "mean_distance_to_goal_cm",
    "initial_heading_error_deg",
    "time_in_target_quadrant_pct",
    "goal_crossings",
    "time_in_wall_zone_pct",
    "strategy",
    "strategy_confidence",
}


def test_water_maze_json_matches_rtrack():
    """Reference: Rtrack 2.0.4 for Track_1.tab: latency 14.64 s, path 335.07 cm, 1 goal crossing."""
    base = shared_data("behavior", "rtrack_extdata")
    res = runner.invoke(
        app,
        [
            "behavior",
            "water-maze",
            str(base / "Track_1.tab"),
            "--arena",
            str(base / "Arena.txt"),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["rows"]
    assert REQUIRED <= set(rows[0])
    assert rows[0]["escape_latency_s"] == 14.64 and rows[0]["goal_reached"] is True
    assert rows[0]["path_length_cm"] == pytest.approx(335.0677, rel=1e-3)
    assert rows[0]["goal_crossings"] == 1 and rows[0]["strategy_confidence"] is None


def test_strategies_json_rows(tmp_path):
    base = shared_data("behavior", "rtrack_extdata")
    args = [
        "behavior",
        "strategies",
        str(base / "Track_1_ethovision3.csv"),
        "--arena",
        str(base / "Arena.txt"),
    ]
    res = runner.invoke(app, [*args, "--scheme", "gehring2015", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["rows"]
    assert set(rows[0]) == {
        "trial_id",
        "source_file",
        "segment",
        "offset_cm",
        "length_cm",
        "strategy",
        "best_guess",
        "confidence",
    }
    assert [r["segment"] for r in rows] == list(range(len(rows)))
    res = runner.invoke(app, [*args, "--json"])
    assert json.loads(res.stdout)["rows"][0]["strategy"] == "random search"
    res = runner.invoke(app, [*args, "--scheme", "nope"])
    assert res.exit_code == 2 and "Expected a scheme" in res.output


def test_readable_error_for_wrong_arena(tmp_path):
    base = shared_data("behavior", "rtrack_extdata")
    arena = tmp_path / "a.yaml"
    arena.write_text(
        "type: water_maze\npool: {x: 0, y: 0, radius: 10}\ngoal: {x: 1, y: 1, radius: 1}\n"
    )
    res = runner.invoke(
        app, ["behavior", "water-maze", str(base / "Track_1.tab"), "--arena", str(arena)]
    )
    assert res.exit_code == 2
    assert "radii from the centre" in res.output and "Traceback" not in res.output


def test_water_maze_plot_dir(tmp_path):
    base = shared_data("behavior", "rtrack_extdata")
    args = ["behavior", "water-maze", str(base / "Track_1.tab"), "--arena", str(base / "Arena.txt")]
    res = runner.invoke(app, [*args, "--plot-dir", str(tmp_path / "figs")])
    assert res.exit_code == 0, res.output
    for name in ("swim_paths.png", "occupancy.png"):
        assert (tmp_path / "figs" / name).read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("command", ["water-maze", "strategies"])
def test_track_outside_the_pool_names_its_file(tmp_path, command):
    arena = tmp_path / "arena.yaml"
    arena.write_text(
        "type: water_maze\npool: {x: 0, y: 0, radius: 100}\ngoal: {x: 30, y: 30, radius: 10}\n"
    )
    ok, far = tmp_path / "rat1.csv", tmp_path / "rat2.csv"
    ok.write_text("time_s,x,y\n" + "\n".join(f"{i},{50 - i},0" for i in range(20)) + "\n")
    far.write_text("time_s,x,y\n" + "\n".join(f"{i},{500 - i},0" for i in range(20)) + "\n")
    args = ["behavior", command, str(ok), str(far), "--arena", str(arena)]
    res = runner.invoke(app, [*args, "--strict"])
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert "\n" not in err and err.startswith(f"error: {far}: Expected the track of trial rat2")
    res = runner.invoke(app, [*args, "--json"])  # without --strict: skipped, the other analysed
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert {r["trial_id"] for r in out["rows"]} == {"rat1"}
    assert [s["file"] for s in out["skipped"]] == [str(far)]
    assert res.stderr.strip().startswith(f"warning: {far}: skipped: Expected the track of trial")
