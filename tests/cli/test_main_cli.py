"""Top-level CLI: info, schema, validate."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from rich.markup import render
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


def _commands(group: Any) -> Iterator[tuple[tuple[str, ...], Any]]:
    from neuroprotect.cli.lazy import walk_commands

    yield from walk_commands(group)


def test_no_help_text_is_eaten_as_rich_markup() -> None:
    """Help is rendered as Rich markup: an unescaped "[x]" in help text silently disappears."""
    eaten = []
    commands = list(_commands(typer.main.get_command(app)))
    assert len(commands) > 40
    for path, cmd in commands:
        texts = [cmd.help or ""] + [getattr(p, "help", None) or "" for p in cmd.params]
        for text in texts:
            if render(text).plain != text.replace("\\[", "["):
                eaten.append(f"{' '.join(path)}: {text[:60]}")
    assert not eaten


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


def test_group_help_is_one_line_saying_what_it_is_for() -> None:
    """Each command group (and each command) is summed up in one unwrapped line of --help."""
    import typer

    from neuroprotect.cli.lazy import load_command
    from neuroprotect.cli.main import COMMAND_GROUPS

    top = runner.invoke(app, ["--help"], terminal_width=80).output
    for name, entry in COMMAND_GROUPS.items():
        # the summary listed without importing the group is the group's own help
        summary = (load_command(name, entry).help or "").strip().split("\n\n")[0]
        assert summary == entry.help, name
        assert summary and "\n" not in summary and len(summary) <= 80, name
        start = " ".join(summary.split()[:4])  # meta's summary wraps in an 80-column terminal
        assert any(start in line for line in top.splitlines()), name
        group = runner.invoke(app, [name, "--help"], terminal_width=80)
        assert group.exit_code == 0 and summary in " ".join(group.output.split())

    for path, command in _commands(typer.main.get_command(app)):
        if not hasattr(command, "commands"):
            first = (getattr(command, "help", "") or "").strip().split("\n\n")[0]
            assert first and "\n" not in first, path


def test_run_out_that_is_a_file(mini_study: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("keep me")
    result = runner.invoke(app, ["run", str(mini_study), "--out", str(target), "--no-store", "-q"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert (
        result.stderr.strip()
        == f"error: {target}: Expected a folder for the output, but got a file"
    )
    assert target.read_text() == "keep me"


def test_group_help_names_what_the_group_does() -> None:
    """`neuroprotect --help` is where a new user looks for a command: each group's one-line help
    names every kind of command in it (it used to omit dosing sheets, qPCR, Y-maze...)."""
    from neuroprotect.cli.main import COMMAND_GROUPS

    said = {name: entry.help.lower() for name, entry in COMMAND_GROUPS.items()}
    expected = {
        "design": ("draft", "size", "randomis", "blind", "dosing", "dose conversion", "checklist"),
        "assay": ("elisa", "binding", "viability", "griess", "qpcr", "western"),
        "behavior": ("water maze", "strateg", "y-maze", "open field", "passive avoidance"),
    }
    for group, words in expected.items():
        assert [w for w in words if w not in said[group]] == [], group


def test_demo_and_run_say_where_the_run_is_stored_and_its_warnings(tmp_path: Path) -> None:
    """`demo` prints the store and the run's warnings exactly as `run` does."""
    store = tmp_path / "demo.sqlite"
    demo = runner.invoke(app, ["demo", "--out", str(tmp_path / "d"), "--db", str(store), "-q"])
    assert demo.exit_code == 0, demo.output
    lines = demo.stderr.splitlines()
    assert lines[0].startswith("run ") and lines[0].endswith(f" stored in {store.resolve()}")
    warnings = [ln for ln in lines if ln.startswith("warning: ")]
    assert any("excluded" in w for w in warnings)
    manifest = tmp_path / "d" / "imm-h004-mcao" / "study.yaml"
    again = runner.invoke(
        app, ["run", str(manifest), "--out", str(tmp_path / "r"), "--db", str(store), "-q"]
    )
    assert again.exit_code == 0, again.output
    assert again.stderr.splitlines() == [
        lines[0].replace(" stored in ", " already stored (identical inputs), reused in "),
        *warnings,
    ]
