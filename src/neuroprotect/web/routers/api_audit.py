"""``/api/audit``: the audit log (admin and PI), filterable, as JSON or CSV."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from neuroprotect.store.audit_query import audit_csv, list_audit
from neuroprotect.store.repository import audit
from neuroprotect.web.deps import AuditReader, EngineDep
from neuroprotect.web.schemas import AuditEntry

router = APIRouter(prefix="/api", tags=["audit"])


@router.get("/audit", response_model=list[AuditEntry])
def read_audit(
    user: AuditReader,
    engine: EngineDep,
    actor: str | None = None,
    action: str | None = None,
    study_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = Query(500, ge=1, le=100_000),
    format: str = Query("json", pattern="^(json|csv)$"),
) -> Any:
    """Entries newest first; ``format=csv`` downloads them (the export is itself audited)."""
    entries = list_audit(
        engine, actor=actor, action=action, study_id=study_id, since=since, until=until, limit=limit
    )
    if format == "csv":
        audit(
            engine,
            action="audit exported",
            details={"filters": {"actor": actor, "action": action, "study_id": study_id},
                     "entries": len(entries)},
            actor=user.email,
        )  # fmt: skip
        return Response(
            audit_csv(entries),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
        )
    return entries
