"""The store on PostgreSQL (skipped unless NEUROPROTECT_TEST_POSTGRES_URL names a server).

Example: ``NEUROPROTECT_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres``.
Each test creates and drops its own database. Expected values are analytic (round trips).
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

from neuroprotect.store import init_db, list_runs, load_run, make_engine, save_run
from neuroprotect.store.models import Base

ADMIN_URL = os.environ.get("NEUROPROTECT_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(
    not ADMIN_URL, reason="NEUROPROTECT_TEST_POSTGRES_URL not set (no PostgreSQL server to test)"
)


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    assert ADMIN_URL is not None
    pytest.importorskip("psycopg")
    name = f"np_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name)
    eng = make_engine(url.render_as_string(hide_password=False))
    try:
        init_db(eng)
        yield eng
    finally:
        eng.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()


def test_postgres_schema_matches_models(pg_engine: Engine) -> None:
    assert "measurements" in inspect(pg_engine).get_table_names()
    init_db(pg_engine)  # idempotent
    with pg_engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_postgres_round_trip_reuse_and_rollback(
    pg_engine: Engine, run_inputs: dict[str, Any]
) -> None:
    started = datetime(2026, 11, 23, 12, 0, 0, tzinfo=timezone(timedelta(hours=2)))
    out = save_run(pg_engine, **{**run_inputs, "started_at": started})
    assert save_run(pg_engine, **run_inputs).reused
    loaded = load_run(pg_engine, out.run_id)
    assert loaded["run"]["started_at"] == started
    assert loaded["run"]["started_at"].astimezone(UTC).hour == 10
    omnibus = loaded["results"].iloc[0]
    assert math.isnan(omnibus["estimate"]) and omnibus["statistic"] == 7.25
    assert list(loaded["measurements"]["value"]) == list(run_inputs["measurements"]["value"])
    bad = run_inputs["results"].astype({"p_val": object})
    bad.loc[1, "p_val"] = "n.s."
    with pytest.raises(ValueError, match="p_val"):
        save_run(pg_engine, **{**run_inputs, "results": bad, "parameters": {"alpha": 0.2}})
    assert len(list_runs(pg_engine)) == 1
