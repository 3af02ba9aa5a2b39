"""Batch commands keep going: one bad track file is skipped with one warning, the rest analysed.

For every behaviour command that takes several files (``water-maze``, ``strategies``,
``open-field``, ``y-maze``) and every kind of bad file (header only, one sample, outside the
arena, garbage bytes): exit 0, the good files' rows, one ``warning:`` line naming the bad file,
and the JSON's ``skipped``; all bad -> exit 2; ``--strict`` -> exit 2 and one error line.

Expected values are analytic: which file is bad is fixed by construction; the good files' numbers
are checked elsewhere (tests/behavior) against Rtrack and seeded ground truth, and here only
against the same command run on the good files alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import shared_data
from typer.testing import CliRunner

from neuroprotect.cli.main import app
from neuroprotect.datasets.behavior_synthetic import make_open_field_track, make_y_maze_track

runner = CliRunner()

BAD_KINDS = ("empty", "one_sample", "outside", "garbage")


def _write(path: Path, t: np.ndarray, x: np.ndarray, y: np.ndarray) -> Path:
    rows = "".join(f"{a:.3f},{b:.4f},{c:.4f}\n" for a, b, c in zip(t, x, y, strict=True))
    path.write_text("time_s,x,y\n" + rows)
    return path


def _bad(path: Path, kind: str, offset: float) -> Path:
    if kind == "empty":
        path.write_text("time_s,x,y\n")
    elif kind == "one_sample":
        path.write_text("time_s,x,y\n0,1,1\n")
    elif kind == "outside":  # a circle swum 1000 units away from the arena
        t = np.arange(0, 20, 0.2)
        _write(path, t, offset + 1000 + 10 * np.cos(t), 10 * np.sin(t))
    else:
        path.write_bytes(bytes(range(256)) * 8)
    return path


def _water_maze_case(tmp_path: Path, command: str) -> tuple[list[str], list[Path]]:
    arena = tmp_path / "arena.yaml"
    arena.write_text(
        "type: water_maze\npool: {x: 0, y: 0, radius: 75}\ngoal: {x: 30, y: 30, radius: 5}\n"
        "trial_length_s: 60\n"
    )
    t = np.arange(0, 60, 0.2)
    good = [
        _write(tmp_path / f"rat{i}.csv", t, r * np.cos(t / 5), r * np.sin(t / 5))
        for i, r in enumerate((50.0, 30.0))
    ]
    extra = ["--arena", str(arena), "--scheme", "gehring2015"]
    return ["behavior", command, *extra], good


def _open_field_case(tmp_path: Path) -> tuple[list[str], list[Path]]:
    good = []
    for i in range(2):
        tracks, _ = make_open_field_track(seed=3 + i, duration_s=60)
        path = tmp_path / f"mouse{i}.csv"
        tracks.rename(columns={"x_cm": "x", "y_cm": "y"})[["time_s", "x", "y"]].to_csv(
            path, index=False
        )
        good.append(path)
    return ["behavior", "open-field", "--bounds", "0,0,40,40"], good


def _y_maze_case(tmp_path: Path) -> tuple[list[str], list[Path]]:
    good = []
    for i, seq in enumerate(["ABCBCA", "CABBAC"]):
        tracks, _ = make_y_maze_track(seq, seed=10 + i)
        path = tmp_path / f"mouse{i}.csv"
        tracks.rename(columns={"x_cm": "x", "y_cm": "y"})[["time_s", "x", "y"]].to_csv(
            path, index=False, na_rep="-"
        )
        good.append(path)
    arms = tmp_path / "arms.yaml"
    arms.write_text("type: y_maze\ncentre_point: [0, 0]\narm_length: 35\narm_width: 8\n")
    return ["behavior", "y-maze", "--arms", str(arms)], good


def _case(tmp_path: Path, command: str) -> tuple[list[str], list[Path]]:
    if command in ("water-maze", "strategies"):
        return _water_maze_case(tmp_path, command)
    if command == "open-field":
        return _open_field_case(tmp_path)
    return _y_maze_case(tmp_path)


def _invoke(args: list[str], files: list[Path], *more: str):
    # options first, then the files: Typer takes them in any order
    return runner.invoke(app, [*args, *map(str, files), *more])


COMMANDS = ("water-maze", "strategies", "open-field", "y-maze")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", BAD_KINDS)
def test_one_bad_file_is_skipped_the_others_analysed(tmp_path, command, kind):
    args, good = _case(tmp_path, command)
    bad = _bad(tmp_path / f"bad_{kind}.csv", kind, offset=0.0)
    alone = _invoke(args, good, "--json")
    assert alone.exit_code == 0, alone.output
    res = _invoke(args, [good[0], bad, good[1]], "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["rows"] == json.loads(alone.stdout)["rows"]  # the good files, unchanged
    assert [s["file"] for s in out["skipped"]] == [str(bad)]
    assert out["skipped"][0]["reason"] and "\n" not in out["skipped"][0]["reason"]
    lines = res.stderr.strip().splitlines()
    assert lines == [f"warning: {bad}: skipped: {out['skipped'][0]['reason']}"]
    assert "Traceback" not in res.output
    # --strict: refused at the bad file, one error line naming it
    strict = _invoke(args, [good[0], bad, good[1]], "--json", "--strict")
    assert strict.exit_code == 2 and strict.stdout == ""
    (line,) = strict.stderr.strip().splitlines()
    assert line.startswith(f"error: {bad}")


@pytest.mark.parametrize("command", COMMANDS)
def test_all_bad_files_exit_2(tmp_path, command):
    args, _ = _case(tmp_path, command)
    bad = [_bad(tmp_path / f"bad_{k}.csv", k, offset=0.0) for k in BAD_KINDS]
    res = _invoke(args, bad, "--json")
    assert res.exit_code == 2 and res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == len(bad) + 1 and "Traceback" not in res.output
    assert all(line.startswith("warning: ") and "skipped" in line for line in lines[:-1])
    assert lines[-1].startswith("error: Expected at least one of the 4")
    # a single bad file gives its own error, as it always did
    one = _invoke(args, bad[2:3], "--json")
    assert one.exit_code == 2
    (line,) = one.stderr.strip().splitlines()
    assert line.startswith(f"error: {bad[2]}")


def test_text_output_counts_the_skipped(tmp_path):
    args, good = _case(tmp_path, "open-field")
    bad = _bad(tmp_path / "bad.csv", "empty", offset=0.0)
    res = _invoke(args, [*good, bad])
    assert res.exit_code == 0
    assert res.stdout.count("cm/s") == 2
    assert res.stderr.strip().splitlines()[-1].startswith("note: 1 track files or trials skipped")


def test_a_bad_option_still_stops_the_batch(tmp_path):
    args, good = _case(tmp_path, "open-field")
    res = _invoke(args, good, "--centre-fraction", "2")
    assert res.exit_code == 2
    (line,) = res.stderr.strip().splitlines()
    assert "centre_fraction" in line and "skipped" not in line


def test_gehring_set3_completes_and_lists_the_problem_track():
    """Real data (Gehring et al. 2015, set 3, all 652 tracks incl. probe, reversal and the
    12 flagged 'problem' tracks): the run completes instead of stopping at the first bad track.
    Reference: the aborted trial day3_0071 (25 samples, in set3/ and again in problem/) lies
    entirely outside the pool (checked by hand: 100 % of its samples beyond 1.1 radii)."""
    base = shared_data("behavior", "gehring2015_mwm", "set3")
    arena = (
        Path(__file__).parents[2]
        / "src/neuroprotect/behavior/strategies/data/gehring2015_set3.yaml"
    )
    files = sorted(base.glob("*.csv")) + sorted(base.glob("*/*.csv"))
    args = ["behavior", "strategies", *map(str, files), "--arena", str(arena)]
    res = runner.invoke(app, [*args, "--scheme", "gehring2015", "--json"])
    assert res.exit_code == 0, res.stderr[-500:]
    out = json.loads(res.stdout)
    skipped = sorted(Path(s["file"]).relative_to(base).as_posix() for s in out["skipped"])
    assert skipped == ["day3_0071_00.csv", "problem/day3_0071_00.csv"]
    assert all("inside the pool" in s["reason"] for s in out["skipped"])
    analysed = {r["source_file"] for r in out["rows"]}
    assert len(analysed) == len(files) - 2


def test_garbage_plate_file_is_one_line_error(tmp_path):
    """It used to end in a csv.Error traceback (now an InputError the batches can skip)."""
    bad = _bad(tmp_path / "plate.csv", "garbage", offset=0.0)
    res = runner.invoke(app, ["assay", "elisa", str(bad), "--layout", str(bad)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    (line,) = res.stderr.strip().splitlines()
    assert line.startswith(f"error: {bad}: Expected a plate")
