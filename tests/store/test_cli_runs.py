"""``neuroprotect runs list|show`` on a temp store holding one known run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from neuroprotect.cli.main import app
from neuroprotect.store import save_run

runner = CliRunner()


@pytest.fixture
def stored(engine: Engine, run_inputs: dict[str, Any]) -> tuple[str, str]:
    outcome = save_run(engine, **{**run_inputs, "parameters": {"alpha": 0.05, "nan": float("nan")}})
    assert engine.url.database is not None
    return engine.url.database, outcome.run_id


def test_runs_list_json(stored: tuple[str, str]) -> None:
    db, run_id = stored
    result = runner.invoke(app, ["runs", "list", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    runs = json.loads(result.output)
    assert [(r["run_id"], r["study_id"], r["n_measurements"], r["n_results"]) for r in runs] == [
        (run_id, "mini", 12, 2)
    ]
    assert runs[0]["started_at"] == "2026-11-23T10:00:00+00:00"
    other = runner.invoke(app, ["runs", "list", "--db", db, "--study", "other", "--json"])
    assert json.loads(other.output) == []


def test_runs_list_table_uses_env_url(
    stored: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, run_id = stored
    monkeypatch.setenv("NEUROPROTECT_DATABASE_URL", f"sqlite:///{db}")
    result = runner.invoke(app, ["runs", "list"])
    assert result.exit_code == 0, result.output
    assert run_id[:8] in result.output and "mini" in result.output


def test_runs_show_by_prefix(stored: tuple[str, str]) -> None:
    db, run_id = stored
    result = runner.invoke(app, ["runs", "show", run_id[:8], "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["run"]["run_id"] == run_id
    assert data["run"]["parameters"] == {"alpha": 0.05, "nan": None}
    assert data["study"]["extra"] == {"strain": "Sprague-Dawley"}
    assert {f["role"] for f in data["raw_files"]} == {"manifest", "water"}
    assert data["measurement_counts"] == [
        {"readout": "water", "variable": "brain_water_pct", "n": 12}
    ]
    omnibus, contrast = data["results"]
    assert omnibus["estimate"] is None and omnibus["statistic"] == 7.25
    assert contrast["p_adj"] == 0.018 and contrast["n"] == 8
    text = runner.invoke(app, ["runs", "show", run_id, "--db", db])
    assert text.exit_code == 0, text.output
    assert run_id in text.output and "dunnett" in text.output


def test_runs_list_and_show_say_whether_a_run_was_blinded(
    engine: Engine, run_inputs: dict[str, Any]
) -> None:
    """A blinded run and the unblinded run of the same study no longer look alike."""
    blinded = save_run(engine, **{**run_inputs, "parameters": {"blinded": True}}).run_id
    open_run = save_run(
        engine,
        **{**run_inputs, "parameters": {"blinded": False, "unblinded_with_key": "ab" * 32}},
    ).run_id
    older = save_run(engine, **{**run_inputs, "parameters": {"alpha": 0.05}}).run_id
    db = str(engine.url.database)
    listed = json.loads(runner.invoke(app, ["runs", "list", "--db", db, "--json"]).output)
    assert {r["run_id"]: r["blinded"] for r in listed} == {
        blinded: True,
        open_run: False,
        older: None,
    }
    table = runner.invoke(app, ["runs", "list", "--db", db]).output
    assert "blinded" in table
    rows = {line.split("│")[1].strip(): line for line in table.splitlines() if "mini" in line}
    assert "yes" in rows[blinded[:8]] and "no" in rows[open_run[:8]]
    shown = json.loads(runner.invoke(app, ["runs", "show", blinded, "--db", db, "--json"]).output)
    assert shown["run"]["blinded"] is True
    text = {
        run: runner.invoke(app, ["runs", "show", run, "--db", db]).output
        for run in (blinded, open_run, older)
    }
    assert "blinded    yes (analysed on group codes)" in text[blinded]
    assert "blinded    no (unblinded with key abababababab)" in text[open_run]
    assert "blinded    not recorded" in text[older]


def test_runs_errors_are_one_line(stored: tuple[str, str], tmp_path: Path) -> None:
    db, _ = stored
    result = runner.invoke(app, ["runs", "show", "zzz", "--db", db])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: Expected the id of a stored run, but no run id starts with 'zzz'"
    ]
    missing = runner.invoke(app, ["runs", "list", "--db", str(tmp_path / "typo.sqlite")])
    assert missing.exit_code == 2
    assert "Expected an existing store file" in missing.output
    assert not (tmp_path / "typo.sqlite").exists()


@pytest.mark.parametrize("command", ["run", "runs"])
def test_unusable_db_is_one_line_naming_it(mini_study: Path, tmp_path: Path, command: str) -> None:
    bad = tmp_path / "notes.sqlite"
    bad.write_text("not a database\n")
    args = (
        ["run", str(mini_study), "--out", str(tmp_path / "out"), "-q", "--db", str(bad)]
        if command == "run"
        else ["runs", "list", "--db", str(bad)]
    )
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    err = result.stderr.strip()
    assert err.startswith("error:") and "\n" not in err and str(bad) in err
    assert not (tmp_path / "out").exists()  # refused before any analysis or report
