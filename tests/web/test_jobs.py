"""The job queue: atomic claims under concurrency, and a worker killed mid-run.

Analytic expectations: N jobs claimed by K concurrent workers are each claimed exactly once; a
worker killed (os._exit, as by SIGKILL) inside the store transaction leaves no run rows, and the
job is claimed again and finished by the next worker once its lease has run out.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from neuroprotect.store.jobs import claim_job, enqueue, finish_job, get_job, heartbeat
from neuroprotect.store.models import MeasurementRow, ResultRow, RunRow
from neuroprotect.web.worker import run_job
from tests.web.conftest import Lab, upload_parts, write_mini_study


def _upload(lab: Lab, tmp_path: Path) -> int:
    manifest = write_mini_study(tmp_path / "study")
    answer = lab.client("analyst").post("/api/studies", files=upload_parts(manifest))
    return int(answer.json()["id"])


def test_concurrent_workers_claim_each_job_once(lab: Lab, tmp_path: Path) -> None:
    upload = _upload(lab, tmp_path)
    user = lab.users["analyst"].id
    jobs = {enqueue(lab.engine, kind="run", upload_id=upload, requested_by=user) for _ in range(12)}
    claimed: list[tuple[str, int]] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        while (job := claim_job(lab.engine, name)) is not None:
            with lock:
                claimed.append((name, job.id))
            finish_job(lab.engine, job.id, name, run_id=None)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [job_id for _, job_id in claimed]
    assert sorted(ids) == sorted(jobs)  # every job once, none twice
    assert all(get_job(lab.engine, j).status == "done" for j in jobs)  # type: ignore[union-attr]


def test_abandoned_job_is_taken_over_and_the_old_worker_is_shut_out(
    lab: Lab, tmp_path: Path
) -> None:
    upload = _upload(lab, tmp_path)
    job_id = enqueue(lab.engine, kind="run", upload_id=upload, requested_by=lab.users["pi"].id)
    first = claim_job(lab.engine, "dead-worker")
    assert first is not None and first.id == job_id
    assert claim_job(lab.engine, "other") is None  # still leased
    second = claim_job(lab.engine, "other", lease=timedelta(0))
    assert second is not None and second.id == job_id and second.attempts == 2
    assert not heartbeat(lab.engine, job_id, "dead-worker")
    assert not finish_job(lab.engine, job_id, "dead-worker", error="late")
    assert finish_job(lab.engine, job_id, "other", run_id=None)


KILLER = textwrap.dedent(
    """
    import os, sys
    from neuroprotect.store import repository
    from neuroprotect.store.engine import make_engine
    from neuroprotect.store.jobs import claim_job
    from neuroprotect.web.settings import WebSettings
    from neuroprotect.web.worker import run_job

    real = repository.frame_to_rows
    def dying(frame, fields, *, table, **kw):
        if table == "results":  # measurements already inserted, transaction still open
            os._exit(9)
        return real(frame, fields, table=table, **kw)
    repository.frame_to_rows = dying
    settings = WebSettings(database_url=sys.argv[1], data_dir=sys.argv[2], start_worker=False)
    engine = make_engine(sys.argv[1])
    job = claim_job(engine, "doomed")
    run_job(engine, settings, job, "doomed")
    """
)


def test_worker_killed_mid_run_leaves_no_partial_rows_and_the_job_reruns(
    lab: Lab, tmp_path: Path
) -> None:
    upload = _upload(lab, tmp_path)
    job_id = enqueue(lab.engine, kind="run", upload_id=upload, requested_by=lab.users["pi"].id)
    url = lab.settings.database_url
    done = subprocess.run(
        [sys.executable, "-c", KILLER, url, str(lab.settings.data_dir)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 9, done.stderr
    job = get_job(lab.engine, job_id)
    assert job is not None and job.status == "running" and job.worker == "doomed"
    with Session(lab.engine) as session:
        for table in (RunRow, MeasurementRow, ResultRow):
            assert session.scalar(select(func.count()).select_from(table)) == 0
    retry = claim_job(lab.engine, "rescuer", lease=timedelta(0))
    assert retry is not None and retry.id == job_id
    run_job(lab.engine, lab.settings, retry, "rescuer")
    final = get_job(lab.engine, job_id)
    assert final is not None and final.status == "done" and final.run_id
    with Session(lab.engine) as session:
        assert session.scalar(select(func.count()).select_from(RunRow)) == 1
        assert session.scalar(select(func.count()).select_from(MeasurementRow)) == 12
