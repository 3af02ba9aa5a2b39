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


def test_blank_rows_are_ignored_and_rows_keep_their_numbers(tmp_path: Path) -> None:
    """Trailing ',,' and empty lines (as Excel writes them) carry no data; rows stay numbered."""
    p = _write(tmp_path, "animal_id,area_mm2,score\nA1,1.5,2\n,,\nA2,2.5,3\n,,\n , ,\n\n\n")
    df = read_table(p, COLS)
    assert df["animal_id"].tolist() == ["A1", "A2"]
    assert df["source_row"].tolist() == [2, 4]
    bad = _write(tmp_path, "animal_id,area_mm2,score\nA1,1.5,2\n\nA2,x,3\n,,\n", "bad.csv")
    with pytest.raises(InputError, match="row 4"):
        read_table(bad, COLS)


def test_excel_trailing_blank_rows_are_ignored(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in (["animal_id", "area_mm2", "score"], ["A1", 1.5, 2], ["A2", 2.5, 3]):
        ws.append(row)
    for r in range(4, 9):  # formatted but empty rows, and cells holding only blanks
        ws.cell(row=r, column=1, value=" " if r % 2 else None).number_format = "0.00"
    wb.save(tmp_path / "t.xlsx")
    df = read_table(tmp_path / "t.xlsx", COLS)
    assert df["animal_id"].tolist() == ["A1", "A2"]
    assert df["source_row"].tolist() == [2, 3]


def test_windows_1252_csv_is_read_with_a_warning(tmp_path: Path) -> None:
    from neuroprotect.errors import InputWarning

    p = tmp_path / "excel.csv"
    p.write_bytes("animal_id;volume (µL);temp °C\nA1;1,5;37\n".encode("cp1252"))
    with pytest.warns(InputWarning, match="Windows-1252"):
        df = read_table(p, [Column("animal_id", "str"), Column("volume (µL)")])
    assert df["volume (µL)"].tolist() == [1.5]
    assert "temp °C" in df.columns


def test_old_xls_is_refused_in_one_line(tmp_path: Path) -> None:
    p = tmp_path / "old.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(InputError, match=r"save it as \.xlsx or CSV") as info:
        read_table(p, COLS)
    assert "\n" not in str(info.value) and "old.xls" in str(info.value)


def _two_sheets(tmp_path: Path) -> Path:
    import pandas as pd

    path = tmp_path / "two.xlsx"
    with pd.ExcelWriter(path) as w:
        pd.DataFrame({"note": ["read me"]}).to_excel(w, sheet_name="notes", index=False)
        pd.DataFrame({"animal_id": ["A1"], "area_mm2": [2.0], "score": [1]}).to_excel(
            w, sheet_name="data", index=False
        )
    return path


@pytest.mark.parametrize("sheet", ["data", "2", 2])
def test_sheet_by_name_or_position(tmp_path: Path, sheet: str | int) -> None:
    assert read_table(_two_sheets(tmp_path), COLS, sheet=sheet)["area_mm2"].tolist() == [2.0]


def test_bad_sheet(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="'notes', 'data'"):
        read_table(_two_sheets(tmp_path), COLS, sheet="3")
    with pytest.raises(InputError, match="Excel workbook"):
        read_table(_write(tmp_path, "animal_id\nA1\n"), COLS, sheet="data")


def test_trailing_delimiters_do_not_shift_columns(tmp_path: Path) -> None:
    """Data rows ending in ',' (Excel after a deleted column) keep their cells under the header."""
    p = _write(tmp_path, "animal_id,area_mm2,score\r\nA1,1.5,2,\r\nA2,2.5,3,,\r\n")
    df = read_table(p, COLS)
    assert df["animal_id"].tolist() == ["A1", "A2"]
    assert df["area_mm2"].tolist() == [1.5, 2.5]


def test_row_with_more_cells_than_the_header(tmp_path: Path) -> None:
    p = _write(tmp_path, "animal_id,area_mm2,score\nA1,1.5,2\n\nA2,2.5,3,extra\n")
    with pytest.raises(InputError, match=r"row 4: Expected at most 3 cells as in the header"):
        read_table(p, COLS)


def test_misspelt_optional_column_is_an_error(tmp_path: Path) -> None:
    """An optional column ignored because of a typo would silently change the numbers."""
    cols = [Column("well", "str"), Column("dilution", required=False, aliases=("dilution_factor",))]
    path = tmp_path / "layout.csv"
    path.write_text("well,dilutoin\nA1,2\n")
    with pytest.raises(
        InputError, match=r"field 'dilutoin': Expected a column 'dilution', but got"
    ):
        read_table(path, cols)
    path.write_text("well,Dilution_Factors\nA1,2\n")  # near an alias
    with pytest.raises(InputError, match="'Dilution_Factors'"):
        read_table(path, cols)
    path.write_text("well,notes\nA1,2\n")  # an unrelated extra column stays allowed
    assert read_table(path, cols)["notes"].tolist() == ["2"]
