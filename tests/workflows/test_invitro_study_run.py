"""The OGD/R PC12 draft end to end as an in vitro study: `design new` -> `design randomize`
(randomised plate layouts) -> small raw files -> `validate` -> `run` -> a report that speaks of
cultures and independent experiments, not animals.

The ROS plates are written on the randomised layouts (one plate per experiment, blank wells
included); the other readouts reuse the small files of tests/design/test_drafts_validate.py.
Reference for the ROS numbers: the analytic signal written into the plates (vehicle cultures
at 2x the normoxia signal -> 200 % of control in every experiment).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from tests.design.test_drafts_validate import TO_SET, _draft, _write_files
from typer.testing import CliRunner

from neuroprotect.cli.main import app

SIGNAL = {"normoxia": 1000.0, "vehicle": 2000.0, "imm_h004": 1500.0}


def _visible_text(page: str) -> str:
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture(scope="module")
def ogd_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("ogd")
    manifest, _ = _draft(d, "ogd_r_pc12")
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "design", "randomize", "--study", str(manifest), "--seed", "13",
            "--experiments", "3", "--replicates", "3", "--blanks", "2",
            "--cultures-out", str(d / "cultures.csv"), "--layout-out", str(d / "layout.csv"),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    cultures = pd.read_csv(d / "cultures.csv", dtype=str)
    groups = dict(zip(cultures["culture_id"], cultures["group"], strict=True))
    doc = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    assert doc["animals"] == "cultures.csv" and doc["setting"] == "in_vitro"
    for r in doc["readouts"]:
        r["params"].update(TO_SET.get(r["type"], {}))
        if r["type"] != "ros_fluorescence":
            _write_files(d, r, groups)
            continue
        # ROS on the randomised layouts: one plate per experiment
        r["files"], r["params"]["layout"] = [], []
        for e in (1, 2, 3):
            layout = pd.read_csv(d / f"layout_E{e}.csv")
            value, seen = [], dict.fromkeys(SIGNAL, 0)
            for t, g in zip(layout["type"], layout["group"], strict=True):
                if t != "sample":
                    value.append(100.0)  # blank
                    continue
                # wells -20, 0, +20 around the experiment's signal; the injured groups shift
                # by experiment (-2.5 %, 0, +2.5 % of control) so the experiments differ
                shift = 0.0 if g == "normoxia" else 25.0 * (e - 2)
                value.append(SIGNAL[g] + 100.0 + shift + 20.0 * (seen[g] - 1))
                seen[g] += 1
            pd.DataFrame({"well": layout["well"], "value": value}).to_csv(
                d / f"ros_E{e}.csv", index=False
            )
            r["files"].append(f"ros_E{e}.csv")
            r["params"]["layout"].append(f"layout_E{e}.csv")
    manifest.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    return manifest


def test_ogd_draft_validates_with_its_files(ogd_study: Path) -> None:
    result = CliRunner().invoke(app, ["validate", str(ogd_study)])
    assert result.exit_code == 0, result.output
    assert "ok: imm-h004-ogd-r-pc12" in result.output
    assert "independent experiment" not in result.output  # 3 experiments: no warning


def test_ogd_study_runs_to_an_in_vitro_report(ogd_study: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(ogd_study), "--out", str(out), "--no-store"])
    assert result.exit_code == 0, result.output
    results = (out / "results.json").read_text(encoding="utf-8")
    assert '"unit_of_analysis": "experiment_mean"' in results
    page = (out / "report.html").read_text(encoding="utf-8")
    text = _visible_text(page)
    assert "cultures were allocated to 3 groups" in text
    assert "came from 3 independent experiments; the independent experiment is the unit" in text
    assert "compared on these experiment means" in text
    assert "Dots: independent experiments" in text
    assert "Analysed n (independent experiments)" in text and "Cells PC12" in text
    assert "per experiment" in text  # y axes (SVG text, wrapped)
    assert "not applicable" in text and "Culture ID" in text
    # outside the checklists (whose ARRIVE titles name animals), no animal anywhere
    rest = _visible_text(re.sub(r'<section id="checklists">.*?</section>', " ", page, flags=re.S))
    assert len(rest) > 5000 and "Mechanism" in rest and "Warnings" in rest
    assert "animal" not in rest.lower()
    # ROS: 197.5, 200 and 202.5 % of control for the vehicle in the 3 experiments (mean 200),
    # 147.5, 150, 152.5 % for IMM-H004
    assert "OGD/R + vehicle 3 200 2.50 1.44 200" in text
    assert "IMM-H004 3 150 2.50 1.44 150" in text
