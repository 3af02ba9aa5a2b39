"""CLI `stats survival | dose-response | trend`: JSON layout, numbers and one-line errors.

Expected numbers are the R references used in tests/stats (R survival::survdiff / survfit, drc-style
Hessian covariance, multcomp Williams contrasts); see there for the R calls.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import shared_data
from typer.testing import CliRunner

from neuroprotect.cli.main import app

runner = CliRunner()


def _run(*args: str):
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


PASSIVE_AVOIDANCE = "animal,group,latency_s\n" + "\n".join(
    f"a{i},{g},{t}"
    for i, (g, t) in enumerate(
        zip(
            ["vehicle"] * 8 + ["low"] * 8 + ["high"] * 8,
            [12, 35, 35, 60, 88, 120, 300, 300, 40, 95, 150, 150, 210, 300, 300, 300]
            + [20, 22, 30, 45, 45, 70, 300, 150],
            strict=True,
        )
    )
)


def test_survival_json_three_groups(tmp_path: Path) -> None:
    """R: survdiff(Surv(lat, lat < 300) ~ g) chisq 3.54271220607 (2 df); vs vehicle Holm p_adj
    0.517527787944 (high), 0.423120202723 (low); medians 45/180/74, LCL 30/150/35, UCL NA."""
    table = _write(tmp_path, PASSIVE_AVOIDANCE)
    res = _run("stats", "survival", table, "--time", "latency_s", "--group", "group",
               "--cutoff", "300", "--control", "vehicle", "--json")  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out) == {"logrank", "pairwise", "medians"}
    assert out["logrank"]["statistic"] == pytest.approx(3.54271220607, rel=1e-6)
    assert out["logrank"]["dof"] == 2
    pw = {row["group"]: row for row in out["pairwise"]}
    assert set(pw["low"]) == {"group", "control", "statistic", "p_val", "p_adj"}
    assert pw["low"]["control"] == "vehicle"
    assert pw["low"]["p_adj"] == pytest.approx(0.423120202723, rel=1e-6)
    assert pw["high"]["p_adj"] == pytest.approx(0.517527787944, rel=1e-6)
    med = {row["group"]: row for row in out["medians"]}
    assert set(med["low"]) == {"group", "median", "ci_low", "ci_high", "n", "n_censored"}
    assert med["vehicle"] == {"group": "vehicle", "median": 74.0, "ci_low": 35.0, "ci_high": None,
                              "n": 8, "n_censored": 2}  # fmt: skip


def test_survival_event_column_aml_and_plot(tmp_path: Path) -> None:
    """R: survdiff(Surv(time, status) ~ x, data = aml): chisq 3.3964 (expected JSON aml_logrank)."""
    aml = shared_data("stats", "survival-aml", "aml.csv")
    png = tmp_path / "km.png"
    res = _run("stats", "survival", aml, "--time", "time", "--group", "x", "--cutoff", "200",
               "--event", "status", "--json", "--plot", png)  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["logrank"]["statistic"] == pytest.approx(3.396388698978, rel=1e-6)
    assert [m["median"] for m in out["medians"]] == [31.0, 23.0]
    assert png.stat().st_size > 1000
    text = _run("stats", "survival", aml, "--time", "time", "--group", "x", "--cutoff", "200",
                "--event", "status")  # fmt: skip
    assert text.exit_code == 0
    assert "log-rank: chi2 = 3.39639 on 1 df" in text.stdout


def test_survival_event_column_without_cutoff_aml() -> None:
    """--cutoff is optional with --event. R: survdiff(Surv(time, status) ~ x, data = aml) chisq
    3.396388698978; survfit medians 31 (Maintained), 23 (Nonmaintained) (survival-aml/PROVENANCE.md).
    aml has a censored 161 (Maintained), its longest time: no cut-off is inferred from it."""
    aml = shared_data("stats", "survival-aml", "aml.csv")
    res = _run("stats", "survival", aml, "--time", "time", "--group", "x", "--event", "status",
               "--json")  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["logrank"]["statistic"] == pytest.approx(3.396388698978, rel=1e-6)
    assert [m["median"] for m in out["medians"]] == [31.0, 23.0]
    assert [m["n_censored"] for m in out["medians"]] == [4, 1]


def test_survival_cutoff_rule_still_censors_at_cutoff(tmp_path: Path) -> None:
    """Without --event, a latency equal to --cutoff is censored (2 of 8 vehicle animals at 300)."""
    table = _write(tmp_path, PASSIVE_AVOIDANCE)
    res = _run("stats", "survival", table, "--time", "latency_s", "--group", "group",
               "--cutoff", "300", "--json")  # fmt: skip
    med = {row["group"]: row for row in json.loads(res.stdout)["medians"]}
    assert {g: m["n_censored"] for g, m in med.items()} == {"high": 1, "low": 3, "vehicle": 2}


def test_survival_needs_cutoff_or_event(tmp_path: Path) -> None:
    table = _write(tmp_path, PASSIVE_AVOIDANCE)
    res = _run("stats", "survival", table, "--time", "latency_s", "--group", "group")
    err = _one_line_error(res)
    assert "--cutoff" in err and "--event" in err


@pytest.mark.parametrize(
    ("body", "args", "message"),
    [
        ("t,g\n1,a\n2,a\n3,a\n", [], "at least two groups"),
        ("t,g\n1,a\n-2,b\n3,b\n", [], "row 3"),
        ("t,g\n1,a\n400,b\n3,b\n", [], "cut-off 300"),
        ("t,g\n1,a\n2,b\n3,b\n", ["--control", "vehicle"], "control level"),
        ("t,grp\n1,a\n2,b\n", [], "column 'g'"),
        ("t,g\n1,a\nabc,b\n", [], "Expected a number"),
    ],
)
def test_survival_bad_input_is_one_line(
    tmp_path: Path, body: str, args: list, message: str
) -> None:
    table = _write(tmp_path, body)
    res = _run("stats", "survival", table, "--time", "t", "--group", "g", "--cutoff", "300", *args)
    assert message in _one_line_error(res)


def test_dose_response_json_ryegrass(tmp_path: Path) -> None:
    """drc convention (observed Hessian): ED50 3.05796, SE 0.18573, CI 2.67053-3.44538, RSE
    0.51963 on 20 df (expected_drc_style_fullHessian.txt)."""
    rg = shared_data("stats", "drc-ryegrass", "ryegrass.csv")
    png = tmp_path / "dr.png"
    res = _run("stats", "dose-response", rg, "--dose", "conc", "--response", "rootl", "--json",
               "--plot", png)  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert {
        "model",
        "params",
        "ed50",
        "ed50_se",
        "ed50_ci_low",
        "ed50_ci_high",
        "rse",
        "df",
    } <= set(out)
    assert out["model"] == "LL.4"
    assert set(out["params"]) == {"b", "c", "d", "e"}
    assert out["params"]["b"] == pytest.approx(2.98223, abs=5e-6)
    assert out["ed50"] == pytest.approx(3.05796, abs=5e-6)
    assert out["ed50_se"] == pytest.approx(0.18573, abs=5e-6)
    assert out["ed50_ci_low"] == pytest.approx(2.67053, abs=5e-6)
    assert out["ed50_ci_high"] == pytest.approx(3.44538, abs=5e-6)
    assert out["rse"] == pytest.approx(0.51963, abs=5e-6)
    assert out["df"] == 20
    assert png.stat().st_size > 1000
    assert "ed" not in out


def test_dose_response_extra_ed_levels() -> None:
    """drc-style ED5 1.13930 (SE 0.18575, CI 0.75184-1.52677), ED10 1.46371 (SE 0.18677)
    (expected_drc_style_fullHessian.txt)."""
    rg = shared_data("stats", "drc-ryegrass", "ryegrass.csv")
    base = ("stats", "dose-response", rg, "--dose", "conc", "--response", "rootl")
    out = json.loads(_run(*base, "--ed", "5", "--ed", "10", "--json").stdout)
    assert [row["level"] for row in out["ed"]] == [5.0, 10.0]
    assert out["ed"][0]["estimate"] == pytest.approx(1.13930, abs=5e-6)
    assert out["ed"][0]["se"] == pytest.approx(0.18575, abs=5e-6)
    assert out["ed"][0]["ci_low"] == pytest.approx(0.75184, abs=5e-6)
    assert out["ed"][1]["se"] == pytest.approx(0.18677, abs=5e-6)
    assert "ED10 = 1.46371" in _run(*base, "--ed", "10").stdout
    assert "between 0 and 100" in _one_line_error(_run(*base, "--ed", "150"))


def test_dose_response_models_and_covariance(tmp_path: Path) -> None:
    """nls J'J convention: ED50 SE 0.18583 (expected_R_nls_glm.json); LL.3: e 3.26336, df 21."""
    rg = shared_data("stats", "drc-ryegrass", "ryegrass.csv")
    base = ("stats", "dose-response", rg, "--dose", "conc", "--response", "rootl", "--json")
    jtj = json.loads(_run(*base, "--covariance", "jtj").stdout)
    assert jtj["ed50_se"] == pytest.approx(0.1858290413902, rel=1e-5)
    ll3 = json.loads(_run(*base, "--model", "ll3").stdout)
    assert ll3["model"] == "LL.3"
    assert ll3["params"]["c"] == 0.0
    assert ll3["ed50"] == pytest.approx(3.263359342278, rel=1e-5)
    assert ll3["df"] == 21
    hill = json.loads(_run(*base, "--model", "hill").stdout)
    assert hill["model"] == "Hill"
    assert hill["ed50"] == pytest.approx(3.05796, abs=5e-6)
    text = _run("stats", "dose-response", rg, "--dose", "conc", "--response", "rootl")
    assert "ED50 = 3.05796" in text.stdout


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("dose,resp\n0,5\n1,4\n-2,3\n4,2\n8,1\n16,1\n", "doses >= 0"),
        ("dose,resp\n0,5\n0,4\n1,3\n1,2\n1,1\n0,1\n", "distinct doses"),
        ("dose,resp\n0,3\n1,3\n2,3\n4,3\n8,3\n16,3\n", "varies"),
        ("dose,y\n0,3\n1,3\n", "column 'resp'"),
    ],
)
def test_dose_response_bad_input_is_one_line(tmp_path: Path, body: str, message: str) -> None:
    table = _write(tmp_path, body)
    res = _run("stats", "dose-response", table, "--dose", "dose", "--response", "resp")
    assert message in _one_line_error(res)


