"""Knowledge-base and meta-analysis pages (issue 14).

References: the meta-analysis page must show the numbers of ``neuroprotect meta --json`` on the
same table (the CLI is checked against R metafor in tests/meta); the compound page the values of
``compound_card`` (the knowledge base's own records), with the vendored Cytoscape.js inlined.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from neuroprotect.cli.main import app as cli
from tests.web.conftest import Lab

SMALL = """study,n_treat,mean_treat,sd_treat,n_ctrl,mean_ctrl,sd_ctrl,sham_mean
A,8,20,5,8,40,6,0
B,10,30,6,10,45,8,0
C,6,25,7,6,30,7,0
D,9,15,4,9,38,9,0
"""


def test_knowledge_pages_show_cards_and_the_offline_pathway_graph(lab: Lab) -> None:
    scorer = lab.client("scorer")
    listing = scorer.get("/knowledge")
    assert listing.status_code == 200 and 'href="/knowledge/imm_h004"' in listing.text
    page = scorer.get("/knowledge/imm_h004")
    assert page.status_code == 200
    assert "IMM-H004" in page.text and "PMID:31176667" in page.text  # a cited record
    assert "cytoscape" in page.text.lower() and not re.search(
        r"<script[^>]+src=\"https?:", page.text
    )
    missing = scorer.get("/knowledge/no_such")
    assert missing.status_code == 404 and "Expected a knowledge-base compound id" in missing.text


def test_meta_page_shows_the_cli_numbers_and_a_forest_plot(lab: Lab, tmp_path: Path) -> None:
    path = tmp_path / "small.csv"
    path.write_text(SMALL)
    cli_out = CliRunner().invoke(
        cli, ["meta", str(path), "--method", "dl", "--test", "knha", "--json"]
    )
    assert cli_out.exit_code == 0, cli_out.output
    truth = json.loads(cli_out.stdout)
    page = lab.client("analyst").post(
        "/meta", files=[("table", ("small.csv", SMALL.encode()))],
        data={"measure": "smd", "method": "dl", "test": "knha", "input_format": "table"},
    )  # fmt: skip
    assert page.status_code == 200, page.text
    assert f"<strong>{truth['estimate']:.4f}</strong>" in page.text
    assert f"[{truth['ci_low']:.4f}, {truth['ci_high']:.4f}]" in page.text
    assert f"I² {truth['i2']:.2f}%" in page.text
    assert "<svg" in page.text and page.text.count("<tr><td>") == 4


def test_meta_page_bad_input_is_one_line(lab: Lab) -> None:
    pi = lab.client("pi")
    no_sd = SMALL.replace("sd_ctrl", "sd_control")
    missing = pi.post("/meta", files=[("table", ("small.csv", no_sd.encode()))])
    assert missing.status_code == 422 and "sd_ctrl" in missing.text
    assert len(re.findall(r'class="flash error"', missing.text)) == 1
    bad = pi.post("/meta", files=[("table", ("s.csv", SMALL.encode()))], data={"method": "xx"})
    assert bad.status_code == 422 and "method: Expected one of reml" in bad.text


def test_meta_page_escapes_study_names(lab: Lab) -> None:
    """A study name is text: neither the table nor the inlined forest SVG runs it as markup."""
    evil = SMALL.replace("A,8", '"x--><script>alert(1)</script>",8')
    page = lab.client("analyst").post("/meta", files=[("table", ("e.csv", evil.encode()))])
    assert page.status_code == 200, page.text
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)" in page.text
