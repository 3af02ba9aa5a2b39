"""A job queue in the store's own database (no broker): enqueue, claim, heartbeat, finish.

Claiming is one atomic statement: ``UPDATE jobs ... WHERE id = (SELECT ... LIMIT 1) RETURNING``;
on PostgreSQL the inner SELECT takes ``FOR UPDATE SKIP LOCKED``, so concurrent workers never get
the same job; on SQLite the write lock (``BEGIN IMMEDIATE``) serialises the claims.

A worker refreshes the job's heartbeat while it works. A ``running`` job whose heartbeat is older
than the lease belongs to a worker that died (killed, machine restarted): the next claim takes it
again. Since a run is stored in one transaction, a dead worker leaves no partial rows behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, or_, select, update
from sqlalchemy.orm import Session

from neuroprotect.store.app_models import JobRow
from neuroprotect.store.engine import write_session
from neuroprotect.store.models import utc_now

#: A running job whose worker has not been heard of for this long is taken to be abandoned.
DEFAULT_LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    upload_id: int
    requested_by: int
    status: str
    progress: str | None
    worker: str | None
    attempts: int
    run_id: str | None
    error: str | None
    created_at: datetime
    heartbeat_at: datetime | None
    finished_at: datetime | None


def _job(row: JobRow) -> Job:
    return Job(
        row.id,
        row.kind,
        row.upload_id,
        row.requested_by,
        row.status,
        row.progress,
        row.worker,
        row.attempts,
        row.run_id,
        row.error,
        row.created_at,
        row.heartbeat_at,
        row.finished_at,
    )


def enqueue(engine: Engine, *, kind: str, upload_id: int, requested_by: int) -> int:
    """Add a queued job; returns its id."""
    with write_session(engine) as session:
        row = JobRow(
            kind=kind,
            upload_id=upload_id,
            requested_by=requested_by,
            status="queued",
            attempts=0,
            progress="queued",
        )
        session.add(row)
        session.flush()
        return row.id


def get_job(engine: Engine, job_id: int) -> Job | None:
    with Session(engine) as session:
        row = session.get(JobRow, job_id)
        return _job(row) if row is not None else None


def list_jobs(engine: Engine, *, upload_id: int | None = None) -> list[Job]:
    stmt = select(JobRow).order_by(JobRow.id.desc())
    if upload_id is not None:
        stmt = stmt.where(JobRow.upload_id == upload_id)
    with Session(engine) as session:
        return [_job(r) for r in session.scalars(stmt)]


def claim_job(engine: Engine, worker: str, *, lease: timedelta = DEFAULT_LEASE) -> Job | None:
    """Atomically take the oldest queued (or abandoned) job for ``worker``; None when idle."""
    now = utc_now()
    claimable = or_(
        JobRow.status == "queued",
        and_(JobRow.status == "running", JobRow.heartbeat_at < now - lease),
    )
    oldest = (
        select(JobRow.id)
        .where(claimable)
        .order_by(JobRow.id)
        .limit(1)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite serialises writers instead
        .scalar_subquery()
    )
    stmt = (
        update(JobRow)
        .where(JobRow.id == oldest, claimable)
        .values(
            status="running",
            worker=worker,
            heartbeat_at=now,
            attempts=JobRow.attempts + 1,
            progress="started",
            error=None,
        )
        .returning(JobRow.id)
    )
    with write_session(engine) as session:
        job_id = session.execute(stmt).scalar()
    return get_job(engine, job_id) if job_id is not None else None


def heartbeat(engine: Engine, job_id: int, worker: str, *, progress: str | None = None) -> bool:
    """Refresh a claimed job's heartbeat (and progress); False when another worker took it over."""
    values: dict[str, object] = {"heartbeat_at": utc_now()}
    if progress is not None:
        values["progress"] = progress
    with write_session(engine) as session:
        result = session.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.worker == worker, JobRow.status == "running")
            .values(**values)
            .returning(JobRow.id)
        )
        return result.scalar() is not None


def finish_job(
    engine: Engine,
    job_id: int,
    worker: str,
    *,
    run_id: str | None = None,
    error: str | None = None,
) -> bool:
    """Mark a job done (with its run) or failed (with a one-line error), if ``worker`` holds it."""
    with write_session(engine) as session:
        result = session.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.worker == worker, JobRow.status == "running")
            .values(
                status="failed" if error else "done",
                run_id=run_id,
                error=error,
                finished_at=utc_now(),
            )
            .returning(JobRow.id)
        )
        return result.scalar() is not None


__all__ = [
    "DEFAULT_LEASE",
    "Job",
    "claim_job",
    "enqueue",
    "finish_job",
    "get_job",
    "heartbeat",
    "list_jobs",
]
