"""CLI `assay qpcr | qpcr-stability | qpcr-efficiency | western`: JSON layout, numbers, errors.

Expected numbers: pcr package (ct1, separate tubes: RQ 5.637, 5.276-6.023), rtpcr efficiency
README, synthetic blot ground truth; see tests/assays for the R calls.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.conftest import shared_data
from typer.testing import CliRunner

from neuroprotect.cli.main import app
from neuroprotect.datasets.synthetic_blot import make_synthetic_blot

runner = CliRunner()


def _run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def _one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    err = result.stderr.strip()
    assert err.startswith("error:") and "\n" not in err and "Traceback" not in result.output
    return err


@pytest.fixture
def ct1_long(tmp_path) -> Path:
    d = pd.read_csv(shared_data("assays", "pcr_MahShaaban", "ct1.csv"))
    rows = [
        {"sample": f"s{i}", "group": "brain" if i < 6 else "kidney", "gene": g, "ct": rec[g]}
        for i, rec in d.iterrows()
        for g in d.columns
    ]
    path = tmp_path / "ct1_long.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_qpcr_json_matches_pcr_package(ct1_long) -> None:
    res = _run(
        "assay",
        "qpcr",
        ct1_long,
        "--reference",
        "GAPDH",
        "--control-group",
        "brain",
        "--pairing",
        "unpaired",
        "--interval",
        "sd",
        "--json",
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    kidney = next(r for r in out["results"] if r["group"] == "kidney")
    for key in (
        "gene",
        "group",
        "delta_ct",
        "delta_delta_ct",
        "fold_change",
        "ci_low",
        "ci_high",
        "n",
    ):
        assert key in kidney
    assert (kidney["fold_change"], kidney["ci_low"], kidney["ci_high"]) == pytest.approx(
        (5.637, 5.276, 6.023), abs=5e-4
    )
    assert kidney["n"] == 6 and out["warnings"] == []


def test_qpcr_pfaffl_efficiency_option_and_errors(tmp_path, ct1_long) -> None:
    res = _run(
        "assay",
        "qpcr",
        ct1_long,
        "--reference",
        "GAPDH",
        "--control-group",
        "brain",
        "--method",
        "pfaffl",
        "--efficiency",
        "GAPDH=2",
        "--efficiency",
        "c_myc=2",
        "--json",
    )
    assert res.exit_code == 0, res.output
    kidney = next(r for r in json.loads(res.stdout)["results"] if r["group"] == "kidney")
    assert kidney["fold_change"] == pytest.approx(5.637, abs=5e-4)  # E = 2 reduces Pfaffl to Livak
    err = _one_line_error(
        _run("assay", "qpcr", ct1_long, "--reference", "Hprt", "--control-group", "brain")
    )
    assert "ct1_long.csv" in err and "'Hprt'" in err
    err = _one_line_error(
        _run(
            "assay",
            "qpcr",
            ct1_long,
            "--reference",
            "GAPDH",
            "--control-group",
            "brain",
            "--method",
            "pfaffl",
        )
    )
    assert "efficiency" in err


def test_qpcr_undetermined_reported_in_json(tmp_path) -> None:
    lines = ["sample,group,gene,ct"]
    for g in ("veh", "drug"):
        for i in range(3):
            lines += [
                f"{g}{i},{g},Gapdh,{'Undetermined' if (g, i) == ('drug', 2) else '18'}",
                f"{g}{i},{g},Tnf,{25 if g == 'veh' else 24}",
            ]
    path = tmp_path / "cts.csv"
    path.write_text("\n".join(lines) + "\n")
    out = json.loads(
        _run(
            "assay", "qpcr", path, "--reference", "Gapdh", "--control-group", "veh", "--json"
        ).stdout
    )
    drug = next(r for r in out["results"] if r["group"] == "drug")
    assert drug["fold_change"] == pytest.approx(2.0) and drug["n"] == 2
    assert {f["flag"] for f in out["flags"]} == {"undetermined", "reference_missing"}
    assert any("drug2" in w for w in out["warnings"])


def test_qpcr_stability_and_efficiency(tmp_path) -> None:
    rng = np.random.default_rng(0)
    rows = []
    for i in range(8):
        load = rng.normal(0, 1)
        for gene, noise in (("Gapdh", 0.05), ("Actb", 0.05), ("Hprt", 0.1), ("Rn18s", 1.0)):
            rows.append(
                {
                    "sample": f"s{i}",
                    "group": "a" if i < 4 else "b",
                    "gene": gene,
                    "ct": 20 + load + rng.normal(0, noise),
                }
            )
    path = tmp_path / "ref.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    out = json.loads(_run("assay", "qpcr-stability", path, "--json").stdout)
    assert out["genorm"]["ranking"][-1] == "Rn18s"
    assert out["normfinder"][-1]["gene"] == "Rn18s"
    eff = _run(
        "assay",
        "qpcr-efficiency",
        shared_data("assays", "rtpcr_mirzaghaderi", "data_efficiency1.csv"),
        "--quantity",
        "Dilutions",
        "--json",
    )
    fits = {f["gene"]: f for f in json.loads(eff.stdout)["efficiencies"]}
    assert fits["GAPDH"]["efficiency"] == pytest.approx(1.962747, abs=2e-6)


def test_western_table_and_image(tmp_path) -> None:
    (tmp_path / "lanes.csv").write_text(
        "lane,sample,group\n1,a,vehicle\n2,b,vehicle\n3,c,drug\n4,d,drug\n"
    )
    vol = np.array([[5000, 20000], [10000, 20000], [2500, 20000], [3000, 21000]])
    from skimage import io

    blot = make_synthetic_blot(vol, targets=("Bax", "beta-actin"))
    io.imsave(tmp_path / "blot.tif", blot.image.astype(np.float32), check_contrast=False)
    res = _run(
        "assay",
        "western",
        tmp_path / "blot.tif",
        "--layout",
        tmp_path / "lanes.csv",
        "--loading-control",
        "beta-actin",
        "--band",
        "Bax=18:42",
        "--band",
        "beta-actin=58:82",
        "--json",
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    truth = vol[:, 0] / vol[:, 1]
    assert [r["fold_change"] for r in out["lanes"]] == pytest.approx(
        truth / truth[:2].mean(), rel=0.01
    )
    table = tmp_path / "bands.csv"
    table.write_text(
        "lane,target,volume\n"
        + "\n".join(
            f"{i + 1},{t},{v}"
            for i in range(4)
            for t, v in zip(("Bax", "beta-actin"), vol[i], strict=True)
        )
    )
    out2 = json.loads(
        _run(
            "assay",
            "western",
            table,
            "--layout",
            tmp_path / "lanes.csv",
            "--loading-control",
            "beta-actin",
            "--json",
        ).stdout
    )
    assert [r["fold_change"] for r in out2["lanes"]] == pytest.approx(
        truth / truth[:2].mean(), rel=1e-12
    )
    err = _one_line_error(
        _run(
            "assay",
            "western",
            table,
            "--layout",
            tmp_path / "lanes.csv",
            "--loading-control",
            "GAPDH",
        )
    )
    assert "GAPDH" in err


def test_qpcr_efficiency_warns_about_undetermined(tmp_path):
    path = tmp_path / "dilutions.csv"
    path.write_text(
        "qty,Gapdh,Bdnf\n1,20,22\n10,16.7,18.6\n100,13.4,Undetermined\n1000,10.1,No Ct\n"
    )
    r = _run("assay", "qpcr-efficiency", path, "--quantity", "qty", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    bdnf = next(f for f in out["efficiencies"] if f["gene"] == "Bdnf")
    assert (bdnf["n"], bdnf["n_undetermined"]) == (2, 2)
    assert len(out["warnings"]) == 1
    assert "dilutions.csv: Bdnf: 2 undetermined Ct" in out["warnings"][0]
    assert "rows 4, 5" in out["warnings"][0]
    text = _run("assay", "qpcr-efficiency", path, "--quantity", "qty")
    assert text.exit_code == 0 and "warning: " + out["warnings"][0] in text.stderr


@pytest.mark.parametrize("command", ["qpcr", "qpcr-stability"])
@pytest.mark.parametrize(
    ("text", "expected"), [("", "file is empty"), ("sample,gene,ct\n", "well")]
)
def test_qpcr_empty_or_header_only(tmp_path, command: str, text: str, expected: str):
    path = tmp_path / "export.csv"
    path.write_text(text)
    extra = ["--reference", "Gapdh", "--control-group", "v"] if command == "qpcr" else []
    err = _one_line_error(_run("assay", command, path, *extra))
    assert "export.csv" in err and expected in err


def test_qpcr_efficiency_dilution_factor_and_zero_quantity(tmp_path):
    """A dilution factor given as the quantity (Ct rising with it) is warned, not a silent
    -57 % efficiency; a quantity of 0 names its row."""
    path = tmp_path / "dil.csv"
    path.write_text("dilution,Gapdh\n1,10.1\n10,13.4\n100,16.7\n1000,20\n")
    r = _run("assay", "qpcr-efficiency", path, "--quantity", "dilution", "--json")
    assert r.exit_code == 0, r.output
    (w,) = json.loads(r.stdout)["warnings"]
    assert "Gapdh: Ct rises with the quantity (slope +3.3)" in w and "1/dilution" in w
    path.write_text("qty,Gapdh\n1,20\n0,16.7\n100,13.4\n")
    err = _one_line_error(_run("assay", "qpcr-efficiency", path, "--quantity", "qty"))
    assert "dil.csv, row 3, field 'qty': Expected a quantity > 0" in err


def test_qpcr_stability_without_groups_and_left_out_sample(tmp_path):
    """Stability ranking needs no groups (only --by-group does); a sample dropped for an
    undetermined candidate gene is named in a warning, not left out silently."""
    rng = np.random.default_rng(1)
    lines = ["sample,gene,ct"]
    for i in range(6):
        load = rng.normal()
        for gene, sd in (("Gapdh", 0.05), ("Actb", 0.05), ("Hprt", 0.1), ("Rn18s", 1.0)):
            ct = (
                "Undetermined"
                if (i, gene) == (1, "Gapdh")
                else f"{20 + load + rng.normal(0, sd):.3f}"
            )
            lines.append(f"s{i},{gene},{ct}")
    path = tmp_path / "refs.csv"
    path.write_text("\n".join(lines) + "\n")
    r = _run("assay", "qpcr-stability", path, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["n_samples"] == 5
    assert out["warnings"] == [f"{path}: samples left out (a candidate gene undetermined or not "
                               "measured): s1 (Gapdh)"]  # fmt: skip
    err = _one_line_error(_run("assay", "qpcr-stability", path, "--by-group"))
    assert "Expected a group for every sample" in err


def test_qpcr_stability_errors_name_the_file(tmp_path):
    """geNorm / NormFinder errors on the data name the Ct file."""
    lines = ["sample,gene,ct"] + [
        f"s{i},{gene},{20 + i * 0.1 + j:.2f}" for i in range(4) for j, gene in enumerate(["A", "B"])
    ]
    path = tmp_path / "two_genes.csv"
    path.write_text("\n".join(lines) + "\n")
    err = _one_line_error(_run("assay", "qpcr-stability", path))
    assert "two_genes.csv" in err and "at least three candidate genes" in err


def test_qpcr_stability_unknown_candidate_gene_is_named(tmp_path):
    """--gene with a gene absent from the file names it (it used to empty every row and say
    'at least two samples, but got 0')."""
    lines = ["sample,gene,ct"] + [
        f"s{i},{gene},{20 + i * 0.1 + j:.2f}"
        for i in range(4)
        for j, gene in enumerate(["A", "B", "C"])
    ]
    path = tmp_path / "three_genes.csv"
    path.write_text("\n".join(lines) + "\n")
    args = ["assay", "qpcr-stability", path, "--gene", "A", "--gene", "B", "--gene", "Foo"]
    err = _one_line_error(_run(*args))
    assert "Expected candidate genes among A, B, C, but got 'Foo'" in err
