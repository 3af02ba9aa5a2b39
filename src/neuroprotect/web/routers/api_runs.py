"""``/api/jobs/{id}`` and ``/api/runs/{id}``: job status, run provenance, report, results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel

from neuroprotect.store.jobs import get_job
from neuroprotect.store.repository import audit
from neuroprotect.store.signatures import list_signatures
from neuroprotect.web.deps import CurrentUser, EngineDep, SettingsDep
from neuroprotect.web.pdf import report_pdf
from neuroprotect.web.queries import job_view, run_for
from neuroprotect.web.schemas import JobPublic, RunPublic
from neuroprotect.web.signing import report_with_signatures, sign, signature_view
from neuroprotect.web.uploads import run_dir

router = APIRouter(prefix="/api", tags=["runs"])


@router.get("/jobs/{job_id}", response_model=JobPublic)
def job_status(job_id: int, user: CurrentUser, engine: EngineDep) -> Any:
    job = get_job(engine, job_id)
    if job is None:
        raise HTTPException(404, f"Expected the id of a job, but got {job_id}")
    view = job_view(job)
    if view["run_id"]:
        try:
            run_for(engine, user, view["run_id"])
        except HTTPException:
            view["run_id"] = None  # a scorer does not learn the id of a run with group names
    return view


@router.get("/runs/{run_id}", response_model=RunPublic)
def run_provenance(run_id: str, user: CurrentUser, engine: EngineDep) -> Any:
    return run_for(engine, user, run_id)


def run_file(settings: Any, run_id: str, name: str) -> Path:
    path: Path = run_dir(settings, run_id) / name
    if not path.is_file():
        raise HTTPException(
            404, f"This run has no {name} here (it was stored outside the web app); re-run it"
        )
    return path


@router.get("/runs/{run_id}/report", response_class=HTMLResponse)
def run_report(run_id: str, user: CurrentUser, engine: EngineDep, settings: SettingsDep) -> Any:
    """The run's report (HTML, self-contained)."""
    run_for(engine, user, run_id)
    text = run_file(settings, run_id, "report.html").read_text(encoding="utf-8")
    return HTMLResponse(report_with_signatures(engine, run_id, text))


@router.get("/runs/{run_id}/report.pdf", response_class=FileResponse)
def run_report_pdf(run_id: str, user: CurrentUser, engine: EngineDep, settings: SettingsDep) -> Any:
    """The run's report as PDF (printed by headless Chromium; 503 when it is not installed)."""
    run = run_for(engine, user, run_id)
    report = run_file(settings, run_id, "report.html")
    signatures = list_signatures(engine, run_id)
    text = report_with_signatures(engine, run_id, report.read_text(encoding="utf-8"))
    pdf = report_pdf(report, text, tag=f"-signed{len(signatures)}" if signatures else "")
    audit(engine, action="report exported", study_id=run["study_id"], run_id=run_id,
          details={"format": "pdf"}, actor=user.email)  # fmt: skip
    return FileResponse(pdf, media_type="application/pdf", filename=f"report-{run_id[:8]}.pdf")


@router.get("/runs/{run_id}/results")
def run_results(run_id: str, user: CurrentUser, engine: EngineDep, settings: SettingsDep) -> Any:
    """The run's ``results.json`` document."""
    run_for(engine, user, run_id)
    path = run_file(settings, run_id, "results.json")
    return JSONResponse(json.loads(path.read_text(encoding="utf-8")))


class SignatureCreate(BaseModel):
    password: str
    meaning: str  # "reviewed" or "approved"


@router.get("/runs/{run_id}/signatures")
def run_signatures(run_id: str, user: CurrentUser, engine: EngineDep) -> Any:
    """Signatures of the run, each with ``valid``: the run still has the signed content."""
    run_for(engine, user, run_id)
    return [signature_view(s) for s in list_signatures(engine, run_id)]


@router.post("/runs/{run_id}/signatures", status_code=201)
def sign_run_route(run_id: str, body: SignatureCreate, user: CurrentUser, engine: EngineDep) -> Any:
    """Sign the run (admin; a PI for the PI's own studies), re-entering the password.

    The signature binds the signer, the meaning ("reviewed": I have reviewed this analysis run,
    its inputs and its results; "approved": I approve it as the study's record), the server time
    and the run's content hash. A signed run is locked in the database.
    """
    run = run_for(engine, user, run_id)
    return signature_view(sign(engine, user, run, password=body.password, meaning=body.meaning))
