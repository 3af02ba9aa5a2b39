"""Jinja2 templates of the pages, with the helpers every page uses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from neuroprotect.report.format import format_bytes
from neuroprotect.web.permissions import has_right
from neuroprotect.web.sessions import Login

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
TEMPLATES.env.filters["filesize"] = format_bytes


def _details(value: Any) -> str:
    if not value:
        return ""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= 300 else text[:297] + "..."


TEMPLATES.env.filters["details"] = _details


def render(
    request: Request,
    name: str,
    login: Login | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page; ``can(right)`` in the template asks the logged-in user's role."""
    role = login.user.role if login else ""
    return TEMPLATES.TemplateResponse(
        request,
        name,
        {"login": login, "can": lambda right: has_right(role, right), **context},
        status_code=status_code,
    )
