"""Top-level CLI: info, schema, validate."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from neuroprotect.cli.main import app
from neuroprotect.schema.manifest import study_json_schema

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


def test_info_lists_versions() -> None:
    result = runner.invoke(app, ["info"])
    assert result.exit_code == 0
    assert "neuroprotect" in result.output and "numpy" in result.output


def test_every_command_has_help() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("run", "validate", "demo", "info", "schema"):
        assert name in result.output
        sub = runner.invoke(app, [name, "--help"])
        assert sub.exit_code == 0, name
        assert "Usage" in sub.output


def test_docs_schema_is_current() -> None:
    """docs/study.schema.json is what `neuroprotect schema` prints (regenerate it if this fails)."""
    on_disk = json.loads((ROOT / "docs" / "study.schema.json").read_text())
    assert on_disk == study_json_schema()


def test_validate_bad_manifest_one_line_exit_2(mini_study: Path) -> None:
    text = mini_study.read_text().replace("dose_mg_kg: 3", "dose_mg_kg: lots")
    mini_study.write_text(text)
    result = runner.invoke(app, ["validate", str(mini_study)])
    assert result.exit_code == 2
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1
    assert "study.yaml: groups[2].dose_mg_kg: Expected a number >= 0, but got 'lots'" in lines[0]


def test_readouts_lists_every_type() -> None:
    from neuroprotect.workflows.readouts import readout_types

    result = runner.invoke(app, ["readouts", "--json"])
    assert result.exit_code == 0, result.output
    listed = {r["type"] for r in json.loads(result.output)}
    assert listed == set(readout_types()) and {"ttc_table", "neuro_score"} <= listed


def test_validate_lists_each_manifest_problem_and_kb_warning(mini_study: Path) -> None:
    text = mini_study.read_text().replace("dose_mg_kg: 3", "dose_mg_kg: ten")
    mini_study.write_text(text.replace("study_id: mini", "study_id: mini\nalpha: 2"))
    result = runner.invoke(app, ["validate", str(mini_study)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.splitlines() == [
        f"error: {mini_study}: groups[2].dose_mg_kg: Expected a number >= 0, but got 'ten'",
        f"error: {mini_study}: alpha: Expected a number > 0 and < 1, but got 2",
    ]
    mini_study.write_text(text.replace("dose_mg_kg: ten", "dose_mg_kg: 3").replace(
        "compound: imm_h004", "compound: mystery"))  # fmt: skip
    result = runner.invoke(app, ["validate", str(mini_study)])
    assert result.exit_code == 0, result.output
    (warning,) = result.stderr.splitlines()
    assert warning.startswith(f"warning: {mini_study}: compound: 'mystery' is not in the knowledge")
