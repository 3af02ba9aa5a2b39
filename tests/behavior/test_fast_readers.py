"""The batch fast path for track files gives exactly what the per-file readers give (issue 16).

Reference: the per-file readers themselves (``read_many_tracks(..., fast=False)``, the earlier
implementation), compared with ``assert_frame_equal(check_exact=True)`` on every track file in
../shared/data/behavior and on synthetic files with the cases the fast path hands back (blank
lines, quotes, bad cells, time going back, duplicate columns, other encodings). Errors and batch
skips must be the same too.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import shared_data

from neuroprotect.behavior.readers import read_many_tracks
from neuroprotect.errors import InputError
from neuroprotect.io.batch import Batch

HEADER = (
    "Track file,C:\\data\\track_{n}.trk\nObject,0\nSamples,4\nrat,{rat},\ntrial,{trial},\n"
    "Sample no.,Time,X,Y,Area,ZONES,Distance moved\n"
)


def _ev3(folder: Path, name: str, rows: list[str], *, rat: str = "57", enc: str = "utf-8") -> Path:
    path = folder / f"{name}.csv"
    text = HEADER.format(n=name, rat=rat, trial=name[-1]) + "\n".join(rows) + "\n"
    path.write_bytes(text.encode(enc))
    return path


def _both(paths: list[Path], **kw: object) -> tuple[tuple, tuple]:
    return read_many_tracks(paths, **kw), read_many_tracks(paths, fast=False, **kw)  # type: ignore[arg-type]


def _assert_same(fast: tuple, slow: tuple) -> None:
    pd.testing.assert_frame_equal(fast[0], slow[0], check_exact=True)
    pd.testing.assert_frame_equal(fast[1], slow[1], check_exact=True)


def test_fast_path_equals_the_readers_on_every_real_track_file() -> None:
    root = shared_data("behavior")
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in (".csv", ".txt", ".tab"))
    batches = [Batch(), Batch()]  # files that are no tracks (labels, arenas) are skipped alike
    fast = read_many_tracks(files, batch=batches[0])
    slow = read_many_tracks(files, batch=batches[1], fast=False)
    _assert_same(fast, slow)
    assert batches[0].skipped == batches[1].skipped
    assert (fast[1]["format"] == "ethovision3").sum() >= 1000  # the Gehring set took the fast path
    assert fast[1]["format"].nunique() >= 3  # and other formats the readers


def test_fast_path_equals_the_readers_on_unusual_files(tmp_path: Path) -> None:
    good = ["1,0.00,1.5,2.5,10,east,-", "2,0.20,-,2.0,10,east,1", "3,0.40,1.75,2.25,10,e,2"]
    paths = [
        _ev3(tmp_path, "plain_1", good),
        _ev3(
            tmp_path, "missing_2", ["1,0.0,NA,,1,a,b", "2,0.2,  3.5 ,4,1,a,b", "3,0.4,n/a,1,1,a,b"]
        ),
        _ev3(tmp_path, "blank_3", [*good[:2], "", good[2]]),
        _ev3(tmp_path, "quoted_4", ['1,0.0,"1.5",2.5,1,"a,b",c', *good[1:]]),
        _ev3(tmp_path, "latin_5", good, rat="Réne", enc="latin-1"),
        _ev3(tmp_path, "exp_6", ["1,0,1e1,2E-1,1,a,b", "2,1,+3,-4.0e+0,1,a,b", "3,2,inf,1,1,a,b"]),
        _ev3(tmp_path, "short_7", ["1,0.0,1", "2,0.2,3,4,1,a,b"]),
    ]
    fast, slow = _both(paths)
    _assert_same(fast, slow)
    assert fast[1]["trial_id"].tolist() == [p.stem for p in paths]  # file order kept


@pytest.mark.parametrize(
    "rows",
    [
        ["1,0.0,1,2,1,a,b", "2,0.2,x1,2,1,a,b"],  # a bad cell
        ["1,0.4,1,2,1,a,b", "2,0.2,1,2,1,a,b"],  # time goes back
        ["1,0.0,-,2,1,a,b", "2,0.2,1,-,1,a,b"],  # every sample missing
    ],
)
def test_a_bad_file_gives_the_same_error_and_skip(tmp_path: Path, rows: list[str]) -> None:
    good = _ev3(tmp_path, "good_1", ["1,0.0,1,2,1,a,b", "2,0.2,1,3,1,a,b"])
    bad = _ev3(tmp_path, "bad_2", rows)
    messages = []
    for fast in (True, False):
        with pytest.raises(InputError) as err:
            read_many_tracks([good, bad], fast=fast)
        messages.append(str(err.value))
    assert messages[0] == messages[1] and "bad_2" in messages[0]
    batches = [Batch(), Batch()]
    out = [
        read_many_tracks([bad, good], batch=b, fast=f)
        for b, f in zip(batches, (True, False), strict=True)
    ]
    _assert_same(out[0], out[1])
    assert batches[0].skipped == batches[1].skipped and len(batches[0].skipped) == 1


def test_duplicate_column_names_are_left_to_the_reader(tmp_path: Path) -> None:
    path = tmp_path / "dup_1.csv"
    path.write_text(
        "Track file,x\nSample no.,Time,X,Y,X\n1,0.0,1,2,9\n2,0.2,1,3,9\n", encoding="utf-8"
    )
    fast, slow = _both([path])
    _assert_same(fast, slow)
