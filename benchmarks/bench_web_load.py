"""Load on the web app: 20 concurrent uploads and 4 concurrent runs against `neuroprotect serve`.

Run: ``.venv/bin/python benchmarks/bench_web_load.py [--postgres URL]`` (SQLite always; PostgreSQL
too with ``--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test`` or
``$NEUROPROTECT_TEST_POSTGRES_URL``: a fresh database is created and dropped).

Checks, on each database: no failed request, every upload stored once (rows = requests, no
duplicates), every job done with exactly one stored run per distinct input, and the audit log
holding one "study uploaded" entry per upload. Reports requests per second of the 20 concurrent
uploads against the same 20 uploads made one after another (ratio), and the job latency (queued
to done) of 4 concurrent runs against one run alone (ratio), side by side in the same run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.web.conftest import write_mini_study  # noqa: E402

from neuroprotect.store.app_models import JobRow, UploadRow  # noqa: E402
from neuroprotect.store.models import AuditRow, RunRow  # noqa: E402

PASSWORD = "benchmark password"
UPLOADS, RUNS = 20, 4


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _parts(folder: Path) -> list[tuple[str, Any]]:
    parts: list[tuple[str, Any]] = [
        ("manifest", ("study.yaml", (folder / "study.yaml").read_bytes()))
    ]
    return parts + [("files", (n, (folder / n).read_bytes())) for n in ("animals.csv", "water.csv")]


def _client(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=300)
    token = client.post("/api/session", json={"email": "admin@lab.org", "password": PASSWORD})
    token.raise_for_status()
    client.headers["X-CSRF-Token"] = token.json()["csrf_token"]
    return client


def _wait(client: httpx.Client, job_id: int) -> float:
    start = time.perf_counter()
    while True:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            assert job["status"] == "done", job
            return time.perf_counter() - start
        time.sleep(0.05)


def bench(db_url: str, work: Path) -> dict[str, float]:
    cli = [sys.executable, "-m", "neuroprotect.cli.main"]
    subprocess.run([*cli, "users", "add", "admin@lab.org", "--role", "admin", "--password-stdin",
                    "--db", db_url], input=PASSWORD + "\n", text=True, check=True, capture_output=True)  # fmt: skip
    port = _port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--db", db_url, "--data-dir", str(work / "data"),
         "--job-workers", str(RUNS)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/api/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        studies = [
            write_mini_study(work / f"s{i}", study_id=f"load{i}").parent for i in range(RUNS)
        ]
        clients = [_client(base) for _ in range(UPLOADS)]

        start = time.perf_counter()
        for i in range(UPLOADS):
            clients[0].post("/api/studies", files=_parts(studies[i % RUNS])).raise_for_status()
        sequential = time.perf_counter() - start

        def upload(i: int) -> int:
            answer = clients[i].post("/api/studies", files=_parts(studies[i % RUNS]))
            answer.raise_for_status()
            return int(answer.json()["id"])

        start = time.perf_counter()
        with ThreadPoolExecutor(UPLOADS) as pool:
            ids = list(pool.map(upload, range(UPLOADS)))
        concurrent = time.perf_counter() - start
        assert len(set(ids)) == UPLOADS, "duplicated upload ids"

        one = clients[0].post(f"/api/studies/{ids[0]}/runs").json()["job_id"]
        alone = _wait(clients[0], one)
        fresh = [write_mini_study(work / f"r{i}", study_id=f"run{i}").parent for i in range(RUNS)]
        run_ids = [
            clients[i].post("/api/studies", files=_parts(fresh[i])).json()["id"]
            for i in range(RUNS)
        ]
        jobs = [
            clients[i].post(f"/api/studies/{run_ids[i]}/runs").json()["job_id"] for i in range(RUNS)
        ]
        with ThreadPoolExecutor(RUNS) as pool:
            latencies = list(pool.map(lambda a: _wait(clients[a[0]], a[1]), enumerate(jobs)))
        for c in clients:
            c.close()
    finally:
        server.terminate()
        server.wait(timeout=60)

    engine = create_engine(db_url)
    with Session(engine) as session:
        uploads = session.scalar(select(func.count()).select_from(UploadRow))
        logged = session.scalar(
            select(func.count()).select_from(AuditRow).where(AuditRow.action == "study uploaded")
        )
        runs = session.scalar(select(func.count()).select_from(RunRow))
        done = session.scalar(
            select(func.count()).select_from(JobRow).where(JobRow.status == "done")
        )
    engine.dispose()
    expected_uploads = 2 * UPLOADS + RUNS
    assert uploads == logged == expected_uploads, (uploads, logged, expected_uploads)
    assert done == RUNS + 1 and runs == RUNS + 1, (done, runs)
    return {
        "uploads_per_s_sequential": UPLOADS / sequential,
        "uploads_per_s_concurrent": UPLOADS / concurrent,
        "job_latency_alone_s": alone,
        "job_latency_concurrent_max_s": max(latencies),
    }


def _report(name: str, r: dict[str, float]) -> None:
    ratio = r["uploads_per_s_concurrent"] / r["uploads_per_s_sequential"]
    slow = r["job_latency_concurrent_max_s"] / r["job_latency_alone_s"]
    print(f"{name}: {UPLOADS} uploads {r['uploads_per_s_concurrent']:.1f}/s concurrent vs "
          f"{r['uploads_per_s_sequential']:.1f}/s one by one (x{ratio:.2f}); {RUNS} concurrent runs "
          f"slowest {r['job_latency_concurrent_max_s']:.1f} s vs {r['job_latency_alone_s']:.1f} s alone "
          f"(x{slow:.2f}); no failed request, no lost or duplicated row")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("NEUROPROTECT_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="np-load-"))
    try:
        _report("sqlite", bench(f"sqlite:///{work / 'lab.sqlite'}", work / "sqlite"))
        if args.postgres:
            admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
            name = f"np_load_{uuid.uuid4().hex[:10]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                url = admin.url.set(database=name).render_as_string(hide_password=False)
                _report("postgresql", bench(url, work / "pg"))
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
                admin.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
