"""A run killed with SIGKILL leaves the store as it was or holding the whole run; two runs writing
one store at once lose and duplicate nothing (issue 16, part 6).

Expected values are analytic: the table checksums of the store before the run, and the row counts
of the same run made uninterrupted in a store of its own. Runs are real processes (``python -c``
calling the run workflow), so a kill is a real SIGKILL, inside the store transaction or at seeded
random moments.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, create_engine, inspect, text

from neuroprotect.store import init_db, make_engine

RUN = """
import sys, time
from pathlib import Path
from neuroprotect.workflows.run import run_study
manifest, out, db, marker = sys.argv[1:5]
if marker != "-":
    import neuroprotect.store.repository as repo
    real = repo.frame_to_rows
    calls = []
    def slow(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # measurements are in the open transaction; results come next
            Path(marker).write_text("in transaction")
            time.sleep(120)
        return real(*args, **kwargs)
    repo.frame_to_rows = slow
run_study(manifest, out_dir=out, db_url=db)
"""


def _start(manifest: Path, out: Path, db: str, marker: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", RUN, str(manifest), str(out), db, str(marker or "-")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )


def _checksums(engine: Engine) -> dict[str, str]:
    """One digest per table over all rows in a fixed order."""
    out = {}
    with engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).fetchall()
            digest = hashlib.sha256()
            for row in sorted(repr(tuple(r)) for r in rows):
                digest.update(row.encode())
            out[table] = f"{len(rows)}:{digest.hexdigest()}"
    return out


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one()
            for t in ("runs", "measurements", "results", "studies", "raw_files")
        }


def _run_rows(engine: Engine) -> list[tuple[str, int, int]]:
    """(run id, its measurements, its results) per stored run."""
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT run_id FROM runs ORDER BY run_id"))]
        return [
            (
                i,
                conn.execute(
                    text("SELECT COUNT(*) FROM measurements WHERE run_id = :i"), {"i": i}
                ).scalar_one(),
                conn.execute(
                    text("SELECT COUNT(*) FROM results WHERE run_id = :i"), {"i": i}
                ).scalar_one(),
            )
            for i in ids
        ]


def _run_here(manifest: Path, out: Path, db: str) -> None:
    """An uninterrupted run in this process (cheaper than a new interpreter)."""
    from neuroprotect.workflows.run import run_study

    run_study(manifest, out_dir=out, db_url=db)


@pytest.fixture
def reference(mini_study: Path, tmp_path: Path) -> tuple[int, int]:
    """Measurements and results of the mini study run uninterrupted in its own store."""
    db = f"sqlite:///{tmp_path / 'reference.sqlite'}"
    _run_here(mini_study, tmp_path / "ref-out", db)
    ((_, n_meas, n_res),) = _run_rows(make_engine(db))
    assert n_meas > 0 and n_res > 0
    return n_meas, n_res


def test_kill_inside_the_store_transaction_leaves_the_store_as_before(
    mini_study: Path, tmp_path: Path, reference: tuple[int, int]
) -> None:
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    engine = make_engine(db)
    init_db(engine)
    before = _checksums(engine)
    marker = tmp_path / "marker"
    proc = _start(mini_study, tmp_path / "out", db, marker)
    deadline = time.monotonic() + 300
    while not marker.exists():
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert _checksums(engine) == before
    # the next run completes and stores the whole run
    _run_here(mini_study, tmp_path / "out2", db)
    ((_, n_meas, n_res),) = _run_rows(engine)
    assert (n_meas, n_res) == reference


@pytest.mark.parametrize("seed", [1, 2])
def test_kill_at_a_random_moment_leaves_nothing_or_the_whole_run(
    mini_study: Path, tmp_path: Path, reference: tuple[int, int], seed: int
) -> None:
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    engine = make_engine(db)
    init_db(engine)
    before = _checksums(engine)
    delay = float(np.random.default_rng(seed).uniform(0.5, 6.0))
    proc = _start(mini_study, tmp_path / "out", db)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    runs = _run_rows(engine)
    if runs:
        assert [(m, r) for _, m, r in runs] == [reference]
    else:
        assert _checksums(engine) == before
    _run_here(mini_study, tmp_path / "out2", db)
    assert [(m, r) for _, m, r in _run_rows(engine)] == [reference]


def _second_study(mini_study: Path, tmp_path: Path) -> Path:
    other = tmp_path / "other"
    shutil.copytree(mini_study.parent, other, ignore=shutil.ignore_patterns("*.sqlite*", "*out*"))
    manifest = other / "study.yaml"
    manifest.write_text(manifest.read_text().replace("study_id: mini", "study_id: mini2"))
    return manifest


def _two_runs_at_once(
    mini_study: Path, tmp_path: Path, db: str, reference: tuple[int, int]
) -> Engine:
    second = _second_study(mini_study, tmp_path)
    procs = [
        _start(mini_study, tmp_path / "out-a", db),
        _start(second, tmp_path / "out-b", db),
    ]
    for proc in procs:
        assert proc.wait(timeout=300) == 0, proc.stderr.read().decode() if proc.stderr else ""
    engine = make_engine(db)
    assert [(m, r) for _, m, r in _run_rows(engine)] == [reference, reference]
    counts = _counts(engine)
    assert counts["runs"] == 2 and counts["studies"] == 2
    assert counts["measurements"] == 2 * reference[0] and counts["results"] == 2 * reference[1]
    return engine


def test_two_runs_writing_one_sqlite_store_at_once(
    mini_study: Path, tmp_path: Path, reference: tuple[int, int]
) -> None:
    engine = _two_runs_at_once(
        mini_study, tmp_path, f"sqlite:///{tmp_path / 's.sqlite'}", reference
    )
    with engine.connect() as conn:  # both studies share identical raw-file bytes: stored once each
        dupes = conn.execute(
            text("SELECT sha256, COUNT(*) FROM raw_files GROUP BY sha256, path HAVING COUNT(*) > 1")
        ).fetchall()
    assert dupes == []


@pytest.fixture
def postgres_url() -> Iterator[str]:
    admin_url = os.environ.get("NEUROPROTECT_TEST_POSTGRES_URL")
    if not admin_url:
        pytest.skip("NEUROPROTECT_TEST_POSTGRES_URL not set (no PostgreSQL server to test)")
    pytest.importorskip("psycopg")
    name = f"np_kill_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        init_db(make_engine(url))
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()


def test_two_runs_writing_one_postgres_store_at_once(
    mini_study: Path, tmp_path: Path, reference: tuple[int, int], postgres_url: str
) -> None:
    engine = _two_runs_at_once(mini_study, tmp_path, postgres_url, reference)
    engine.dispose()


def test_kill_inside_the_transaction_on_postgres(
    mini_study: Path, tmp_path: Path, reference: tuple[int, int], postgres_url: str
) -> None:
    engine = make_engine(postgres_url)
    before = _checksums(engine)
    marker = tmp_path / "marker"
    proc = _start(mini_study, tmp_path / "out", postgres_url, marker)
    deadline = time.monotonic() + 300
    while not marker.exists():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    time.sleep(0.5)  # the server notices the dropped connection and rolls back
    assert _checksums(engine) == before
    engine.dispose()
