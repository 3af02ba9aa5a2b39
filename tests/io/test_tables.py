"""Validated table reading: each bad cell names file, row and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from neuroprotect.errors import InputError
from neuroprotect.io.tables import Column, read_table

COLS = [
    Column("animal_id", "str"),
    Column("area_mm2", "float", min=0),
    Column("score", "int", min=0, max=4),
]


def _write(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_reads_and_converts(tmp_path: Path) -> None:
    p = _write(tmp_path, "animal_id,Area_mm2,score,extra\nA1,1.5,2,x\nA2,0,4,y\n")
    df = read_table(p, COLS)
    assert df["area_mm2"].tolist() == [1.5, 0.0]
    assert df["score"].tolist() == [2, 4]
    assert df["source_row"].tolist() == [2, 3]
    assert df["extra"].tolist() == ["x", "y"]


def test_semicolon_and_decimal_comma(tmp_path: Path) -> None:
    p = _write(tmp_path, "animal_id;area_mm2;score\nA1;1,5;2\n")
    assert read_table(p, COLS)["area_mm2"].tolist() == [1.5]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "animal_id,area_mm2,score\nA1,abc,2\n",
            "row 2, field 'area_mm2': Expected a number >= 0, but got 'abc'",
        ),
        ("animal_id,area_mm2,score\nA1,1,2\nA2,-1,2\n", "row 3, field 'area_mm2'"),
        (
            "animal_id,area_mm2,score\nA1,1,5\n",
            "Expected a whole number between 0 and 4, but got '5'",
        ),
        ("animal_id,area_mm2,score\nA1,1,2.5\n", "field 'score'"),
        ("animal_id,score\nA1,2\n", "Expected a column 'area_mm2'"),
        ("animal_id,area_mm2,score\n", "only a header"),
        ("", "empty"),
        ("animal_id,area_mm2,score\nA1,,2\n", "row 2, field 'area_mm2'"),
    ],
)
def test_bad_cells(tmp_path: Path, text: str, expected: str) -> None:
    p = _write(tmp_path, text)
    with pytest.raises(InputError) as info:
        read_table(p, COLS)
    assert expected in str(info.value)
    assert str(p) in str(info.value)
