"""The app as a person uses it: `neuroprotect serve` in a subprocess, Chromium driven by Playwright.

Playwright drives Debian's ``chromium`` (``executable_path``; no browser download). Skipped with a
reason when Chromium or Playwright is missing (``.ci/run`` installs the ``chromium`` package).
Screenshots of each main page are kept in ``$NEUROPROTECT_SCREENSHOTS`` (default: the test's tmp
folder) as artefacts to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import write_mini_study

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PASSWORD = "browser test password"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``neuroprotect serve`` on a free port with users admin, analyst and scorer."""
    folder = tmp_path_factory.mktemp("served")
    db = f"sqlite:///{folder / 'lab.sqlite'}"
    from argon2 import PasswordHasher

    from neuroprotect.store.accounts import add_user
    from neuroprotect.store.engine import init_db, make_engine

    engine = make_engine(db)  # users made here (the users CLI has its own test), test-sized argon2
    init_db(engine)
    hashed = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    for role in ("admin", "analyst", "scorer"):
        add_user(engine, f"{role}@lab.org", role=role, password_hash=hashed)
    engine.dispose()
    cli = [sys.executable, "-m", "neuroprotect.cli.main"]
    port = _free_port()
    log = (folder / "serve.log").open("w")
    proc = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--db", db, "--data-dir", str(folder / "data")],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError((folder / "serve.log").read_text())
        yield base, folder
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_served_app_runs_jobs_through_its_own_worker(
    server: tuple[str, Path], tmp_path: Path
) -> None:
    """One command starts the app and the worker: a queued run finishes with no other process."""
    base, _ = server
    manifest = write_mini_study(tmp_path / "study", study_id="served")
    with httpx.Client(base_url=base) as client:
        login = client.post("/api/session", json={"email": "analyst@lab.org", "password": PASSWORD})
        client.headers["X-CSRF-Token"] = login.json()["csrf_token"]
        files = [("manifest", ("study.yaml", manifest.read_bytes()))] + [
            ("files", (n, (manifest.parent / n).read_bytes())) for n in ("animals.csv", "water.csv")
        ]
        study = client.post("/api/studies", files=files).json()["id"]
        job_id = client.post(f"/api/studies/{study}/runs").json()["job_id"]
        for _ in range(600):
            job = client.get(f"/api/jobs/{job_id}").json()
            if job["status"] in ("done", "failed"):
                break
            time.sleep(0.2)
        assert job["status"] == "done", job
        assert client.get(f"/api/runs/{job['run_id']}/report").status_code == 200


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_browser_login_upload_run_report_and_scorer_denied(
    server: tuple[str, Path], tmp_path: Path
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    base, _ = server
    shots = Path(os.environ.get("NEUROPROTECT_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    manifest = write_mini_study(tmp_path / "study", study_id="browser")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"{base}/studies")
        assert page.url.startswith(f"{base}/login")
        page.screenshot(path=shots / "login.png")
        page.fill("#email", "analyst@lab.org")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/studies")
        page.goto(f"{base}/studies/new")
        page.set_input_files("#manifest", str(manifest))
        page.set_input_files(
            "#files", [str(manifest.parent / "animals.csv"), str(manifest.parent / "water.csv")]
        )
        page.screenshot(path=shots / "upload.png")
        page.click("text=Upload and validate")
        page.wait_for_selector("text=Uploaded and validated")
        page.screenshot(path=shots / "study.png", full_page=True)
        page.click("text=Run the analysis")
        page.wait_for_selector("text=Open the report", timeout=120_000)  # htmx polling
        page.screenshot(path=shots / "job.png")
        page.click("text=Open the report")
        page.wait_for_selector("iframe.report")
        run_url = page.url
        assert "/runs/" in run_url
        report = page.frame_locator("iframe.report")
        report.locator("text=Minimal study").first.wait_for()
        page.screenshot(path=shots / "run.png")
        page.goto(f"{base}/studies")
        page.screenshot(path=shots / "studies.png")

        scorer = browser.new_page(viewport={"width": 1366, "height": 768})
        scorer.goto(f"{base}/login")
        scorer.fill("#email", "scorer@lab.org")
        scorer.fill("#password", PASSWORD)
        scorer.click("button[type=submit]")
        scorer.wait_for_url(f"{base}/studies")
        assert scorer.locator("text=Audit log").count() == 0
        denied = scorer.goto(f"{base}/audit")
        assert denied is not None and denied.status == 403
        assert scorer.locator("text=Not allowed").count() == 1
        scorer.screenshot(path=shots / "scorer-denied.png")
        assert scorer.goto(run_url).status == 403  # type: ignore[union-attr]  # group names

        admin = browser.new_page(viewport={"width": 1366, "height": 768})
        admin.goto(f"{base}/login")
        admin.fill("#email", "admin@lab.org")
        admin.fill("#password", PASSWORD)
        admin.click("button[type=submit]")
        admin.wait_for_url(f"{base}/studies")
        admin.goto(run_url)
        admin.check("input[name=meaning][value=approved]")
        admin.fill("#sign-password", PASSWORD)
        admin.click("button:text-is('Sign')")
        admin.wait_for_selector("text=Signed.")
        assert admin.locator("td", has_text="admin@lab.org").count() == 1
        signed_report = admin.frame_locator("iframe.report")
        signed_report.locator("#signatures").wait_for()
        admin.screenshot(path=shots / "signed.png", full_page=True)
        admin.goto(f"{base}/audit")
        assert admin.locator("td", has_text="run stored").count() >= 1
        admin.screenshot(path=shots / "audit.png")
        browser.close()
    names = (
        "login",
        "upload",
        "study",
        "job",
        "run",
        "studies",
        "scorer-denied",
        "signed",
        "audit",
    )
    for name in names:
        assert (shots / f"{name}.png").stat().st_size > 5000


def test_browser_draft_a_study_and_randomise(server: tuple[str, Path], tmp_path: Path) -> None:
    """Draft from the knowledge base, download it, randomise a roster with a sealed key."""
    sync_api = pytest.importorskip("playwright.sync_api")
    base, _ = server
    shots = Path(os.environ.get("NEUROPROTECT_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    manifest = write_mini_study(tmp_path / "study", study_id="randomised")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1366, "height": 768}, accept_downloads=True)
        page.goto(f"{base}/login")
        page.fill("#email", "analyst@lab.org")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/studies")
        page.click("nav >> text=Draft")
        page.select_option("#compound", "imm_h004")
        page.select_option("#protocol", "mcao_r_filament")
        page.click("button:text-is('Draft')")
        page.wait_for_selector("textarea.manifest")
        assert "study_id: imm-h004-mcao-r-filament" in page.input_value("textarea.manifest")
        page.screenshot(path=shots / "draft.png")
        with page.expect_download() as download:
            page.click("text=Download study.yaml")
        assert "groups:" in Path(download.value.path()).read_text()
        page.click("nav >> text=Randomise")
        page.set_input_files("#manifest", str(manifest))
        page.set_input_files("#roster", str(manifest.parent / "animals.csv"))
        page.fill("#seed", "42")
        page.fill("#passphrase", "a sealed passphrase")
        page.fill("#passphrase_again", "a sealed passphrase")
        page.screenshot(path=shots / "randomise.png")
        page.click("button:text-is('Randomise')")
        page.wait_for_selector("text=Concealed: groups are codes")
        page.screenshot(path=shots / "randomised.png")
        with page.expect_download() as key:
            page.click("text=Download the sealed key")
        assert "neuroprotect-sealed-key-v1" in Path(key.value.path()).read_text()
        browser.close()
    for name in ("draft", "randomise", "randomised"):
        assert (shots / f"{name}.png").stat().st_size > 10_000


def test_browser_knowledge_base_and_meta_analysis(server: tuple[str, Path], tmp_path: Path) -> None:
    """A compound card with its interactive pathway, and a meta-analysis with its forest plot."""
    sync_api = pytest.importorskip("playwright.sync_api")
    base, _ = server
    shots = Path(os.environ.get("NEUROPROTECT_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    table = tmp_path / "comparisons.csv"
    table.write_text(
        "study,n_treat,mean_treat,sd_treat,n_ctrl,mean_ctrl,sd_ctrl\n"
        "Ai 2019,8,20,5,8,40,6\nLi 2020,10,30,6,10,45,8\nWang 2021,6,25,7,6,30,7\n"
        "Zhao 2022,9,15,4,9,38,9\n"
    )
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"{base}/login")
        page.fill("#email", "scorer@lab.org")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/studies")
        page.click("nav >> text=Knowledge")
        page.screenshot(path=shots / "knowledge.png")
        page.click("text=IMM-H004")
        page.wait_for_selector("canvas")  # Cytoscape drew the graph (no network needed)
        page.locator("canvas").first.scroll_into_view_if_needed()
        page.screenshot(path=shots / "compound.png")
        page.click("nav >> text=Meta-analysis")
        page.set_input_files("#table", str(table))
        page.select_option("#method", "dl")
        page.click("button:text-is('Analyse')")
        page.wait_for_selector(".forest svg")
        page.screenshot(path=shots / "meta.png", full_page=True)
        browser.close()
    for name in ("knowledge", "compound", "meta"):
        assert (shots / f"{name}.png").stat().st_size > 10_000
