"""Pages: studies list and detail, upload, run with live progress, run report, allocation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from neuroprotect.errors import InputError
from neuroprotect.store.jobs import enqueue, get_job
from neuroprotect.store.repository import audit
from neuroprotect.store.signatures import MEANINGS, list_signatures
from neuroprotect.web.deps import EngineDep, LoginDep, SettingsDep
from neuroprotect.web.permissions import has_right
from neuroprotect.web.queries import (
    allocation,
    check_allocation_right,
    job_view,
    run_for,
    study_detail,
    study_public,
    upload_or_404,
)
from neuroprotect.web.sessions import Login
from neuroprotect.web.signing import may_sign, sign, signature_view
from neuroprotect.web.templating import render
from neuroprotect.web.unblinding import may_unblind, unblind
from neuroprotect.web.uploads import list_uploads, run_dir, save_upload

router = APIRouter()


def _need(login: Login, right: str) -> None:
    if not has_right(login.user.role, right):
        raise HTTPException(403, f"Your role ({login.user.role}) may not do this ({right})")


@router.get("/studies")
def studies_page(
    request: Request, login: LoginDep, engine: EngineDep, settings: SettingsDep
) -> Response:
    _need(login, "studies.read")
    studies = [study_public(engine, u) for u in list_uploads(engine, settings)]
    return render(request, "studies.html", login, section="studies", studies=studies)


@router.get("/studies/new")
def upload_page(request: Request, login: LoginDep, settings: SettingsDep) -> Response:
    _need(login, "studies.upload")
    return render(request, "study_new.html", login, section="upload", settings=settings)


@router.post("/studies/new")
async def upload_submit(
    request: Request,
    login: LoginDep,
    engine: EngineDep,
    settings: SettingsDep,
    manifest: UploadFile = File(...),
    files: list[UploadFile] = File(default=[]),
) -> Response:
    _need(login, "studies.upload")
    chosen = [f for f in files if f.filename]  # an empty file input sends one nameless part
    try:
        result = await run_in_threadpool(
            save_upload,
            engine,
            settings,
            login.user,
            manifest=manifest.file,
            files=[(f.filename, f.file) for f in chosen],
        )
    except InputError as exc:
        audit(
            engine,
            action="upload refused",
            details={"reason": exc.one_line()},
            actor=login.user.email,
        )
        return render(
            request, "study_new.html", login, status_code=422, section="upload",
            settings=settings, error=exc.one_line(),
        )  # fmt: skip
    return RedirectResponse(f"/studies/{result.id}?uploaded=1", status_code=303)


@router.get("/studies/{upload_id}")
def study_page(
    upload_id: int,
    request: Request,
    login: LoginDep,
    engine: EngineDep,
    settings: SettingsDep,
    uploaded: int = 0,
) -> Response:
    _need(login, "studies.read")
    upload = upload_or_404(engine, settings, upload_id)
    return _study_page(request, login, engine, settings, upload, flash=FLASHES.get(uploaded))


FLASHES = {
    1: "Uploaded and validated: every file the manifest names is here.",
    2: "Unblinded: the next run uses the group names.",
}


def _study_page(
    request: Request,
    login: Login,
    engine: EngineDep,
    settings: SettingsDep,
    upload: Any,
    *,
    flash: str | None = None,
    error: str | None = None,
) -> Response:
    from neuroprotect.store.unblinding import get_unblinding

    try:
        check_allocation_right(login.user, upload)
        may_view_allocation = True
    except HTTPException:
        may_view_allocation = False
    return render(
        request, "study.html", login, status_code=422 if error else 200, section="studies",
        study=study_detail(engine, settings, login.user, upload),
        may_view_allocation=may_view_allocation, flash=flash, error=error,
        may_unblind=may_unblind(engine, login.user, upload)
        and get_unblinding(engine, upload.study_id) is None,
    )  # fmt: skip


@router.post("/studies/{upload_id}/unblind")
def unblind_submit(
    upload_id: int,
    request: Request,
    login: LoginDep,
    engine: EngineDep,
    settings: SettingsDep,
    key: UploadFile = File(...),
    passphrase: str = Form(...),
) -> Response:
    upload = upload_or_404(engine, settings, upload_id)
    if not may_unblind(engine, login.user, upload):
        raise HTTPException(403, f"Your role ({login.user.role}) may not unblind this study")
    try:
        unblind(engine, settings, login.user, upload, key=key.file, passphrase=passphrase)
    except HTTPException as exc:
        return _study_page(request, login, engine, settings, upload, error=str(exc.detail))
    return RedirectResponse(f"/studies/{upload_id}?uploaded=2", status_code=303)


@router.post("/studies/{upload_id}/run")
def run_submit(
    upload_id: int, login: LoginDep, engine: EngineDep, settings: SettingsDep
) -> Response:
    _need(login, "runs.start")
    upload = upload_or_404(engine, settings, upload_id)
    job_id = enqueue(engine, kind="run", upload_id=upload.id, requested_by=login.user.id)
    audit(
        engine, action="run requested", study_id=upload.study_id,
        details={"job": job_id, "upload": upload.id}, actor=login.user.email,
    )  # fmt: skip
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


def _job_for(engine: EngineDep, login: Login, job_id: int) -> dict[str, object]:
    job = get_job(engine, job_id)
    if job is None:
        raise HTTPException(404, f"Expected the id of a job, but got {job_id}")
    view = job_view(job)
    if isinstance(view["run_id"], str):
        try:
            run_for(engine, login.user, view["run_id"])
        except HTTPException:
            view["run_id"] = None
    return view


@router.get("/jobs/{job_id}")
def job_page(
    job_id: int, request: Request, login: LoginDep, engine: EngineDep, settings: SettingsDep
) -> Response:
    _need(login, "studies.read")
    job = _job_for(engine, login, job_id)
    upload = upload_or_404(engine, settings, int(str(job["upload_id"])))
    return render(request, "job.html", login, section="studies", job=job,
                  study=study_public(engine, upload))  # fmt: skip


@router.get("/jobs/{job_id}/status")
def job_status_fragment(
    job_id: int, request: Request, login: LoginDep, engine: EngineDep
) -> Response:
    """The progress card alone, polled by htmx every second while the job runs."""
    _need(login, "studies.read")
    return render(request, "job_status.html", login, job=_job_for(engine, login, job_id))


@router.get("/runs/{run_id}")
def run_page(
    run_id: str,
    request: Request,
    login: LoginDep,
    engine: EngineDep,
    settings: SettingsDep,
    signed: int = 0,
) -> Response:
    run = run_for(engine, login.user, run_id)
    return _run_page(request, login, engine, settings, run, flash="Signed." if signed else None)


def _run_page(
    request: Request,
    login: Login,
    engine: EngineDep,
    settings: SettingsDep,
    run: dict[str, Any],
    *,
    flash: str | None = None,
    error: str | None = None,
) -> Response:
    has_report = (run_dir(settings, run["run_id"]) / "report.html").is_file()
    return render(
        request, "run.html", login, status_code=422 if error else 200, section="studies",
        run=run, has_report=has_report, flash=flash, error=error,
        signatures=[signature_view(s) for s in list_signatures(engine, run["run_id"])],
        may_sign=may_sign(engine, login.user, run["study_id"]), meanings=MEANINGS,
    )  # fmt: skip


@router.post("/runs/{run_id}/sign")
def sign_submit(
    run_id: str,
    request: Request,
    login: LoginDep,
    engine: EngineDep,
    settings: SettingsDep,
    password: str = Form(...),
    meaning: str = Form(...),
) -> Response:
    run = run_for(engine, login.user, run_id)
    try:
        sign(engine, login.user, run, password=password, meaning=meaning)
    except HTTPException as exc:
        if exc.status_code == 403 and not may_sign(engine, login.user, run["study_id"]):
            raise
        return _run_page(request, login, engine, settings, run, error=str(exc.detail))
    return RedirectResponse(f"/runs/{run_id}?signed=1", status_code=303)


@router.get("/studies/{upload_id}/allocation")
def allocation_page(
    upload_id: int, request: Request, login: LoginDep, engine: EngineDep, settings: SettingsDep
) -> Response:
    upload = upload_or_404(engine, settings, upload_id)
    check_allocation_right(login.user, upload)
    audit(engine, action="allocation viewed", study_id=upload.study_id,
          details={"upload": upload.id}, actor=login.user.email)  # fmt: skip
    return render(
        request, "allocation.html", login, section="studies", alloc=allocation(engine, upload)
    )
