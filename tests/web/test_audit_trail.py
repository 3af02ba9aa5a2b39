"""The audit log is append-only in the database itself (SQLite triggers, PostgreSQL triggers).

Analytic: any UPDATE, DELETE (and on PostgreSQL TRUNCATE) of audit_log must fail, whoever runs it,
and the entries must stay as they were.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from neuroprotect.store import audit, init_db, make_engine
from neuroprotect.store.audit_query import audit_csv, list_audit
from tests.web.conftest import Lab

STATEMENTS = [
    "UPDATE audit_log SET actor = 'someone else'",
    "UPDATE audit_log SET details = NULL WHERE id = 1",
    "DELETE FROM audit_log",
    "DELETE FROM audit_log WHERE id = 1",
]


@pytest.mark.parametrize("statement", STATEMENTS)
def test_audit_log_cannot_be_changed(db_url: str, statement: str) -> None:
    engine = make_engine(db_url)
    init_db(engine)
    audit(engine, action="login", actor="pi@lab.org", details={"client": "127.0.0.1"})
    before = list_audit(engine)
    raw = create_engine(db_url)  # a plain connection, as a SQL client would have
    with pytest.raises(DBAPIError, match="append-only"):
        with raw.begin() as conn:
            conn.execute(text(statement))
    if engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"):
            with raw.begin() as conn:
                conn.execute(text("TRUNCATE audit_log"))
    assert list_audit(engine) == before
    raw.dispose()
    engine.dispose()


def test_audit_filters_and_csv_export(lab: Lab) -> None:
    audit(lab.engine, action="study uploaded", study_id="s1", actor="analyst@lab.org")
    audit(lab.engine, action="run stored", study_id="s2", actor="pi@lab.org")
    admin = lab.client("admin")
    got = admin.get("/api/audit", params={"study_id": "s1"}).json()
    assert [e["action"] for e in got] == ["study uploaded"]
    assert [e["study_id"] for e in admin.get("/api/audit", params={"action": "run"}).json()] == [
        "s2"
    ]
    csv = admin.get("/api/audit", params={"format": "csv", "actor": "analyst"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0] == "id,timestamp,actor,action,study_id,run_id,details"
    assert len(lines) == 2 and ",analyst@lab.org,study uploaded,s1," in lines[1]
    assert list_audit(lab.engine, action="audit exported")[0]["actor"] == "admin@lab.org"
    assert audit_csv([]).strip() == lines[0]
    page = admin.get("/audit", params={"study_id": "s2"})
    assert (
        page.status_code == 200 and "run stored" in page.text and "study uploaded" not in page.text
    )
