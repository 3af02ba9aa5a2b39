"""Shared CLI helpers: output paths get their folders created; unusable ones give one line."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from neuroprotect.cli._common import output_dir, output_file
from neuroprotect.cli.main import app

runner = CliRunner()

META_TABLE = """study,n_treat,mean_treat,sd_treat,n_ctrl,mean_ctrl,sd_ctrl,sham_mean
A,8,20,5,8,40,6,0
B,10,30,6,10,45,8,0
C,6,25,7,6,30,7,0
"""


def test_output_file_creates_missing_folders(tmp_path: Path) -> None:
    target = tmp_path / "new" / "deeper" / "out.csv"
    assert output_file(target) == target
    assert target.parent.is_dir() and not target.exists()


def test_output_file_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(typer.Exit):
        output_file(tmp_path)


def test_output_dir_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    with pytest.raises(typer.Exit):
        output_dir(tmp_path / "plain" / "sub")


def _cases(study: Path, work: Path) -> dict[str, list[str]]:
    (work / "meta.csv").write_text(META_TABLE)
    return {
        "schema --out": ["schema", "--out", "{out}.json"],
        "design new --out": [
            "design", "new", "--compound", "imm_h004", "--model", "mcao_reperfusion",
            "--out", "{out}.yaml",
        ],
        "design randomize --key-out": [
            "design", "randomize", str(study.parent / "animals.csv"), "--study", str(study),
            "--seed", "1", "--key-out", "{out}.csv",
        ],
        "design randomize --codes-out": [
            "design", "randomize", str(study.parent / "animals.csv"), "--study", str(study),
            "--seed", "1", "--codes-out", "{out}.csv",
        ],
        "design dosing-sheet --out": [
            "design", "dosing-sheet", str(study), "--stock", "low=1.5",
            "--vehicle-ml-per-kg", "2", "--out", "{out}.csv",
        ],
        "kb pathway --out": ["kb", "pathway", "imm_h004", "--format", "json", "--out", "{out}.json"],
        "meta --forest": [
            "meta", str(work / "meta.csv"), "--measure", "md", "--forest", "{out}.png",
        ],
    }  # fmt: skip


CASES = [
    "schema --out",
    "design new --out",
    "design randomize --key-out",
    "design randomize --codes-out",
    "design dosing-sheet --out",
    "kb pathway --out",
    "meta --forest",
]


@pytest.mark.parametrize("case", CASES)
def test_output_options_create_missing_folders(mini_study: Path, tmp_path: Path, case: str) -> None:
    stem = tmp_path / "not" / "yet" / "there" / "result"
    args = [a.replace("{out}", str(stem)) for a in _cases(mini_study, tmp_path)[case]]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    written = list(stem.parent.iterdir())
    assert len(written) == 1 and written[0].stat().st_size > 0


def test_output_option_under_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    result = runner.invoke(app, ["schema", "--out", str(tmp_path / "plain" / "s.json")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    err = result.stderr.strip()
    assert err.startswith("error:") and "\n" not in err and "plain" in err
