"""``neuroprotect meta TABLE.csv``: JSON fields, reference numbers, one-line errors.

Reference: camarades-nmd-smd/expected_formulas_and_metafor.json (metafor ``rma(method="DL")``
cross-check of the CAMARADES formulas; stratum partition; Egger lm).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from tests.meta._reference import bcg, camarades, camarades_expected, metafor_expected
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
    code, out, err = _run(
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
    # like every other command writing a figure, meta says where (stderr: --json stays clean)
    assert f"figure written to {forest}" in err and f"figure written to {funnel}" in err


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
        (lambda t: t.replace("B,10,30", "B,0,30"), [], "row 3, field 'n_treat'"),
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


def _bcg_csv(tmp_path: Path) -> Path:
    d = bcg()
    d["study"] = d["author"] + " " + d["year"].astype(str)
    path = tmp_path / "bcg.csv"
    d[["study", "yi", "vi", "alloc", "ablat"]].to_csv(path, index=False)
    return path


def test_given_yi_vi_bcg_reml_knapp_hartung(tmp_path: Path) -> None:
    """metafor: rma(yi, vi, data=dat.bcg RR, test="knha") and the FE partition by alloc."""
    ref = metafor_expected()
    code, out, _ = _run(
        "meta",
        str(_bcg_csv(tmp_path)),
        "--measure",
        "given",
        "--knapp-hartung",
        "--by",
        "alloc",
        "--json",
    )
    assert code == 0, out
    r = json.loads(out)
    knha = ref["REML_knha"]
    assert r["estimate"] == pytest.approx(knha["est"], abs=TOL)
    assert r["se"] == pytest.approx(knha["se"], abs=TOL)
    assert [r["ci_low"], r["ci_high"]] == pytest.approx([knha["ci.lb"], knha["ci.ub"]], abs=TOL)
    assert r["p_val"] == pytest.approx(knha["pval"], abs=1e-6)
    assert r["tau2"] == pytest.approx(ref["REML"]["tau2"], abs=TOL)
    assert r["i2"] == pytest.approx(ref["REML"]["I2"], abs=TOL)
    assert r["subgroups"][0]["q_between"] == pytest.approx(
        ref["FE_strata_alloc"]["Q_between"], abs=TOL
    )


def test_given_yi_vi_bcg_dl_egger_trimfill(tmp_path: Path) -> None:
    ref = metafor_expected()
    code, out, _ = _run(
        "meta", str(_bcg_csv(tmp_path)), "--measure", "given", "--method", "dl", "--json"
    )
    assert code == 0, out
    r = json.loads(out)
    dl = ref["DL"]
    assert (r["estimate"], r["se"], r["tau2"], r["i2"], r["q"]) == pytest.approx(
        (dl["est"], dl["se"], dl["tau2"], dl["I2"], dl["QE"]), abs=TOL
    )
    code, out, _ = _run("meta", str(_bcg_csv(tmp_path)), "--measure", "given", "--json")
    r = json.loads(out)
    assert r["egger"]["statistic"] == pytest.approx(ref["Egger_rma_sei"]["zval"], abs=TOL)
    tf = ref["trimfill_REML_default"]
    assert (r["trimfill"]["k0"], r["trimfill"]["side"]) == (tf["k0"], tf["side"])
    assert r["trimfill"]["estimate"] == pytest.approx(tf["est"], abs=TOL)


def test_two_studies_have_no_bias_tests_and_bonferroni(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        SMALL.replace("ip\n", "ip,a\n")
        .replace("po\n", "po,b\n")
        .replace("route\n", "route,model\n")
    )
    code, out, _ = _run(
        "meta", str(path), "--measure", "nmd", "--by", "route", "--by", "model", "--json"
    )
    assert code == 0, out
    r = json.loads(out)
    assert len(r["subgroups"]) == 2
    for sub in r["subgroups"]:
        assert sub["p_between_bonferroni"] == pytest.approx(min(1.0, 2 * sub["p_between"]))
    two = tmp_path / "two.csv"
    two.write_text("\n".join(SMALL.splitlines()[:3]) + "\n")
    code, out, _ = _run("meta", str(two), "--json")
    assert code == 0, out
    r = json.loads(out)
    assert r["k"] == 2 and r["egger"] is None and r["trimfill"] is None


def test_egger_sqrtninv_predictor(tmp_path: Path) -> None:
    """Egger lm with 1/sqrt(n) = the same regression on the hand-made predictor."""
    from neuroprotect.meta import compute_effect_sizes, egger_test

    path = tmp_path / "t.csv"
    path.write_text(SMALL)
    code, out, _ = _run(
        "meta", str(path), "--egger", "lm", "--egger-predictor", "sqrtninv", "--json"
    )
    assert code == 0, out
    es = compute_effect_sizes(pd.read_csv(path), measure="smd")
    n = es["n_treat"] + es["n_ctrl"]
    ref = egger_test(es["yi"], es["vi"], model="lm", predictor="sqrtninv", ni=n)
    assert json.loads(out)["egger"]["statistic"] == pytest.approx(ref.statistic, rel=1e-12)


def test_given_bad_variance(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text("study,yi,vi\nA,0.1,0.2\nB,0.3,-1\n")
    code, _, err = _run("meta", str(path), "--measure", "given")
    assert code == 2
    assert "row 3, field 'vi': Expected a positive variance" in err


def test_moderator_regressions(tmp_path: Path) -> None:
    """--moderator ablat = metafor rma(yi, vi, mods=~ablat) (at its own REML tau2, see
    test_regression.py for the 1e-5 tau2 convergence gap); alloc = mods=~factor(alloc)."""
    ref = metafor_expected()
    code, out, _ = _run(
        "meta",
        str(_bcg_csv(tmp_path)),
        "--measure",
        "given",
        "--moderator",
        "ablat",
        "--moderator",
        "alloc",
        "--json",
    )
    assert code == 0, out
    ablat, alloc = json.loads(out)["regressions"]
    assert ablat["moderator"] == "ablat"
    assert [c["estimate"] for c in ablat["coefficients"]] == pytest.approx(
        ref["REML_metareg_ablat"]["coef"], abs=TOL
    )
    assert ablat["qm_p_val"] == pytest.approx(ref["REML_metareg_ablat"]["QMp"], abs=TOL)
    assert [c["term"] for c in alloc["coefficients"]] == [
        "intercept",
        "alloc[random]",
        "alloc[systematic]",
    ]
    assert alloc["qm"] == pytest.approx(ref["REML_modtest_alloc"]["QM"], abs=TOL)


def test_empty_stratum_or_moderator_cell_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(SMALL.replace(",0,po\n", ",0,\n", 1))
    code, _, err = _run("meta", str(path), "--by", "route")
    assert code == 2 and "stratum label" in err and "field 'route'" in err
    code, _, err = _run("meta", str(path), "--moderator", "route")
    assert code == 2 and "moderator value" in err


def test_mods_one_multivariable_regression_before_univariable(tmp_path: Path) -> None:
    """--mods ablat,alloc = metafor rma(yi, vi, mods = ~ ablat + factor(alloc)): intercept first,
    treatment-coded dummies against the first level (alternate). With one column it is the
    univariable fit: --mods alloc reproduces metafor's QM of mods = ~ factor(alloc)."""
    from neuroprotect.meta import meta_regression

    ref = metafor_expected()
    path = _bcg_csv(tmp_path)
    code, out, _ = _run(
        "meta", str(path), "--measure", "given", "--mods", "ablat, alloc", "--moderator", "ablat",
        "--json",
    )  # fmt: skip
    assert code == 0, out
    multi, uni = json.loads(out)["regressions"]
    assert multi["moderator"] == "ablat + alloc" and uni["moderator"] == "ablat"
    terms = [c["term"] for c in multi["coefficients"]]
    assert terms == ["intercept", "ablat", "alloc[random]", "alloc[systematic]"]
    assert (multi["qm_dof"], multi["qe_dof"], multi["test"]) == (3, 9, "z")
    d = bcg()
    dummies = pd.get_dummies(d["alloc"], drop_first=True, dtype=float)
    direct = meta_regression(d["yi"], d["vi"], pd.concat([d[["ablat"]], dummies], axis=1))
    assert [c["estimate"] for c in multi["coefficients"]] == pytest.approx(
        list(direct.coefficients["estimate"]), rel=1e-12
    )
    assert (multi["tau2"], multi["qm"], multi["r2"]) == pytest.approx(
        (direct.tau2, direct.qm, direct.r2), rel=1e-12
    )
    code, out, _ = _run("meta", str(path), "--measure", "given", "--mods", "alloc", "--json")
    (alloc,) = json.loads(out)["regressions"]
    assert alloc["qm"] == pytest.approx(ref["REML_modtest_alloc"]["QM"], abs=TOL)


def test_test_option_and_knapp_hartung_synonym(tmp_path: Path) -> None:
    path = _bcg_csv(tmp_path)
    code, out, _ = _run("meta", str(path), "--measure", "given", "--knapp-hartung", "--json")
    r = json.loads(out)
    assert (r["test"], r["knapp_hartung"]) == ("knha", True)
    code, out2, _ = _run("meta", str(path), "--measure", "given", "--test", "knha", "--json")
    assert json.loads(out2)["se"] == r["se"]
    code, out, _ = _run("meta", str(path), "--measure", "given", "--test", "adhoc")
    assert code == 0 and "REML + Knapp-Hartung (ad hoc), k = 13" in out
    code, _, err = _run("meta", str(path), "--measure", "given", "--test", "z", "--knapp-hartung")
    assert code == 2 and "--knapp-hartung" in err
    code, _, err = _run("meta", str(path), "--measure", "given", "--mods", "ablat,dose")
    assert code == 2 and "'dose'" in err
