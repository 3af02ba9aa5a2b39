"""CLI `assay elisa | binding | viability | griess`: JSON layout, numbers and one-line errors.

Expected numbers: SoftMax Pro's AdjResult in the ELISAtools exports (reference), R nls on
Puromycin (see tests/assays/test_binding.py for the R call) and analytic tables.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import shared_data
from typer.testing import CliRunner

from neuroprotect.assays.plate_readers import read_softmax_text
from neuroprotect.cli.main import app

runner = CliRunner()


def _run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def _write(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    err = result.stderr.strip()
    assert err.startswith("error:")
    assert "\n" not in err
    assert "Traceback" not in result.output
    return err


def test_elisa_softmax_json() -> None:
    plate = shared_data("assays", "ELISAtools_BULQI", "Assay_3_and_4.txt")
    res = _run("assay", "elisa", plate, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["model"] == "4pl" and out["params"] is None and len(out["curves"]) == 2
    assert set(out["standards"][0]) >= {
        "sample",
        "concentration",
        "back_calculated",
        "recovery_pct",
    }
    assert set(out["samples"][0]) >= {"sample", "mean_signal", "concentration", "dilution",
                                      "adjusted_concentration", "cv_pct", "flag"}  # fmt: skip
    ref = read_softmax_text(plate).results.drop_duplicates(["plate", "sample"])
    adj = {(r.plate, r.sample): r.adj_result for r in ref.itertuples()}
    for s in out["samples"]:
        if s["type"] == "sample":
            assert s["adjusted_concentration"] == pytest.approx(
                adj[(s["plate"], s["sample"])], rel=1e-4
            )


def _grid_and_layout(tmp_path: Path) -> tuple[Path, Path]:
    """Standards in A-B (known 4PL), one sample in C1-C2 at 10 units diluted 5x."""

    def f(x):
        return 2.5 + (0.05 - 2.5) / (1 + (np.asarray(x, float) / 50) ** 1.2)

    conc = [0, 3.125, 6.25, 12.5, 25, 50, 100, 200]
    grid = np.full((8, 12), np.nan)
    grid[0, :8] = f(conc) * 1.01
    grid[1, :8] = f(conc) * 0.99
    grid[2, :2] = f(10.0)
    lines = [",".join([""] + [str(i) for i in range(1, 13)])]
    for r in range(8):
        lines.append(
            ",".join(["ABCDEFGH"[r]] + ["" if np.isnan(v) else f"{v:.6f}" for v in grid[r]])
        )
    plate = _write(tmp_path, "\n".join(lines) + "\n", "plate.csv")
    rows = ["well,type,sample,concentration,dilution,masked"]
    for r in "AB":
        rows += [f"{r}{i + 1},standard,,{c},," for i, c in enumerate(conc)]
    rows += ["C1,sample,rat-1,,5,", "C2,sample,rat-1,,5,"]
    layout = _write(tmp_path, "\n".join(rows) + "\n", "layout.csv")
    return plate, layout


def test_elisa_grid_layout_text_and_plot(tmp_path: Path) -> None:
    plate, layout = _grid_and_layout(tmp_path)
    png = tmp_path / "curve.png"
    res = _run("assay", "elisa", plate, "--layout", layout, "--weights", "1/y2", "--json",
               "--plot", png)  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["weights"] == "1/y2" and set(out["params"]) == {"a", "b", "c", "d"}
    (s,) = out["samples"]
    assert s["sample"] == "rat-1" and s["dilution"] == 5
    assert s["concentration"] == pytest.approx(10, rel=0.02)
    assert s["adjusted_concentration"] == pytest.approx(5 * s["concentration"])
    assert png.stat().st_size > 0
    text = _run("assay", "elisa", plate, "--layout", layout, "--model", "5pl")
    assert text.exit_code == 0 and "rat-1" in text.stdout


def test_elisa_errors(tmp_path: Path) -> None:
    plate, _ = _grid_and_layout(tmp_path)
    err = _one_line_error(_run("assay", "elisa", plate))
    assert "--layout" in err
    bad = _write(tmp_path, "well,type,sample\nA1,sample,x\nI1,sample,y\n", "bad.csv")
    err = _one_line_error(_run("assay", "elisa", plate, "--layout", bad))
    assert "I1" in err


def test_binding_cli(tmp_path: Path) -> None:
    x = np.repeat([0, 1, 3, 10, 30, 100, 300, 1000, 3000.0], 2)
    y = 20 + 980 / (1 + x / 39.0)
    table = _write(tmp_path, "nM,cpm\n" + "\n".join(f"{a},{b}" for a, b in zip(x, y, strict=True)))
    res = _run("assay", "binding", table, "--concentration", "nM", "--bound", "cpm",
               "--radioligand-conc", "3", "--kd", "3", "--json")  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["ic50"] == pytest.approx(39.0, rel=1e-6) and out["ki"] == pytest.approx(
        19.5, rel=1e-6
    )
    text = _run("assay", "binding", table, "--concentration", "nM", "--bound", "cpm")
    assert "IC50 = 39" in text.stdout

    p = shared_data("assays", "r_datasets_DNase_Puromycin", "Puromycin.csv")
    sat = _run("assay", "binding", p, "--saturation", "--concentration", "conc", "--bound", "rate",
               "--json")  # fmt: skip
    assert sat.exit_code == 0, sat.output
    # both states pooled: R nls(rate ~ Vm*conc/(K+conc), Puromycin) gives Vm 190.806331838, K 0.060388838
    fit = json.loads(sat.stdout)["params"]
    assert fit["bmax"] == pytest.approx(190.806331838, rel=1e-5)
    assert fit["kd"] == pytest.approx(0.060388838, rel=1e-5)
    err = _one_line_error(_run("assay", "binding", table, "--concentration", "nM"))
    assert "--bound" in err


def test_viability_and_griess_cli(tmp_path: Path) -> None:
    wells = _write(tmp_path, "group,absorbance\nblank,0.1\nctrl,1.1\nctrl,0.9\nogd,0.55\n")
    res = _run("assay", "viability", wells, "--control", "ctrl", "--blank", "blank", "--json")
    assert res.exit_code == 0, res.output
    groups = {g["group"]: g for g in json.loads(res.stdout)["groups"]}
    assert groups["ogd"]["viability_pct"] == pytest.approx(50.0)
    assert groups["ctrl"]["n"] == 2
    std = _write(tmp_path, "concentration,absorbance\n0,0.05\n25,0.3\n50,0.55\n100,1.05\n", "s.csv")
    smp = _write(tmp_path, "sample,absorbance,protein_mg_ml\nr1,0.30,2\nr2,1.5,2\n", "g.csv")
    res = _run("assay", "griess", smp, "--standards", std, "--blank", "0.05", "--json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["samples"]
    assert rows[0]["nitrite_um"] == pytest.approx(25) and rows[0]["range_flag"] == "ok"
    assert rows[0]["nitrite_nmol_per_mg_protein"] == pytest.approx(12.5)
    assert rows[1]["range_flag"] == "above_range"
    err = _one_line_error(_run("assay", "viability", wells, "--control", "sham"))
    assert "sham" in err


def test_griess_misspelt_protein_column_is_an_error(tmp_path: Path) -> None:
    std = _write(tmp_path, "concentration,absorbance\n0,0.05\n25,0.3\n50,0.55\n100,1.05\n", "s.csv")
    smp = _write(tmp_path, "sample,absorbance,protien_mg_ml\nr1,0.30,2\n", "g.csv")
    err = _one_line_error(_run("assay", "griess", smp, "--standards", std))
    assert "Expected a column 'protein_mg_ml', but got 'protien_mg_ml'" in err


def test_binding_fit_errors_name_the_file(tmp_path: Path) -> None:
    """Errors of the competition and saturation fitters name the input file."""
    flat = _write(
        tmp_path, "nM,cpm\n" + "".join(f"{x},100\n" for x in (1, 3, 10, 30, 100, 300)), "flat.csv"
    )
    err = _one_line_error(_run("assay", "binding", flat, "--concentration", "nM", "--bound", "cpm"))
    assert "flat.csv" in err and "Expected a response that varies" in err
    few = _write(tmp_path, "nM,spec\n1,10\n1,12\n", "few.csv")
    err = _one_line_error(
        _run("assay", "binding", few, "--saturation", "--concentration", "nM", "--bound", "spec")
    )
    assert "few.csv" in err and "at least 2 distinct concentrations" in err
    swapped = _write(
        tmp_path,
        "nM,tot,nsb\n"
        + "\n".join(f"{x},{10 * x},{10 * x + 900 * x / (2 + x)}" for x in (1, 2, 4, 8, 16)),
        "swapped.csv",
    )
    err = _one_line_error(_run("assay", "binding", swapped, "--saturation", "--concentration",
                               "nM", "--total", "tot", "--nonspecific", "nsb"))  # fmt: skip
    assert "swapped.csv" in err and "Bmax > 0" in err
