"""Plate readers and layouts.

Expected values: the raw SoftMax Pro exports of ELISAtools (MIT; ../shared/data/assays/
ELISAtools_BULQI) read back against SoftMax's own group tables (reference), and hand-built grids
and layouts with known contents (analytic).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.conftest import shared_data

from neuroprotect.assays.plate_readers import (
    format_well,
    read_plate_grid,
    read_plate_long,
    read_softmax_text,
)
from neuroprotect.assays.plates import apply_layout, read_layout, read_plate, read_plate_file
from neuroprotect.errors import InputError


def _elisatools(name: str) -> Path:
    return shared_data("assays", "ELISAtools_BULQI", name)


def test_softmax_single_plate_reads_and_layout() -> None:
    export = read_softmax_text(_elisatools("Assay_2.txt"))
    assert export.wavelengths == [450, 620]
    reads = export.reads
    assert len(reads) == 96 and reads["plate"].unique().tolist() == [1]
    a1 = reads.set_index("well").loc["A1"]
    # raw block: A1 = 2.2416 at 450 nm and 0.0372 at 620 nm; SoftMax reports 2.204
    assert a1["od_450"] == pytest.approx(2.2416)
    assert a1["value"] == pytest.approx(2.2416 - 0.0372)
    counts = export.layout.groupby("type").size().to_dict()
    assert counts == {"control": 3, "sample": 45, "standard": 24}
    std = export.layout[export.layout["type"] == "standard"]
    assert sorted(std.loc[std["masked"], "well"]) == ["C1", "E1", "F1", "G2"]
    assert std.set_index("well").loc["H1", "concentration"] == 0
    assert std.set_index("well").loc["A1", "concentration"] == 3000
    unk = export.layout[export.layout["type"] == "sample"]
    assert (unk["dilution"] == 10).all()
    # SoftMax's group tables show the reduced values to 3 decimals
    m = export.results.merge(reads, on=["plate", "well"], suffixes=("_softmax", ""))
    m = m[~m["masked"]]
    assert np.allclose(m["value_softmax"], m["value"], atol=5.01e-4)


def test_softmax_two_plates() -> None:
    reads, export = read_plate_file(_elisatools("Assay_3_and_4.txt"))
    assert export is not None
    assert reads.groupby("plate").size().to_dict() == {1: 96, 2: 96}
    assert export.layout.groupby("plate").size().to_dict() == {1: 72, 2: 72}
    wells = apply_layout(reads, export.layout)
    assert set(wells["flag"]) <= {"ok", "masked"}


def test_softmax_plate_format_block(tmp_path: Path) -> None:
    """SoftMax 'plate' layout: an 8 x 12 grid per wavelength, side by side."""
    lines = ["##BLOCKS= 1", "Plate:\tP1\t1.3\tPlateFormat\tEndpoint\tAbsorbance\tRaw\tFALSE\t1\t\t"
             "\t\t\t\t2\t450 620 \t1\t12\t96\t1\t8"]  # fmt: skip
    lines.append("\tTemperature(°C)\t" + "\t".join(map(str, range(1, 13))) + "\t\t"
                 + "\t".join(map(str, range(1, 13))))  # fmt: skip
    for r in range(8):
        v450 = [f"{1 + r + c / 100:.2f}" for c in range(12)]
        v620 = ["0.05"] * 12
        lines.append(
            ("\t24.0\t" if r == 0 else "\t\t") + "\t".join(v450) + "\t\t" + "\t".join(v620)
        )
    lines.append("~End")
    path = tmp_path / "plate.txt"
    path.write_text("\r\n".join(lines), encoding="latin-1")
    reads = read_plate(path)
    got = reads.set_index("well")["value"]
    assert got["A1"] == pytest.approx(0.95)
    assert got["H12"] == pytest.approx(8.11 - 0.05)


def test_not_softmax(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("hello\n")
    with pytest.raises(InputError, match="##BLOCKS"):
        read_softmax_text(path)


@pytest.mark.parametrize(
    ("keep", "match"),
    [
        (4, r"'~End' closing the 'Plate:' block of line 2, but the file ends at line 4"),
        (
            30,
            r"'~End' closing the 'Group: Standards' block of line 9, but the file ends at line 30",
        ),
        (49, r"Expected 4 blocks \(##BLOCKS= 4\), but the file ends after 2 at line 49"),
        (120, r"'Group: Control' block of line 114, but the file ends at line 120"),
    ],
)
def test_softmax_truncated_export(tmp_path: Path, keep: int, match: str) -> None:
    """A cut-off export is an error naming the file and the line, not a partial plate map."""
    raw = _elisatools("Assay_2.txt").read_bytes().split(b"\n")
    path = tmp_path / "cut.txt"
    path.write_bytes(b"\n".join(raw[:keep]))
    with pytest.raises(InputError, match=match) as info:
        read_softmax_text(path)
    assert str(info.value).startswith(f"{path}: ")


def test_softmax_block_without_end_before_the_next_block(tmp_path: Path) -> None:
    lines = _elisatools("Assay_2.txt").read_bytes().split(b"\n")
    del lines[7]  # the plate block's ~End (line 8): the next line opens 'Group: Standards'
    path = tmp_path / "no_end.txt"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(
        InputError, match="'Plate:' block of line 2, but a new block starts at line 8"
    ):
        read_softmax_text(path)


def _grid_text(values: np.ndarray, header: bool = True) -> str:
    rows = [",".join([""] + [str(c + 1) for c in range(values.shape[1])])] if header else []
    for r in range(values.shape[0]):
        cells = ["" if np.isnan(v) else f"{v:g}" for v in values[r]]
        rows.append(",".join(["ABCDEFGHIJKLMNOP"[r], *cells]))
    return "\n".join(rows)


def test_grid_two_plates(tmp_path: Path) -> None:
    a = np.arange(96, dtype=float).reshape(8, 12) / 100
    b = a + 1
    b[3, 4] = np.nan
    path = tmp_path / "grid.csv"
    path.write_text("Plate 1\n" + _grid_text(a) + "\n\nPlate 2\n" + _grid_text(b, header=False))
    reads = read_plate_grid(path)
    assert reads.groupby("plate").size().to_dict() == {1: 96, 2: 96}
    p2 = reads[reads["plate"] == 2].set_index("well")["value"]
    assert p2["A1"] == 1.0 and p2["H12"] == pytest.approx(1.95)
    assert np.isnan(p2["D5"])


def test_grid_384_and_bad_cell(tmp_path: Path) -> None:
    v = np.ones((16, 24))
    path = tmp_path / "g384.csv"
    path.write_text(_grid_text(v))
    assert len(read_plate_grid(path)) == 384
    bad = tmp_path / "bad.csv"
    bad.write_text(_grid_text(np.ones((8, 12))).replace("\nC,1,", "\nC,oops,"))
    with pytest.raises(InputError, match="'oops' in well C1"):
        read_plate_grid(bad)


def test_long_table(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("plate,well,od\n1,a01,0.5\n1,B2,\n2,A1,1.5\n")
    reads = read_plate_long(path)
    assert reads["well"].tolist() == ["A1", "B2", "A1"]
    assert np.isnan(reads["value"].iloc[1])
    dup = tmp_path / "dup.csv"
    dup.write_text("well,value\nA1,1\nA1,2\n")
    with pytest.raises(InputError, match="A1 \\(plate 1\\)"):
        read_plate_long(dup)
    assert read_plate_file(path)[1] is None  # detected as a long table


def test_format_well() -> None:
    assert format_well("b07") == "B7"
    with pytest.raises(InputError, match="well name"):
        format_well("Z1")


def _layout(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "layout.csv"
    path.write_text(text)
    return path


def test_read_layout_defaults(tmp_path: Path) -> None:
    lay = read_layout(
        _layout(
            tmp_path,
            "well,type,sample,concentration,dilution,masked\n"
            "A1,standard,,100,,\nA2,standard,S1,50,,true\nB1,sample,rat-1,,10,\n"
            "C1,blank,,,,\nD1,empty,,,,\n",
        )
    )
    assert lay["sample"].tolist()[:2] == ["std 100", "S1"]
    assert lay["dilution"].tolist() == [1, 1, 10, 1, 1]
    assert lay["masked"].tolist() == [False, True, False, False, False]
    assert (lay["plate"] == 1).all()


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("well,type\nA1,standard\n", "column 'concentration' for the standard wells"),
        ("well,type,concentration\nA1,standard,\n", "concentration for a standard well"),
        ("well,type\nA1,unknown\n", "well type among"),
        ("well,type,sample\nA1,sample,x\nA01,sample,y\n", "each well once"),
        ("well,type\nA1,sample\n", "sample name"),
        ("well,type,sample,dilution\nA1,sample,x,0\n", "dilution factor > 0"),
        ("well,type,sample\nQ1,sample,x\n", "well name"),
    ],
)
def test_layout_errors(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        read_layout(_layout(tmp_path, text))


def test_layout_not_matching_plate_lists_wells(tmp_path: Path) -> None:
    reads = pd.DataFrame({"plate": 1, "well": ["A1", "A2"], "value": [0.1, 0.2]})
    reads = pd.concat(
        [reads, pd.DataFrame({"plate": 1, "well": [f"H{i}" for i in range(1, 13)], "value": 0.0})]
    )
    lay = read_layout(
        _layout(tmp_path, "well,type,sample\nA1,sample,a\nI1,sample,b\nJ3,sample,c\n")
    )
    with pytest.raises(InputError, match="I1, J3"):
        apply_layout(reads, lay)
    lay2 = read_layout(_layout(tmp_path, "plate,well,type,sample\n2,A1,sample,a\n"))
    with pytest.raises(InputError, match="plate\\(s\\) 2"):
        apply_layout(reads, lay2)


def test_no_signal_flagged(tmp_path: Path) -> None:
    reads = pd.DataFrame({"plate": 1, "well": ["A1", "A2", "A3"], "value": [0.1, np.nan, 0.3]})
    lay = read_layout(
        _layout(
            tmp_path,
            "well,type,sample,concentration,masked\nA1,standard,,1,\nA2,standard,,2,\n"
            "A3,standard,,3,true\n",
        )
    )
    wells = apply_layout(reads, lay)
    assert wells["flag"].tolist() == ["ok", "no_signal", "masked"]


def test_layout_concentration_column_under_another_name(tmp_path: Path) -> None:
    """'concentration (pg/mL)' is not the concentration column: say so, not "row 2 is empty"."""
    path = tmp_path / "layout.csv"
    path.write_text("well,type,sample,concentration (pg/mL)\nA1,standard,,0\nA2,sample,x,\n")
    with pytest.raises(InputError, match=r"layout.csv: Expected a column 'concentration' for the "
                       r"standard wells, but the header has .*'concentration \(pg/mL\)'"):  # fmt: skip
        read_layout(path)
    path.write_text("well,type,sample\nA1,sample,x\n")  # no standards: no concentration needed
    assert read_layout(path)["type"].tolist() == ["sample"]
