"""``neuroprotect stats compare`` / ``compare-two`` / ``describe`` through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from neuroprotect.cli.main import app

runner = CliRunner()


@pytest.fixture
def pain_csv(tmp_path: Path, pain) -> Path:
    path = tmp_path / "pain.csv"
    pain.to_csv(path, index=False)
    return path


def test_compare_json_matches_r(pain_csv, r_multcomp):
    """JSON layout of issue 2 part 5; numbers: R multcomp Dunnett (set.seed(1), abseps 1e-7)."""
    out = runner.invoke(
        app,
        [
            "stats",
            "compare",
            str(pain_csv),
            "--dv",
            "pain",
            "--group",
            "hair",
            "--control",
            "Dark Blond",
            "--method",
            "anova-dunnett",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["method"] == "anova-dunnett"
    assert data["omnibus"]["test"] == "one-way ANOVA"
    assert data["omnibus"]["statistic"] == pytest.approx(r_multcomp["pain_anova"]["F"], rel=1e-6)
    assert data["omnibus"]["dof"] == [3, 15]
    by_group = {c["group"]: c for c in data["contrasts"]}
    assert by_group["Dark Brunette"]["p_adj"] == pytest.approx(0.0449731359439276, abs=1e-6)
    assert by_group["Dark Brunette"]["estimate"] == pytest.approx(-13.8)
    for c in data["contrasts"]:
        assert set(c) >= {
            "group",
            "control",
            "estimate",
            "statistic",
            "dof",
            "p_val",
            "p_adj",
            "ci_low",
            "ci_high",
            "effect_size",
            "effect_type",
            "n",
        }
        assert c["control"] == "Dark Blond"
    assert [s["group"] for s in data["summary"]][0] == "Dark Blond"
    assert set(data["summary"][0]) >= {"group", "n", "mean", "sd", "sem", "median"}


def test_compare_auto_and_table_output(pain_csv):
    out = runner.invoke(
        app,
        [
            "stats",
            "compare",
            str(pain_csv),
            "--dv",
            "pain",
            "--group",
            "hair",
            "--control",
            "Dark Blond",
        ],
    )
    assert out.exit_code == 0, out.output
    assert "Dunnett" in out.stdout and "Shapiro-Wilk" in out.stdout
    assert "Dark Brunette" in out.stdout


def test_compare_kruskal_dunn_shows_adjusted_shift_intervals(pain_csv):
    """Dunn contrasts carry the Hodges-Lehmann shift with its Bonferroni interval (3 contrasts:
    each at 1 - 0.05 / 3); the numbers are those of hodges_lehmann, tested against R
    wilcox.test(conf.int = TRUE) in test_hodges_lehmann.py."""
    from neuroprotect.stats.hodges_lehmann import hodges_lehmann

    args = ["stats", "compare", str(pain_csv), "--dv", "pain", "--group", "hair"]
    args += ["--control", "Dark Blond", "--method", "kruskal-dunn"]
    out = runner.invoke(app, [*args, "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    table = pd.read_csv(pain_csv)
    for c in data["contrasts"]:
        shift = hodges_lehmann(
            table.loc[table["hair"] == c["group"], "pain"],
            table.loc[table["hair"] == "Dark Blond", "pain"],
            conf_level=1 - 0.05 / 3,
        )
        assert [c["estimate"], c["ci_low"], c["ci_high"]] == pytest.approx(
            [shift.estimate, shift.ci_low, shift.ci_high], abs=1e-12
        )
        assert c["ci_level"] == pytest.approx(shift.conf_level)
    text = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert text.exit_code == 0, text.output
    assert "estimate (98.3% CI)" in text.stdout
    assert "Hodges-Lehmann" in text.stdout


def test_compare_order_leaves_groups_out(pain_csv):
    """--order keeps only the listed groups: 2 groups -> one Dunnett contrast = t-test.
    R: t.test(Light Blond, Dark Blond, var.equal = TRUE): t = 1.4191001, df = 8,
    p = 0.1936353 (Dunnett with one contrast is this t-test)."""
    out = runner.invoke(
        app,
        [
            "stats",
            "compare",
            str(pain_csv),
            "--dv",
            "pain",
            "--group",
            "hair",
            "--control",
            "Dark Blond",
            "--method",
            "anova-dunnett",
            "--order",
            "Dark Blond, Light Blond",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert [c["group"] for c in data["contrasts"]] == ["Light Blond"]
    assert data["contrasts"][0]["dof"] == 8
    assert data["contrasts"][0]["statistic"] == pytest.approx(1.4191001, rel=1e-7)
    assert data["contrasts"][0]["p_adj"] == pytest.approx(0.1936353, abs=1e-7)


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ([], ["vehicle", "sham", "low", "high"]),
        (["--order", "high,vehicle,low"], ["vehicle", "high", "low"]),
    ],
)
def test_compare_table_lists_the_control_first(tmp_path, order, expected):
    """The terminal summary starts with the control, then --order's (or the file's) order."""
    path = tmp_path / "t.csv"
    rows = [
        f"{g},{m + d}"
        for g, m in (("sham", 5), ("vehicle", 40), ("low", 30), ("high", 20))
        for d in (-2, 0, 1, 3)
    ]
    path.write_text("g,y\n" + "\n".join(rows) + "\n")
    args = ["stats", "compare", str(path), "--dv", "y", "--group", "g", "--control", "vehicle"]
    out = runner.invoke(app, [*args, *order])
    assert out.exit_code == 0, out.output
    summary = out.stdout.split("y by group")[1].split("└")[0]
    shown = [line.split()[1] for line in summary.splitlines() if line.startswith("│")]
    assert shown == expected


def test_compare_two_and_describe_json(pain_csv):
    """Mann-Whitney as R wilcox.test(Dark Brunette, Dark Blond): W = 2, p = 0.0317460317460317."""
    out = runner.invoke(
        app,
        [
            "stats",
            "compare-two",
            str(pain_csv),
            "--dv",
            "pain",
            "--group",
            "hair",
            "--a",
            "Dark Brunette",
            "--b",
            "Dark Blond",
            "--ordinal",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    c = json.loads(out.stdout)["contrasts"][0]
    assert c["statistic"] == 2 and c["p_val"] == pytest.approx(0.0317460317460317, rel=1e-9)
    out = runner.invoke(
        app, ["stats", "describe", str(pain_csv), "--dv", "pain", "--group", "hair", "--json"]
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["summary"][0]["n"] == 5


def test_compare_two_mann_whitney_shows_hodges_lehmann_ci(tmp_path):
    """Hollander & Wolfe Example 4.3/4.4 (the ?wilcox.test permeability data): Hodges-Lehmann
    shift 0.305 with the exact interval -0.15 to 0.76 (see tests/stats/test_hodges_lehmann.py)."""
    path = tmp_path / "perm.csv"
    term = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    early = [1.15, 0.88, 0.90, 0.74, 1.21]
    rows = [f"term,{v}" for v in term] + [f"early,{v}" for v in early]
    path.write_text("g,y\n" + "\n".join(rows) + "\n")
    args = ["stats", "compare-two", str(path), "--dv", "y", "--group", "g", "--a", "term",
            "--b", "early", "--ordinal"]  # fmt: skip
    out = runner.invoke(app, [*args, "--json"])
    assert out.exit_code == 0, out.output
    c = json.loads(out.stdout)["contrasts"][0]
    assert (c["estimate"], c["ci_low"], c["ci_high"]) == pytest.approx((0.305, -0.15, 0.76))
    text = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert text.exit_code == 0, text.output
    assert "0.305 (-0.15 to 0.76)" in text.stdout


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        ("g,y\nvehicle,1\nvehicle,2\n", [], "at least 2 groups"),
        ("g,y\nvehicle,1\nvehicle,2\nlow,3\n", [], "at least 2 values"),
        ("g,y\nvehicle,1\nvehicle,1\nlow,1\nlow,1\n", [], "varies"),
        ("g,y\nsham,1\nsham,2\nlow,3\nlow,4\n", [], "control level 'vehicle'"),
        ("g,y\nvehicle,1\nvehicle,abc\nlow,3\nlow,4\n", [], "row 3"),
        ("g,volume\nvehicle,1\nvehicle,2\nlow,3\nlow,4\n", [], "column 'y'"),
        ("g,y\nvehicle,1\nvehicle,2\nlow,3\nlow,4\n", ["--method", "nope"], "method"),
    ],
)
def test_bad_input_exit_2_one_line(tmp_path, text, args, message):
    path = tmp_path / "t.csv"
    path.write_text(text)
    out = runner.invoke(
        app,
        ["stats", "compare", str(path), "--dv", "y", "--group", "g", "--control", "vehicle", *args],
    )
    assert out.exit_code == 2
    err = out.stderr.strip()
    assert message in err
    assert len(err.splitlines()) == 1
    assert "Traceback" not in out.output


def test_missing_file_exit_2(tmp_path):
    out = runner.invoke(
        app,
        [
            "stats",
            "compare",
            str(tmp_path / "nope.csv"),
            "--dv",
            "y",
            "--group",
            "g",
            "--control",
            "v",
        ],
    )
    assert out.exit_code == 2
    assert "does not exist" in out.stderr


@pytest.mark.parametrize("command", ["compare", "compare-two", "describe"])
def test_data_errors_name_the_file(tmp_path, command):
    """Errors about the data name the table (as read errors do); option errors do not."""
    path = tmp_path / "groups.csv"
    path.write_text("g,y\nvehicle,1\nvehicle,2\nlow,3\n")
    extra = {
        "compare": ["--control", "vehicle"],
        "compare-two": ["--a", "low", "--b", "vehicle"],
        "describe": [],
    }[command]
    out = runner.invoke(app, ["stats", command, str(path), "--dv", "y", "--group", "g", *extra])
    if command == "describe":  # one value in a group is fine for a summary
        assert out.exit_code == 0, out.output
        return
    assert out.exit_code == 2
    err = out.stderr.strip()
    assert "groups.csv, field 'y': Expected at least 2 values per group" in err
    bad = runner.invoke(
        app,
        ["stats", "compare", str(path), "--dv", "y", "--group", "g", "--control", "vehicle",
         "--method", "nope"],
    )  # fmt: skip
    assert bad.stderr.startswith("error: field 'method'")


def test_sheet_option_and_encoding_warning(tmp_path: Path) -> None:
    """--sheet picks the workbook's sheet; a Windows-1252 CSV is read with one warning line."""
    import pandas as pd

    book = tmp_path / "book.xlsx"
    with pd.ExcelWriter(book) as w:
        pd.DataFrame({"about": ["notes"]}).to_excel(w, sheet_name="notes", index=False)
        pd.DataFrame({"g": ["a", "a", "b", "b"], "y": [1.0, 2.0, 3.0, 5.0]}).to_excel(
            w, sheet_name="data", index=False
        )
    result = runner.invoke(
        app, ["stats", "describe", str(book), "--dv", "y", "--group", "g", "--sheet", "data"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["stats", "describe", str(book), "--dv", "y", "--group", "g"])
    assert result.exit_code == 2 and "'y'" in result.stderr
    latin = tmp_path / "latin.csv"
    latin.write_bytes("g,y (µL)\na,1\na,2\nb,3\nb,4\n".encode("cp1252"))
    result = runner.invoke(app, ["stats", "describe", str(latin), "--dv", "y (µL)", "--group", "g"])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip().splitlines() == [
        f"warning: {latin}: not UTF-8; read as Windows-1252 (as Excel saves CSV). Check special "
        "characters such as µ or ° in the output, or save the file as CSV UTF-8"
    ]
