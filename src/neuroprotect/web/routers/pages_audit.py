"""Page: the audit log (admin and PI), filterable; the CSV export is ``/api/audit?format=csv``."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from neuroprotect.store.audit_query import list_audit
from neuroprotect.web.deps import EngineDep, LoginDep
from neuroprotect.web.permissions import has_right
from neuroprotect.web.templating import render

router = APIRouter()
PAGE_LIMIT = 500


def _moment(value: str | None) -> datetime | None:
    """A ``datetime-local`` field (taken as UTC), or None when empty or unreadable."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@router.get("/audit")
def audit_page(
    request: Request,
    login: LoginDep,
    engine: EngineDep,
    actor: str | None = None,
    action: str | None = None,
    study_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Response:
    if not has_right(login.user.role, "audit.read"):
        raise HTTPException(403, f"Your role ({login.user.role}) may not read the audit log")
    filters = {
        "actor": actor,
        "action": action,
        "study_id": study_id,
        "since": since,
        "until": until,
    }
    entries = list_audit(
        engine, actor=actor, action=action, study_id=study_id,
        since=_moment(since), until=_moment(until), limit=PAGE_LIMIT,
    )  # fmt: skip
    given = {k: v for k, v in filters.items() if v}
    for key in ("since", "until"):
        if key in given and (m := _moment(given[key])) is not None:
            given[key] = m.isoformat()
    csv_query = ("&" + urlencode(given)) if given else ""
    return render(request, "audit.html", login, section="audit", entries=entries, f=filters,
                  limit=PAGE_LIMIT, csv_query=csv_query)  # fmt: skip
