"""CLI: ``neuroprotect stats repeated`` and ``neuroprotect stats power`` (CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import shared_data
from typer.testing import CliRunner

from neuroprotect.cli.main import app

runner = CliRunner()


def _water_maze(tmp_path: Path) -> Path:
    rng = np.random.default_rng(2)
    lines = ["animal_id,group,day,escape_latency_s"]
    for group, effect in (("vehicle", 0.0), ("drug", -8.0)):
        for i in range(6):
            b = rng.normal(0, 6)
            for day in range(1, 6):
                y = 60 - 8 * day + effect * (day > 1) + b + rng.normal(0, 8)
                lines.append(f"{group}{i},{group},{day},{y:.2f}")
    path = tmp_path / "mwm.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_repeated_json_layout(tmp_path: Path) -> None:
    path = _water_maze(tmp_path)
    args = [
        "stats",
        "repeated",
        str(path),
        "--dv",
        "escape_latency_s",
        "--subject",
        "animal_id",
        "--within",
        "day",
        "--between",
        "group",
        "--control",
        "vehicle",
        "--json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    mm = out["mixed_model"]
    assert [r["term"] for r in mm["fixed_effects"]] == [
        "(Intercept)",
        "group[drug]",
        "day",
        "group[drug]:day",
    ]
    assert set(mm["fixed_effects"][0]) >= {"term", "estimate", "se", "statistic", "p_val"}
    assert mm["sigma"] > 0
    assert mm["random_effects"][0]["group"] == "animal_id"
    assert [r["effect"] for r in out["rm_anova"]] == ["group", "day", "group:day"]
    assert set(out["rm_anova"][0]) >= {"effect", "F", "num_df", "den_df", "p_val", "correction"}
    assert [r["correction"] for r in out["rm_anova"]] == ["none", "GG", "GG"]
    categorical = runner.invoke(app, args + ["--within-categorical"])
    terms = [r["term"] for r in json.loads(categorical.stdout)["mixed_model"]["fixed_effects"]]
    assert "day[5]" in terms and "group[drug]:day[5]" in terms


def test_repeated_text_output(tmp_path: Path) -> None:
    path = _water_maze(tmp_path)
    result = runner.invoke(
        app,
        [
            "stats",
            "repeated",
            str(path),
            "--dv",
            "escape_latency_s",
            "--subject",
            "animal_id",
            "--within",
            "day",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Linear mixed model (REML)" in result.stdout and "GG" in result.stdout


def test_repeated_matches_lmertest_through_cli() -> None:
    """R: summary(lmerTest::lmer(Reaction ~ Days + (1 | Subject), sleepstudy)) ->
    Days 10.467285959596 (SE 0.80422142894524, df 161); afex one-way GG F 18.7026979326383."""
    path = shared_data("stats", "lme4-sleepstudy", "sleepstudy.csv")
    result = runner.invoke(
        app,
        [
            "stats",
            "repeated",
            str(path),
            "--dv",
            "Reaction",
            "--subject",
            "Subject",
            "--within",
            "Days",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    days = out["mixed_model"]["fixed_effects"][1]
    assert days["estimate"] == pytest.approx(10.467285959596, rel=1e-4)
    assert days["se"] == pytest.approx(0.80422142894524, rel=1e-4)
    assert out["rm_anova"][0]["F"] == pytest.approx(18.7026979326383, rel=1e-4)
    assert out["rm_anova"][0]["num_df"] == pytest.approx(3.32126860314696, rel=1e-4)


@pytest.mark.parametrize(
    ("bad_cell", "extra", "message"),
    [
        (False, ["--dv", "latency"], "Expected a column 'latency'"),
        (True, [], "row 4, field 'escape_latency_s': Expected a number, but got 'abc'"),
        (False, ["--control", "saline"], "Expected the control level to be one of"),
    ],
)
def test_repeated_bad_input_one_line(
    tmp_path: Path, bad_cell: bool, extra: list[str], message: str
) -> None:
    path = _water_maze(tmp_path)
    if bad_cell:  # data row 3 (spreadsheet row 4) is vehicle0, day 3
        lines = path.read_text().splitlines()
        lines[3] = lines[3].rsplit(",", 1)[0] + ",abc"
        path.write_text("\n".join(lines) + "\n")
    args = [
        "stats",
        "repeated",
        str(path),
        "--dv",
        "escape_latency_s",
        "--subject",
        "animal_id",
        "--within",
        "day",
        "--between",
        "group",
        *extra,
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    err = result.stderr.strip()
    assert err.startswith("error:") and "\n" not in err
    assert message in err
    assert "Traceback" not in result.output


def test_text_within_needs_within_categorical(tmp_path: Path) -> None:
    """A text day column (day1, day2, ...) is refused in one line that names the file, the column
    and --within-categorical; with the flag the same table fits (docs/stats-decisions.md)."""
    path = tmp_path / "days.csv"
    rows = [
        f"r{i},day{d},{50 - 5 * d + (i % 3) + (d * i) % 4}" for i in range(4) for d in (1, 2, 3)
    ]
    path.write_text("rat,day,lat\n" + "\n".join(rows) + "\n")
    args = ["stats", "repeated", str(path), "--dv", "lat", "--subject", "rat", "--within", "day"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    err = result.stderr.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in result.output
    assert "days.csv" in err and "field 'day'" in err and "'day1'" in err
    assert "--within-categorical" in err
    ok = runner.invoke(app, [*args, "--within-categorical", "--json"])
    assert ok.exit_code == 0, ok.output
    terms = [r["term"] for r in json.loads(ok.stdout)["mixed_model"]["fixed_effects"]]
    assert terms == ["(Intercept)", "day[day2]", "day[day3]"]


def test_constant_response_one_line(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("rat,day,lat\n" + "".join(f"r{i},{d},5\n" for i in range(3) for d in (1, 2)))
    result = runner.invoke(
        app, ["stats", "repeated", str(path), "--dv", "lat", "--subject", "rat", "--within", "day"]
    )
    assert result.exit_code == 2
    assert "Expected a response that varies" in result.stderr


def test_one_subject_one_line(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("rat,day,lat\nr1,1,50\nr1,2,40\nr1,3,30\n")
    result = runner.invoke(
        app, ["stats", "repeated", str(path), "--dv", "lat", "--subject", "rat", "--within", "day"]
    )
    assert result.exit_code == 2
    assert "Expected at least 2 subjects" in result.stderr


def test_power_json_matches_pwr() -> None:
    """R: pwr.t.test(d=1.2, power=0.8, sig.level=0.05/3)$n = 16.0476130606674 -> 17 per group;
    4 groups, 20 % attrition: ceil(68 / 0.8) = 85."""
    result = runner.invoke(
        app,
        [
            "stats",
            "power",
            "--test",
            "t",
            "--groups",
            "4",
            "--effect-size",
            "1.2",
            "--dunnett",
            "--attrition",
            "0.2",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["n_per_group"] == 17
    assert out["n_total_with_attrition"] == 85
    assert out["n_per_group_exact"] == pytest.approx(16.0476130606674, rel=1e-4)
    assert out["power_achieved"] >= 0.8
    assert "Bonferroni" in out["method"]


def test_power_anova_and_given_n() -> None:
    """R: pwr.anova.test(k=4, f=0.25, power=0.8)$n = 44.59927429902 -> 45;
    pwr.t.test(d=1.0, n=17)$power = 0.807036715147404 (difference 5, SD 5)."""
    result = runner.invoke(
        app,
        ["stats", "power", "--test", "anova", "--groups", "4", "--effect-size", "0.25", "--json"],
    )
    out = json.loads(result.stdout)
    assert out["n_per_group"] == 45
    assert out["n_per_group_exact"] == pytest.approx(44.59927429902, rel=1e-4)
    result = runner.invoke(
        app,
        ["stats", "power", "--test", "t", "--difference", "5", "--sd", "5", "--n", "17", "--json"],
    )
    assert json.loads(result.stdout)["power_achieved"] == pytest.approx(0.807036715147404, rel=1e-4)
    text = runner.invoke(app, ["stats", "power", "--test", "t", "--effect-size", "1.2"])
    assert "n per group: 12" in text.stdout


@pytest.mark.parametrize("command", ["stats", "design"])
def test_power_one_sided(command: str) -> None:
    """pwr.t.test(d=0.5, power=0.8, alternative="greater")$n = 50.15 -> 51 (G*Power 51);
    two-sided 63.77 -> 64 (stored R reference t2_d0.5_power0.8_n)."""
    base = [command, "power", "--test", "t", "--effect-size", "0.5", "--json"]
    one = json.loads(runner.invoke(app, [*base, "--alternative", "less"]).stdout)
    assert one["n_per_group"] == 51 and one["alternative"] == "less"
    assert one["n_per_group_exact"] == pytest.approx(50.15, abs=0.005)
    two = json.loads(runner.invoke(app, base).stdout)
    assert two["n_per_group"] == 64 and two["alternative"] == "two-sided"
    assert two["n_per_group_exact"] == pytest.approx(63.765610444142, rel=1e-4)


@pytest.mark.parametrize(
    "args",
    [
        ["--test", "t"],
        ["--test", "z", "--effect-size", "1"],
        ["--test", "t", "--effect-size", "1", "--power", "0.9", "--n", "10"],
        ["--test", "anova", "--groups", "3", "--effect-size", "0.4", "--dunnett"],
        ["--test", "t", "--effect-size", "1", "--attrition", "1.5"],
        ["--test", "t", "--effect-size", "1", "--alternative", "bigger"],
        ["--test", "anova", "--effect-size", "0.4", "--alternative", "greater"],
        ["--test", "repeated", "--alternative", "greater"],
    ],
)
def test_power_bad_input_one_line(args: list[str]) -> None:
    result = runner.invoke(app, ["stats", "power", *args])
    assert result.exit_code == 2
    assert result.stderr.startswith("error:") and result.stderr.count("\n") == 1


def test_power_repeated_by_simulation() -> None:
    """Analytic ground truth: for the group effect the simulated n is within one animal of the
    t-test n on animal means, d = 11 / sqrt(6^2 + 10^2 / 5) (see tests/stats/test_power.py)."""
    import math

    from neuroprotect.stats.power import compute_n_t

    args = [
        "stats",
        "power",
        "--test",
        "repeated",
        "--control-means",
        "60,45,35,28,25",
        "--effect-per-day",
        "0,-10,-15,-15,-15",
        "--subject-sd",
        "6",
        "--residual-sd",
        "10",
        "--attrition",
        "0.2",
        "--nsim",
        "400",
        "--seed",
        "1",
        "--json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    exact = compute_n_t(d=11.0 / math.sqrt(36.0 + 100.0 / 5), power=0.8)
    assert abs(out["n_per_group"] - math.ceil(exact)) <= 1
    assert out["n_total_with_attrition"] == math.ceil(out["n_per_group"] * 2 / 0.8)
    assert out["power_achieved"] >= 0.8
    assert [r["effect"] for r in out["power_table"]] == ["group", "day", "group:day"]
    again = runner.invoke(app, args)
    assert json.loads(again.stdout) == out  # seeded
    bad = runner.invoke(app, ["stats", "power", "--test", "repeated", "--effect-size", "1"])
    assert bad.exit_code == 2 and bad.stderr.startswith("error:")
