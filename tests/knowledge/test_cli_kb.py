"""``neuroprotect kb`` through Typer's CliRunner."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from neuroprotect.cli.main import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["kb", *args])


def test_list_compounds_json() -> None:
    res = run("list", "compounds", "--json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert len(rows) == 10 and rows[0]["id"] == "igmesine"
    assert {"id", "formula", "mw", "uncertain", "uncertainty"} <= set(rows[0])


def test_list_efficacy_filtered_text_and_json() -> None:
    res = run("list", "efficacy", "--compound", "FENM")
    assert res.exit_code == 0, res.output
    assert "fenm-01" in res.stdout and "[UNCERTAIN]" in res.stdout and "igm-01" not in res.stdout
    rows = json.loads(run("list", "efficacy", "-c", "fenm", "--json").stdout)
    assert [r["id"] for r in rows] == ["fenm-01", "fenm-02", "fenm-03"]
    res = run("list", "targets", "--compound", "pre_084")
    assert res.stdout.count("[UNCERTAIN]") == 2


def test_show_compound_card() -> None:
    res = run("show", "igmesine")
    assert res.exit_code == 0, res.output
    out = res.stdout
    for text in (
        "C23H29N",
        "MW 319.49",
        "VCZSWYIFCKGTJI-UHFFFAOYSA-N",
        "IC50 39 +/- 8 nM",
        "mis-citation",
        "PMID:1979628",
        "igm-05",
        "UNCERTAIN",
        "structure:",
    ):
        assert text in out, text
    card = json.loads(run("show", "JO 1784", "--json").stdout)
    assert card["id"] == "igmesine" and card["targets"][0]["uncertain"]


def test_show_without_rdkit_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "rdkit", None)
    res = run("show", "imm_h004")
    assert res.exit_code == 0 and "pip install rdkit" in res.stdout
    res = run("show", "imm_h004", "--structure", str(tmp_path / "s.svg"))
    assert res.exit_code == 2 and "pip install rdkit" in res.stderr


def test_show_structure_with_rdkit(tmp_path: Path) -> None:
    pytest.importorskip("rdkit")
    out = tmp_path / "imm.svg"
    res = run("show", "imm_h004", "--structure", str(out))
    assert res.exit_code == 0, res.output
    ET.parse(out)


def test_show_other_records() -> None:
    res = run("show", "imm-ogd-05")
    assert res.exit_code == 0
    assert "NOTE [error] contradiction" in res.stdout
    assert json.loads(run("show", "BAX_BCL2_ratio", "--json").stdout)["section"] == "node"


def test_unknown_id_is_one_line_exit_2() -> None:
    res = run("show", "no-such-thing")
    assert res.exit_code == 2
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "no-such-thing" in lines[0]
    res = run("pathway", "aspirin", "--format", "svg", "--out", "x.svg")
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1


def test_search() -> None:
    res = run("search", "Bcl-2/Bax")
    assert res.exit_code == 0 and "imm-ogd-05" in res.stdout
    rows = json.loads(run("search", "okadaic", "--json").stdout)
    assert rows[0]["id"] == "imm-oka-01"


def test_pathway_outputs(tmp_path: Path) -> None:
    svg = tmp_path / "igm.svg"
    res = run("pathway", "igmesine", "--format", "svg", "--out", str(svg))
    assert res.exit_code == 0, res.output
    texts = {
        "".join(t.itertext()) for t in ET.parse(svg).getroot().iter() if t.tag.endswith("text")
    }
    assert "BDNF" in texts
    js = tmp_path / "imm.json"
    assert run("pathway", "IMM-H004", "-f", "json", "-o", str(js)).exit_code == 0
    assert {"nodes", "edges"} == set(json.loads(js.read_text()))
    page = tmp_path / "fenm.html"
    assert run("pathway", "fenm", "-f", "html", "-o", str(page)).exit_code == 0
    assert "cytoscape" in page.read_text()


def test_pathway_format_follows_the_out_suffix(tmp_path: Path) -> None:
    """`--out pathway.png` without --format used to write SVG text into the .png file."""
    png = tmp_path / "igm.png"
    assert run("pathway", "igmesine", "--out", str(png)).exit_code == 0
    assert png.read_bytes().startswith(b"\x89PNG")
    page = tmp_path / "igm.htm"
    assert run("pathway", "igmesine", "-o", str(page)).exit_code == 0
    assert "cytoscape" in page.read_text(encoding="utf-8")
    clash = run("pathway", "igmesine", "-f", "svg", "-o", str(tmp_path / "x.png"))
    assert clash.exit_code == 2 and "--format svg" in clash.stderr
    unknown = run("pathway", "igmesine", "-o", str(tmp_path / "x.txt"))
    assert unknown.exit_code == 2 and ".svg, .png, .json or .html" in unknown.stderr
    assert not (tmp_path / "x.png").exists() and not (tmp_path / "x.txt").exists()
