"""``/api/studies``: upload (multipart), list, detail, allocation, start a run."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from fastapi.concurrency import run_in_threadpool

from neuroprotect.errors import InputError
from neuroprotect.store.jobs import enqueue
from neuroprotect.store.repository import audit
from neuroprotect.web.deps import CurrentUser, EngineDep, RunStarter, SettingsDep, Uploader
from neuroprotect.web.queries import (
    allocation,
    check_allocation_right,
    study_detail,
    study_public,
    upload_or_404,
)
from neuroprotect.web.schemas import Allocation, JobCreated, StudyCreated, StudyDetail, StudyPublic
from neuroprotect.web.unblinding import unblind
from neuroprotect.web.uploads import list_uploads, save_upload

router = APIRouter(prefix="/api/studies", tags=["studies"])


@router.get("", response_model=list[StudyPublic])
def list_studies(user: CurrentUser, engine: EngineDep, settings: SettingsDep) -> list[Any]:
    return [study_public(engine, u) for u in list_uploads(engine, settings)]


@router.post("", response_model=StudyCreated, status_code=201)
async def upload_study(
    user: Uploader,
    engine: EngineDep,
    settings: SettingsDep,
    manifest: UploadFile = File(..., description="study.yaml"),
    files: list[UploadFile] = File(default=[], description="every file study.yaml names"),
) -> StudyCreated:
    """Upload a study: its study.yaml and every file it names (by their paths relative to it).

    Files are hashed (SHA-256) and kept by hash; bytes uploaded before are recognised
    (``known``). The study is validated as by ``neuroprotect validate``: 422 with the reason
    when it does not validate, and nothing is kept.
    """
    try:
        result = await run_in_threadpool(
            save_upload,
            engine,
            settings,
            user,
            manifest=manifest.file,
            files=[(f.filename, f.file) for f in files],
        )
    except InputError as exc:
        audit(engine, action="upload refused", details={"reason": exc.one_line()}, actor=user.email)
        raise HTTPException(422, exc.one_line()) from None
    return StudyCreated(
        id=result.id,
        study_id=result.study_id,
        files=[vars(f) for f in result.files],
    )


@router.get("/{upload_id}", response_model=StudyDetail)
def get_study(upload_id: int, user: CurrentUser, engine: EngineDep, settings: SettingsDep) -> Any:
    upload = upload_or_404(engine, settings, upload_id)
    return study_detail(engine, settings, user, upload)


@router.get("/{upload_id}/allocation", response_model=Allocation)
def get_allocation(
    upload_id: int, user: CurrentUser, engine: EngineDep, settings: SettingsDep
) -> Any:
    """Which animal is in which group: admin, and a PI for the PI's own studies (403 otherwise)."""
    upload = upload_or_404(engine, settings, upload_id)
    check_allocation_right(user, upload)
    audit(
        engine,
        action="allocation viewed",
        study_id=upload.study_id,
        details={"upload": upload.id},
        actor=user.email,
    )
    return allocation(engine, upload)


@router.post("/{upload_id}/runs", response_model=JobCreated, status_code=202)
def start_run(
    upload_id: int, user: RunStarter, engine: EngineDep, settings: SettingsDep
) -> JobCreated:
    """Queue a run of the study; poll ``/api/jobs/{job_id}``."""
    upload = upload_or_404(engine, settings, upload_id)
    job_id = enqueue(engine, kind="run", upload_id=upload.id, requested_by=user.id)
    audit(
        engine,
        action="run requested",
        study_id=upload.study_id,
        details={"job": job_id, "upload": upload.id},
        actor=user.email,
    )
    return JobCreated(job_id=job_id)


@router.post("/{upload_id}/unblind")
def unblind_route(
    upload_id: int,
    user: CurrentUser,
    engine: EngineDep,
    settings: SettingsDep,
    key: UploadFile = File(
        ..., description="the sealed allocation key (design randomize --seal-key)"
    ),
    passphrase: str = Form(...),
) -> Any:
    """Unblind a blinded study (admin; a PI for the PI's own studies), as ``neuroprotect unblind``.

    Returns ``{"study_id", "group_codes", "unblinded_at"}``; later runs use the group names.
    """
    upload = upload_or_404(engine, settings, upload_id)
    return unblind(engine, settings, user, upload, key=key.file, passphrase=passphrase)
