"""``neuroprotect meta TABLE.csv``: JSON fields, reference numbers, one-line errors.

Reference: camarades-nmd-smd/expected_formulas_and_metafor.json (metafor ``rma(method="DL")``
cross-check of the CAMARADES formulas; stratum partition; Egger lm).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from tests.meta._reference import camarades, camarades_expected
from typer.testing import CliRunner

from neuroprotect.cli.main import app

runner = CliRunner()
TOL = 1e-4

SMALL = """study,n_treat,mean_treat,sd_treat,n_ctrl,mean_ctrl,sd_ctrl,sham_mean,route
A,8,20,5,8,40,6,0,ip
B,10,30,6,10,45,8,0,po
C,6,25,7,6,30,7,0,ip
D,9,15,4,9,38,9,0,po
"""


def _camarades_csv(tmp_path: Path) -> Path:
    data = camarades().drop(columns=["ctrl_shared_by", "n_c_true"])
    data["sham_reported"] = (data["sham_mean"] != 0).map({True: "yes", False: "no"})
    path = tmp_path / "camarades.csv"
    data.to_csv(path, index=False)
    return path


def _run(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def test_nmd_dl_json_matches_reference(tmp_path: Path) -> None:
    exp = camarades_expected()
    path = _camarades_csv(tmp_path)
    code, out, _ = _run(
        "meta",
        str(path),
        "--measure",
        "nmd",
        "--method",
        "dl",
        "--by",
        "sham_reported",
        "--egger",
        "lm",
        "--json",
    )
    assert code == 0, out
    r = json.loads(out)
    ref = exp["NMD_DL"]
    assert (r["measure"], r["method"], r["k"]) == ("nmd", "DL", 6)
    assert r["estimate"] == pytest.approx(ref["RE"], abs=TOL)
    assert r["se"] == pytest.approx(ref["RE_se"], abs=TOL)
    assert [r["ci_low"], r["ci_high"]] == pytest.approx(ref["RE_ci"], abs=TOL)
    assert r["tau2"] == pytest.approx(ref["tau2"], abs=TOL)
    assert r["i2"] == pytest.approx(ref["I2"], abs=TOL)
    assert r["q"] == pytest.approx(ref["Q"], abs=TOL)
    assert r["q_p_val"] == pytest.approx(ref["p_Q"], abs=1e-9)
    assert r["pi_low"] < r["ci_low"] < r["ci_high"] < r["pi_high"]
    studies = r["studies"]
    assert [s["study"] for s in studies] == ["S1", "S2", "S3", "S4", "S5_low", "S5_high"]
    assert [s["yi"] for s in studies] == pytest.approx(
        [c["ES"] for c in exp["NMD_per_comparison"]], abs=1e-9
    )
    assert sum(s["weight"] for s in studies) == pytest.approx(100.0)
    (sub,) = r["subgroups"]
    part = exp["NMD_strata_partition"]
    assert sub["by"] == "sham_reported"
    assert sub["q_between"] == pytest.approx(part["Q_between"], abs=TOL)
    assert sub["p_between"] == pytest.approx(part["p"], abs=TOL)
    assert [s["stratum"] for s in sub["strata"]] == ["no", "yes"]
    egger = exp["NMD_egger_lm"]
    assert r["egger"]["statistic"] == pytest.approx(egger["z"], abs=TOL)
    assert r["egger"]["p_val"] == pytest.approx(egger["p"], abs=TOL)
    assert set(r["trimfill"]) >= {"k0", "side", "estimate", "ci_low", "ci_high", "tau2"}


def test_smd_camarades_variance(tmp_path: Path) -> None:
    ref = camarades_expected()["SMD_DL"]
    path = _camarades_csv(tmp_path)
    code, out, _ = _run(
        "meta",
        str(path),
        "--measure",
        "smd",
        "--method",
        "dl",
        "--smd-variance",
        "camarades",
        "--lower-is-better",
        "--json",
    )
    assert code == 0, out
    r = json.loads(out)
    assert (r["estimate"], r["se"], r["tau2"]) == pytest.approx(
        (ref["RE"], ref["RE_se"], ref["tau2"]), abs=TOL
    )


def test_text_output_and_plots(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(SMALL)
    forest, funnel = tmp_path / "forest.png", tmp_path / "funnel.svg"
    code, out, _ = _run(
        "meta",
        str(path),
        "--measure",
        "md",
        "--by",
        "route",
        "--knapp-hartung",
        "--forest",
        str(forest),
        "--funnel",
        str(funnel),
    )
    assert code == 0, out
    assert "MD meta-analysis, REML + Knapp-Hartung, k = 4" in out
    assert "by route" in out
    assert forest.stat().st_size > 1000 and funnel.stat().st_size > 1000


def test_md_json_equals_python_api(tmp_path: Path) -> None:
    """The CLI adds nothing: same numbers as RandomEffectsMeta on escalc-style MDs."""
    from neuroprotect.meta import RandomEffectsMeta, compute_effect_sizes

    path = tmp_path / "t.csv"
    path.write_text(SMALL)
    code, out, _ = _run("meta", str(path), "--measure", "md", "--method", "reml", "--json")
    assert code == 0
    r = json.loads(out)
    data = pd.read_csv(path)
    es = compute_effect_sizes(data, measure="md")
    assert es["yi"].tolist() == [-20.0, -15.0, -5.0, -23.0]
    fit = RandomEffectsMeta("REML").fit(es["yi"], es["vi"])
    assert r["estimate"] == pytest.approx(fit.estimate_, rel=1e-12)
    assert r["tau2"] == pytest.approx(fit.tau2_, rel=1e-12)


@pytest.mark.parametrize(
    ("edit", "args", "expect"),
    [
        (lambda t: t.replace("A,8,20,5", "A,8,20,0"), [], "row 2, field 'sd_treat'"),
        (lambda t: t.replace("B,10,30", "B,1,30"), [], "row 3, field 'n_treat'"),
        (
            lambda t: t.replace(",sham_mean", ",sham").replace(",0,", ",0,"),
            ["--measure", "nmd"],
            "sham_mean",
        ),
        (lambda t: "\n".join(t.splitlines()[:2]) + "\n", [], "at least 2 studies"),
        (lambda t: t, ["--by", "dose"], "'dose'"),
        (lambda t: t.replace("C,6,25", "C,6,abc"), [], "row 4, field 'mean_treat'"),
    ],
)
def test_bad_input_one_line_exit_2(tmp_path: Path, edit, args: list[str], expect: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(edit(SMALL))
    code, out, err = _run("meta", str(path), *args)
    assert code == 2
    assert expect in err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "Traceback" not in out + err