def test_trend_json_toothgrowth() -> None:
    """multcomp Williams (greater) t = 11.5506, 10.5981; emmeans poly linear t = 11.5506."""
    tg = shared_data("stats", "multcomp-recovery", "ToothGrowth.csv")
    res = _run("stats", "trend", tg, "--dv", "len", "--dose", "dose", "--alternative",
               "increasing", "--json")  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out) == {"jonckheere", "williams", "polynomial", "warnings"}
    assert out["warnings"] == []
    assert out["jonckheere"]["alternative"] == "increasing"
    assert out["jonckheere"]["method"] == "normal"  # ToothGrowth has ties
    assert [w["statistic"] for w in out["williams"]] == pytest.approx([11.550557681748,
                                                                      10.59807490004])  # fmt: skip
    assert out["polynomial"][0]["contrast"] == "linear"
    assert out["polynomial"][0]["statistic"] == pytest.approx(11.550557681748, rel=1e-10)
    text = _run("stats", "trend", tg, "--dv", "len", "--dose", "dose")
    assert text.exit_code == 0
    assert "Jonckheere-Terpstra" in text.stdout


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("y,d\n1,0\n2,0\n3,0\n", "at least two dose levels"),
        ("y,d\n1,low\n2,low\n3,high\n4,high\n", "Expected a number"),
        ("y,x\n1,0\n", "column 'd'"),
    ],
)
def test_trend_bad_input_is_one_line(tmp_path: Path, body: str, message: str) -> None:
    table = _write(tmp_path, body)
    res = _run("stats", "trend", table, "--dv", "y", "--dose", "d")
    assert message in _one_line_error(res)


def test_trend_leaves_out_missing_responses_and_says_how_many(tmp_path: Path) -> None:
    """Hollander & Wolfe (1999) Example 6.2 with two empty responses: left out with a warning
    (as stats compare does), J = 79 and one-sided p = 0.0207 as in the textbook."""
    pieces = [40, 35, 38, 43, 44, 41, 38, 40, 47, 44, 40, 42, 48, 40, 45, 43, 46, 44]
    rows = [f"{p},{i // 6}" for i, p in enumerate(pieces)] + [",0", "NA,2"]
    table = _write(tmp_path, "pieces,level\n" + "\n".join(rows) + "\n")
    args = ["stats", "trend", table, "--dv", "pieces", "--dose", "level"]
    res = _run(*args, "--alternative", "increasing", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["warnings"] == ["2 row(s) with a missing 'pieces' or 'level' were left out."]
    assert out["jonckheere"]["statistic"] == 79 and out["jonckheere"]["n"] == 18
    assert out["jonckheere"]["p_val"] == pytest.approx(0.0207, abs=5e-5)
    text = _run(*args)
    assert text.exit_code == 0, text.output
    assert "warning: 2 row(s) with a missing 'pieces'" in text.stdout
