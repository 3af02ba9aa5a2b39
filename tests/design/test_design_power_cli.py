"""`design power` (issue 7) against R pwr (shared/data/stats/pwr-power/expected_R_pwr.json)."""

from __future__ import annotations

import json
import math

import pytest
from tests.conftest import shared_data
from typer.testing import CliRunner

from neuroprotect.cli.main import app

runner = CliRunner()


def _pwr() -> dict:  # type: ignore[type-arg]
    return json.loads(shared_data("stats", "pwr-power", "expected_R_pwr.json").read_text())["pwr"]


def _run(*args: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, ["design", "power", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_t_two_groups_matches_pwr() -> None:
    """R: pwr.t.test(d = 1.2, power = 0.8)$n = 11.94 -> 12 per group."""
    out = _run("--test", "t", "--effect-size", "1.2", "--power", "0.8")
    assert out["n_per_group_exact"] == pytest.approx(_pwr()["d1.2_power0.8_n_per_group"], rel=1e-4)
    assert out["n_per_group"] == 12
    assert {"n_per_group", "n_total_with_attrition", "power_achieved", "method"} <= set(out)


def test_anova_and_attrition() -> None:
    """R: pwr.anova.test(k = 4, f = 0.25, power = 0.8)$n = 44.6 -> 45 per group."""
    out = _run("--test", "anova", "--groups", "4", "--effect-size", "0.25", "--attrition", "0.2")
    assert out["n_per_group_exact"] == pytest.approx(_pwr()["anova_k4_f0.25_power0.8_n"], rel=1e-4)
    assert out["n_total_with_attrition"] == math.ceil(45 * 4 / 0.8)


def test_difference_and_sd_give_d() -> None:
    """difference 30 mm3, SD 25 -> d = 1.2 (same n as above)."""
    out = _run("--test", "t", "--difference", "30", "--sd", "25")
    assert out["n_per_group"] == 12


def test_bad_input_one_line() -> None:
    result = runner.invoke(
        app, ["design", "power", "--test", "t", "--effect-size", "1", "--power", "0.8", "--n", "10"]
    )
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1


def _snippet(output: str) -> str:
    """The YAML after the 'for study.yaml' line of the text output."""
    head, sep, snippet = output.partition("(paste the sample_size block under design:):\n")
    assert sep, output
    return snippet


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["design", "power", "--test", "t", "--effect-size", "1.2", "--attrition", "0.2"],
            {"effect_size": 1.2, "alpha": 0.05, "power": 0.8, "attrition": 0.2},
        ),
        (
            ["stats", "power", "--test", "anova", "--groups", "4", "--effect-size", "0.5"]
            + ["--n", "10", "--alpha", "0.01"],
            {"effect_size": 0.5, "alpha": 0.01, "attrition": 0.0},
        ),
        (
            ["stats", "power", "--test", "repeated", "--control-means", "60,45,35"]
            + ["--effect-per-day", "0,-10,-15", "--subject-sd", "6", "--residual-sd", "10"]
            + ["--nsim", "50", "--n", "6"],
            {"alpha": 0.05, "attrition": 0.0},
        ),
    ],
)
def test_text_output_ends_with_a_sample_size_block_that_validates(
    mini_study, args: list[str], expected: dict
) -> None:  # type: ignore[type-arg]
    """Pasted into study.yaml (ARRIVE/STAIR ask for design.sample_size), the block is valid."""
    from neuroprotect.schema.manifest import load_study

    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    snippet = _snippet(result.stdout)
    mini_study.write_text(mini_study.read_text() + snippet)
    given = load_study(mini_study).design.sample_size
    assert given is not None and given.method in result.stdout
    assert given.model_dump(exclude={"method"}, exclude_none=True).items() >= expected.items()
    if "--n" in args:  # the power reached at that n
        power = [ln for ln in result.stdout.splitlines() if "power at that n" in ln][0]
        assert given.power == pytest.approx(float(power.split(":")[1].split()[0]), abs=1e-3)
