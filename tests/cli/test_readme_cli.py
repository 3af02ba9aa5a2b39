"""The commands README.md tells a new user to type work as written."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from neuroprotect.cli.main import app
from neuroprotect.schema.manifest import Study

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "imm-h004-mcao"


def _block(after: str, lang: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(after)
    match = re.compile(rf"```{lang}\n(.*?)```", re.S).search(text, start)
    assert match, f"no ```{lang} block after {after!r}"
    return match.group(1)


def test_running_your_own_study_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each command of 'Running your own study', in order, in a fresh folder; the comment line
    between them is where the user brings the data (here: the example study's files)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEUROPROTECT_DATABASE_URL", f"sqlite:///{tmp_path / 'runs.sqlite'}")
    pd.read_csv(EXAMPLE / "animals.csv")[["animal_id", "sex", "body_weight_g"]].to_csv(
        "roster.csv", index=False
    )
    ran = []
    for line in _block("## Running your own study", "sh").splitlines():
        if line.startswith("#"):  # the experiment: readout files arrive next to study.yaml
            for name in ("neuro_scores", "ttc_slices", "brain_water", "evans_blue_samples"):
                shutil.copy(EXAMPLE / f"{name}.csv", tmp_path)
            shutil.copy(EXAMPLE / "evans_blue_standards.csv", tmp_path)
            draft = yaml.safe_load(Path("study.yaml").read_text(encoding="utf-8"))
            for readout in draft["readouts"]:  # the lab's own value, which validate asks for
                if readout["type"] == "evans_blue":
                    readout["params"]["extraction_volume_ml"] = 2.5
            Path("study.yaml").write_text(yaml.safe_dump(draft), encoding="utf-8")
            continue
        command = shlex.split(line.split("  #")[0])
        assert command[0] == ".venv/bin/neuroprotect", line
        result = CliRunner().invoke(app, command[1:])
        assert result.exit_code == 0, f"{line}\n{result.output}"
        ran.append(command[1:3])
    assert ran[0] == ["design", "new"] and ran[-1] == ["runs", "list"]
    assert Path("results/report.html").is_file()


def test_manifest_example_is_a_valid_manifest() -> None:
    Study.model_validate(yaml.safe_load(_block("A manifest (full schema", "yaml")))
