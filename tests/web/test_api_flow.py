"""A whole study through the JSON API: upload, run as a job, report, results, audit.

Reference for the numbers: the same study run by the CLI workflow (``run_study``) gives the same
results.json rows; the web layer adds no analysis of its own.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from neuroprotect.store.app_models import UploadRow
from neuroprotect.store.models import MeasurementRow, RunRow
from neuroprotect.web.worker import work_once
from neuroprotect.workflows.run import run_study
from tests.web.conftest import Lab, upload_parts, write_mini_study


def test_upload_run_report_results_audit(lab: Lab, tmp_path: Path) -> None:
    manifest = write_mini_study(tmp_path / "study")
    analyst = lab.client("analyst")
    created = analyst.post("/api/studies", files=upload_parts(manifest))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["study_id"] == "mini" and [f["path"] for f in body["files"]] == [
        "study.yaml",
        "animals.csv",
        "water.csv",
    ]
    assert not any(f["known"] for f in body["files"])

    queued = analyst.post(f"/api/studies/{body['id']}/runs")
    assert queued.status_code == 202
    job_id = queued.json()["job_id"]
    assert analyst.get(f"/api/jobs/{job_id}").json()["status"] == "queued"
    assert work_once(lab.engine, lab.settings, "test-worker")
    job = analyst.get(f"/api/jobs/{job_id}").json()
    assert job["status"] == "done", job
    assert job["progress"] == {"done": 4, "total": 4, "message": "writing report"}
    run_id = job["run_id"]

    report = analyst.get(f"/api/runs/{run_id}/report")
    assert report.status_code == 200 and "Minimal study" in report.text
    results = analyst.get(f"/api/runs/{run_id}/results").json()
    assert results["run"]["run_id"] == run_id

    cli_outcome, files = run_study(manifest, out_dir=tmp_path / "cli-out", store=False)
    reference = json.loads(files.results.read_text())
    assert results["results"] == reference["results"]
    assert results["run"]["input_hash"] == reference["run"]["input_hash"]

    provenance = analyst.get(f"/api/runs/{run_id}").json()
    assert provenance["study_id"] == "mini" and provenance["blinded"] is False

    entries = lab.client("pi").get("/api/audit").json()
    actions = [e["action"] for e in entries if e["action"] != "login"]
    assert actions[:4] == ["run stored", "run requested", "study validated", "study uploaded"]
    stored = lab.client("admin").get("/api/audit", params={"action": "run stored"}).json()
    assert stored[0]["actor"] == "analyst@lab.org" and stored[0]["run_id"] == run_id


def test_same_bytes_are_recognised_and_kept_read_only(lab: Lab, tmp_path: Path) -> None:
    manifest = write_mini_study(tmp_path / "study")
    client = lab.client("scorer")
    first = client.post("/api/studies", files=upload_parts(manifest)).json()
    second = client.post("/api/studies", files=upload_parts(manifest)).json()
    assert second["id"] != first["id"]
    assert all(f["known"] for f in second["files"])
    blobs = [p for p in (lab.settings.data_dir / "blobs").rglob("*") if p.is_file()]
    assert len(blobs) == 3  # each distinct file once
    for blob in blobs:
        assert not blob.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        assert blob.name in {f["sha256"] for f in first["files"]}


def test_refused_upload_keeps_nothing(lab: Lab, tmp_path: Path) -> None:
    manifest = write_mini_study(tmp_path / "study")
    client = lab.client("analyst")
    missing = client.post("/api/studies", files=upload_parts(manifest, ["animals.csv"]))
    assert missing.status_code == 422 and "water.csv" in missing.json()["detail"]
    traversal = upload_parts(manifest)
    traversal[1] = ("files", ("../evil.csv", b"x"))
    assert client.post("/api/studies", files=traversal).status_code == 422
    wrong_type = upload_parts(manifest) + [("files", ("run.exe", b"MZ"))]
    answer = client.post("/api/studies", files=wrong_type)
    assert answer.status_code == 422 and "run.exe" in answer.json()["detail"]
    with Session(lab.engine) as session:
        assert session.scalar(select(func.count()).select_from(UploadRow)) == 0
    assert not list((lab.settings.data_dir / "studies").glob("*"))
    refused = lab.client("admin").get("/api/audit", params={"action": "upload refused"}).json()
    assert len(refused) == 3


def test_failed_run_is_reported_and_stores_nothing(lab: Lab, tmp_path: Path) -> None:
    manifest = write_mini_study(tmp_path / "study")
    client = lab.client("pi")
    upload = client.post("/api/studies", files=upload_parts(manifest)).json()
    # the folder's water.csv is replaced behind the app's back (blobs stay untouched)
    folder = next((lab.settings.data_dir / "studies").iterdir())
    (folder / "water.csv").unlink()
    (folder / "water.csv").write_text("animal_id,wet_weight_mg,dry_weight_mg\nsham-0,abc,1\n")
    job_id = client.post(f"/api/studies/{upload['id']}/runs").json()["job_id"]
    work_once(lab.engine, lab.settings, "w")
    job = client.get(f"/api/jobs/{job_id}").json()
    assert job["status"] == "failed" and "water.csv" in job["error"] and job["run_id"] is None
    with Session(lab.engine) as session:
        assert session.scalar(select(func.count()).select_from(RunRow)) == 0
        assert session.scalar(select(func.count()).select_from(MeasurementRow)) == 0


def test_openapi_documents_the_api(lab: Lab) -> None:
    schema = lab.client(None).get("/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/api/health",
        "/api/session",
        "/api/studies",
        "/api/studies/{upload_id}/allocation",
        "/api/studies/{upload_id}/runs",
        "/api/jobs/{job_id}",
        "/api/runs/{run_id}/report",
        "/api/runs/{run_id}/report.pdf",
        "/api/runs/{run_id}/results",
        "/api/audit",
    } <= paths
    assert not any(not p.startswith("/api/") for p in paths)
