"""The job worker: claims queued runs from the database and runs them with the run workflow.

``neuroprotect serve`` starts one worker thread beside the app; more workers (threads or other
processes on the same database) can run at once, since claiming is atomic (``store.jobs``).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import uuid
from datetime import timedelta

from sqlalchemy import Engine

from neuroprotect.errors import InputError
from neuroprotect.store.accounts import get_user
from neuroprotect.store.jobs import DEFAULT_LEASE, Job, claim_job, finish_job, heartbeat
from neuroprotect.store.repository import audit
from neuroprotect.web.settings import WebSettings
from neuroprotect.web.uploads import get_upload, run_dir


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def format_progress(done: int, total: int, message: str) -> str:
    return f"{done}/{total} {message}"


def parse_progress(text: str | None) -> dict[str, object]:
    """``{"done", "total", "message"}`` of a job's stored progress text."""
    head, _, message = (text or "").partition(" ")
    done, _, total = head.partition("/")
    if done.isdigit() and total.isdigit():
        return {"done": int(done), "total": int(total), "message": message}
    return {"done": 0, "total": None, "message": text or ""}


def run_job(engine: Engine, settings: WebSettings, job: Job, worker: str) -> None:
    """Run one claimed job to the end: ``done`` with its run id, or ``failed`` with the reason."""
    from neuroprotect.schema.manifest import load_study
    from neuroprotect.workflows.run import run_study

    upload = get_upload(engine, settings, job.upload_id)
    user = get_user(engine, job.requested_by)
    actor = user.email if user else "unknown"
    out = settings.data_dir / "runs" / f".job-{job.id}-{uuid.uuid4().hex[:8]}"
    stop = threading.Event()

    def beat() -> None:  # keeps the lease while a long step runs without progress messages
        while not stop.wait(DEFAULT_LEASE.total_seconds() / 4):
            heartbeat(engine, job.id, worker)

    pulse = threading.Thread(target=beat, name=f"job-{job.id}-heartbeat", daemon=True)
    pulse.start()
    try:
        if upload is None:
            raise InputError(f"Expected an uploaded study, but upload {job.upload_id} is gone")
        total = len(load_study(upload.manifest).readouts) + 3
        step = 0

        def progress(message: str) -> None:
            nonlocal step
            step = min(step + 1, total)
            heartbeat(engine, job.id, worker, progress=format_progress(step, total, message))

        outcome, _files = run_study(
            upload.manifest,
            out_dir=out,
            db_url=settings.database_url,
            progress=progress,
            actor=actor,
        )
        assert outcome.run_id is not None
        final = run_dir(settings, outcome.run_id)
        if final.exists():  # identical inputs: the stored run was reused; its report renewed
            shutil.rmtree(final)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(out, final)
        finish_job(engine, job.id, worker, run_id=outcome.run_id)
    except Exception as exc:  # noqa: BLE001 - every failure ends the job with its reason
        reason = exc.one_line() if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
        reason = " ".join(reason.split())
        finish_job(engine, job.id, worker, error=reason)
        audit(
            engine,
            action="run failed",
            study_id=upload.study_id if upload else None,
            details={"job": job.id, "upload": job.upload_id, "reason": reason},
            actor=actor,
        )
    finally:
        stop.set()
        pulse.join()
        shutil.rmtree(out, ignore_errors=True)


def work_once(engine: Engine, settings: WebSettings, worker: str) -> bool:
    """Claim and run one job; False when there was none."""
    job = claim_job(engine, worker)
    if job is None:
        return False
    run_job(engine, settings, job, worker)
    return True


class Worker:
    """A background thread polling the job table."""

    def __init__(self, engine: Engine, settings: WebSettings, *, poll: timedelta) -> None:
        self.engine, self.settings, self.poll = engine, settings, poll
        self.name = worker_name()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="neuroprotect-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = work_once(self.engine, self.settings, self.name)
            except Exception:  # noqa: BLE001 - a database hiccup must not kill the worker
                busy = False
            if not busy:
                self._stop.wait(self.poll.total_seconds())
