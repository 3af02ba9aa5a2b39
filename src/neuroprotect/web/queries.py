"""What the pages and the API show, with the role rules applied in one place."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from neuroprotect.store.accounts import User, get_user
from neuroprotect.store.jobs import Job, list_jobs
from neuroprotect.store.models import RunRow, StudyRow
from neuroprotect.store.reading import run_blinded
from neuroprotect.web.permissions import has_right, may_see_run
from neuroprotect.web.settings import WebSettings
from neuroprotect.web.uploads import Upload, get_upload, upload_files
from neuroprotect.web.worker import parse_progress


def upload_or_404(engine: Engine, settings: WebSettings, upload_id: int) -> Upload:
    upload = get_upload(engine, settings, upload_id)
    if upload is None:
        raise HTTPException(404, f"Expected the id of an uploaded study, but got {upload_id}")
    return upload


def owner_email(engine: Engine, upload: Upload) -> str | None:
    owner = get_user(engine, upload.owner_id)
    return owner.email if owner else None


def runs_of_study(engine: Engine, study_id: str) -> list[dict[str, Any]]:
    stmt = (
        select(RunRow, StudyRow.study_id)
        .join(StudyRow, RunRow.study_pk == StudyRow.id)
        .where(StudyRow.study_id == study_id)
        .order_by(RunRow.started_at.desc())
    )
    with Session(engine) as session:
        return [_run(r, sid) for r, sid in session.execute(stmt)]


def _run(row: RunRow, study_id: str) -> dict[str, Any]:
    return {
        "run_id": row.run_id,
        "study_id": study_id,
        "blinded": run_blinded(row.parameters),
        "status": row.status,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
        "package_version": row.package_version,
        "input_hash": row.input_hash,
    }


def visible_runs(engine: Engine, user: User, study_id: str) -> list[dict[str, Any]]:
    """The runs of a study the user may open (a scorer: only runs on group codes)."""
    return [
        r
        for r in runs_of_study(engine, study_id)
        if may_see_run(user.role, blinded_run=bool(r["blinded"]))
    ]


def run_for(engine: Engine, user: User, run_id: str) -> dict[str, Any]:
    """A run the user may open: 404 when unknown, 403 when the role may not see it."""
    stmt = (
        select(RunRow, StudyRow.study_id)
        .join(StudyRow, RunRow.study_pk == StudyRow.id)
        .where(RunRow.run_id == run_id)
    )
    with Session(engine) as session:
        found = session.execute(stmt).first()
        if found is None:
            raise HTTPException(404, f"Expected the id of a stored run, but got {run_id!r}")
        run = _run(found[0], found[1])
    if not may_see_run(user.role, blinded_run=bool(run["blinded"])):
        raise HTTPException(
            403, f"Your role ({user.role}) may not see results with group names (unblinded)"
        )
    return run


def job_view(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "status": job.status,
        "progress": parse_progress(job.progress),
        "run_id": job.run_id,
        "error": job.error,
        "upload_id": job.upload_id,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


def study_detail(
    engine: Engine, settings: WebSettings, user: User, upload: Upload
) -> dict[str, Any]:
    jobs = [job_view(j) for j in list_jobs(engine, upload_id=upload.id)]
    runs = visible_runs(engine, user, upload.study_id)
    visible = {r["run_id"] for r in runs}
    for job in jobs:  # a scorer does not learn the id of a run it may not open
        if job["run_id"] and job["run_id"] not in visible:
            job["run_id"] = None
    return {
        **study_public(engine, upload),
        "files": [
            {"path": f.path, "sha256": f.sha256, "size": f.size}
            for f in upload_files(engine, upload.id)
        ],
        "jobs": jobs,
        "runs": runs,
    }


def study_public(engine: Engine, upload: Upload) -> dict[str, Any]:
    return {
        "id": upload.id,
        "study_id": upload.study_id,
        "title": upload.title,
        "blinded": upload.blinded,
        "owner": owner_email(engine, upload),
        "created_at": upload.created_at,
    }


def check_allocation_right(user: User, upload: Upload) -> None:
    """``allocation.view``, and for a PI only on the PI's own studies."""
    if not has_right(user.role, "allocation.view"):
        raise HTTPException(403, f"Your role ({user.role}) may not view the allocation")
    if user.role == "pi" and upload.owner_id != user.id:
        raise HTTPException(403, "A PI may view the allocation of the PI's own studies only")


def allocation(engine: Engine, upload: Upload) -> dict[str, Any]:
    """Which animal is in which group (codes for a blinded study, names once unblinded)."""
    from neuroprotect.io.animals import load_animals
    from neuroprotect.schema.manifest import load_study
    from neuroprotect.store.unblinding import get_unblinding

    study = load_study(upload.manifest)
    animals = load_animals(study)
    unblinding = get_unblinding(engine, study.study_id) if study.blinded else None
    codes = unblinding["group_codes"] if unblinding else {}
    rows = []
    for rec in animals[["animal_id", "group"]].to_dict("records"):
        item: dict[str, str | None] = {
            "animal_id": str(rec["animal_id"]),
            "group": str(rec["group"]),
        }
        if study.blinded:
            item["group_name"] = codes.get(str(rec["group"]))
        rows.append(item)
    return {
        "study_id": study.study_id,
        "blinded": study.blinded,
        "unblinded": unblinding is not None,
        "animals": rows,
    }
