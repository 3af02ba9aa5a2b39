"""Reading the audit log: filtered, newest first, and as CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from neuroprotect.store.models import AuditRow

AUDIT_COLUMNS = ("id", "timestamp", "actor", "action", "study_id", "run_id", "details")


def list_audit(
    engine: Engine,
    *,
    actor: str | None = None,
    action: str | None = None,
    study_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = 500,
) -> list[dict[str, Any]]:
    """Audit entries matching every filter given (``action`` and ``actor`` match a substring).

    Returns
    -------
    list of dict
        ``id, timestamp`` (UTC), ``actor, action, study_id, run_id, details``, newest first.
    """
    stmt = select(AuditRow).order_by(AuditRow.id.desc())
    if actor:
        stmt = stmt.where(AuditRow.actor.contains(actor, autoescape=True))
    if action:
        stmt = stmt.where(AuditRow.action.contains(action, autoescape=True))
    if study_id:
        stmt = stmt.where(AuditRow.study_id == study_id)
    if since is not None:
        stmt = stmt.where(AuditRow.timestamp >= since)
    if until is not None:
        stmt = stmt.where(AuditRow.timestamp <= until)
    if limit is not None:
        stmt = stmt.limit(limit)
    with Session(engine) as session:
        return [{c: getattr(r, c) for c in AUDIT_COLUMNS} for r in session.scalars(stmt)]


def audit_csv(entries: list[dict[str, Any]]) -> str:
    """The entries as CSV (header row; timestamps ISO 8601 UTC; details as JSON)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(AUDIT_COLUMNS)
    for e in entries:
        writer.writerow(
            [
                e["id"],
                e["timestamp"].isoformat(),
                e["actor"],
                e["action"],
                e["study_id"] or "",
                e["run_id"] or "",
                json.dumps(e["details"], sort_keys=True) if e["details"] is not None else "",
            ]
        )
    return buffer.getvalue()
