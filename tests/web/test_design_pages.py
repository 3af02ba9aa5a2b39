"""Draft a study from the knowledge base and randomise animals in the browser (issue 14).

References: the pages must give what the CLI gives on the same input — the draft text of
``neuroprotect design new`` and the allocation of ``neuroprotect design randomize --json`` with
the same seed — and a sealed key must open with ``open_key`` to exactly the open allocation.
"""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from neuroprotect.cli.main import app as cli
from neuroprotect.design.blinding import open_key
from tests.web.conftest import Lab, write_mini_study


def _textarea(page: str) -> str:
    found = re.search(r'<textarea[^>]*name="manifest_text"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, page[:500]
    return html.unescape(found.group(1))


def _data_link(page: str, name: str) -> str:
    found = re.search(rf'href="data:[^;]+;base64,([^"]+)" download="{re.escape(name)}"', page)
    assert found, name
    return base64.b64decode(found.group(1)).decode("utf-8")


def test_draft_page_shows_the_cli_draft_and_saves_the_edited_study(
    lab: Lab, tmp_path: Path
) -> None:
    analyst = lab.client("analyst")
    picker = analyst.get("/studies/draft")
    assert picker.status_code == 200 and "IMM-H004" in picker.text
    page = analyst.get(
        "/studies/draft", params={"compound": "imm_h004", "protocol": "mcao_reperfusion"}
    )
    assert page.status_code == 200
    cli_text = CliRunner().invoke(
        cli, ["design", "new", "--compound", "imm_h004", "--model", "mcao_reperfusion"]
    )
    assert cli_text.exit_code == 0, cli_text.output
    assert _textarea(page.text) == cli_text.output  # the same draft as `design new`
    # the user edits the draft into the mini study's groups and readouts, and saves it with files
    manifest = write_mini_study(tmp_path / "s")
    edited = manifest.read_text().replace("study_id: mini", "study_id: drafted")
    files = [
        ("files", (n, (manifest.parent / n).read_bytes())) for n in ("animals.csv", "water.csv")
    ]
    saved = analyst.post(
        "/studies/draft", data={"manifest_text": edited}, files=files, follow_redirects=False
    )
    assert saved.status_code == 303, saved.text
    studies = analyst.get("/api/studies").json()
    assert [s["study_id"] for s in studies] == ["drafted"]


def test_draft_errors_are_one_line_and_keep_the_text(lab: Lab) -> None:
    pi = lab.client("pi")
    bad = pi.get("/studies/draft", params={"compound": "no_such", "protocol": "mcao_reperfusion"})
    assert bad.status_code == 422
    assert "Expected a knowledge-base compound id, but got &#39;no_such&#39;" in bad.text
    text = pi.get(
        "/studies/draft", params={"compound": "imm_h004", "protocol": "mcao_reperfusion"}
    ).text
    draft = _textarea(text)
    refused = pi.post("/studies/draft", data={"manifest_text": draft})
    assert refused.status_code == 422
    assert "animals.csv" in refused.text  # names the missing file
    assert _textarea(refused.text) == draft  # the edits are not lost
    download = pi.post("/studies/draft", data={"manifest_text": draft, "action": "download"})
    assert download.text == draft and "study.yaml" in download.headers["content-disposition"]
    no_csrf = Lab.client(lab, None)
    no_csrf.cookies = pi.cookies
    assert no_csrf.post("/studies/draft", data={"manifest_text": draft}).status_code == 403


def _cli_allocation(manifest: Path, roster: Path, seed: int) -> dict[str, str]:
    args = ["design", "randomize", str(roster), "--study", str(manifest), "--seed", str(seed)]
    out = CliRunner().invoke(cli, [*args, "--json"])
    assert out.exit_code == 0, out.output
    return {r["animal_id"]: r["group"] for r in json.loads(out.output)["allocation"]}


def test_randomise_page_gives_the_cli_allocation_and_seals_the_key(
    lab: Lab, tmp_path: Path
) -> None:
    manifest = write_mini_study(tmp_path / "s")
    roster = manifest.parent / "animals.csv"
    parts = [
        ("manifest", ("study.yaml", manifest.read_bytes())),
        ("roster", ("roster.csv", roster.read_bytes())),
    ]
    analyst = lab.client("analyst")
    truth = _cli_allocation(manifest, roster, 11)
    opened = analyst.post("/randomise", files=parts, data={"seed": "11", "sex_strata": "1"})
    assert opened.status_code == 200, opened.text
    table = pd.read_csv(pd.io.common.StringIO(_data_link(opened.text, "animals.csv")))
    assert dict(zip(table["animal_id"], table["group"], strict=True)) == truth
    sealed = analyst.post(
        "/randomise", files=parts,
        data={"seed": "11", "sex_strata": "1", "passphrase": "s3cret", "passphrase_again": "s3cret"},
    )  # fmt: skip
    assert sealed.status_code == 200, sealed.text
    body = sealed.text.split("<main>", 1)[1]
    assert not re.search(r"<td>(sham|vehicle|low)</td>", body)  # codes only on the page
    key_file = tmp_path / "mini.key"
    key_file.write_text(_data_link(sealed.text, "mini.key"))
    coded = pd.read_csv(pd.io.common.StringIO(_data_link(sealed.text, "animals.csv")))
    group_of = open_key(key_file, "s3cret").group_codes
    decoded = {r.animal_id: group_of[r.group] for r in coded.itertuples()}
    assert decoded == truth
    events = lab.client("admin").get("/api/audit", params={"action": "randomised"}).json()
    assert [(e["actor"], e["details"]["concealed"]) for e in events] == [
        ("analyst@lab.org", True),
        ("analyst@lab.org", False),
    ]
    # randomising does not give the right to view a stored study's allocation
    assert lab.client("analyst").get("/studies/1/allocation").status_code in (403, 404)


def test_randomise_bad_input_is_one_line(lab: Lab, tmp_path: Path) -> None:
    manifest = write_mini_study(tmp_path / "s")
    roster = pd.read_csv(manifest.parent / "animals.csv").drop(columns=["animal_id"])
    parts = [
        ("manifest", ("study.yaml", manifest.read_bytes())),
        ("roster", ("roster.csv", roster.to_csv(index=False).encode())),
    ]
    pi = lab.client("pi")
    missing = pi.post("/randomise", files=parts, data={"seed": "1"})
    assert missing.status_code == 422 and "animal_id" in missing.text
    parts[1] = ("roster", ("roster.csv", (manifest.parent / "animals.csv").read_bytes()))
    differ = pi.post(
        "/randomise", files=parts, data={"seed": "1", "passphrase": "a", "passphrase_again": "b"}
    )
    assert differ.status_code == 422 and "Expected the same passphrase twice" in differ.text
    refused = lab.client("admin").get("/api/audit", params={"action": "randomisation refused"})
    assert len(refused.json()) == 2
