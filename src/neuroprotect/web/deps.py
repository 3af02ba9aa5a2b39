"""Typed dependencies of the routes: settings, engine, the logged-in user, rights and CSRF.

Unsafe requests (POST, PUT, PATCH, DELETE) must carry the session's CSRF token, in the
``X-CSRF-Token`` header (API) or a ``csrf_token`` form field (pages).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Engine

from neuroprotect.store.accounts import User
from neuroprotect.web.permissions import has_right
from neuroprotect.web.security import same_token
from neuroprotect.web.sessions import SESSION_COOKIE, Login, find_session
from neuroprotect.web.settings import WebSettings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"


class LoginRequired(Exception):
    """No valid session: 401 for the API, a redirect to the login page for pages."""


def get_settings(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


SettingsDep = Annotated[WebSettings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]


async def current_login(request: Request, engine: EngineDep, settings: SettingsDep) -> Login:
    """The request's session (401 / login page without one); checks CSRF on unsafe methods."""
    login = find_session(engine, request.cookies.get(SESSION_COOKIE), settings)
    if login is None:
        raise LoginRequired()
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            form = await request.form()
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
        if not same_token(sent, login.csrf_token):
            raise HTTPException(403, "Expected the session's CSRF token, but got none or another")
    request.state.login = login
    return login


LoginDep = Annotated[Login, Depends(current_login)]


def require(right: str) -> Callable[..., User]:
    """Dependency: the logged-in user, if the user's role has ``right`` (else 403)."""

    def check(login: LoginDep) -> User:
        if not has_right(login.user.role, right):
            raise HTTPException(403, f"Your role ({login.user.role}) may not do this ({right})")
        return login.user

    return check


CurrentUser = Annotated[User, Depends(require("studies.read"))]
Uploader = Annotated[User, Depends(require("studies.upload"))]
RunStarter = Annotated[User, Depends(require("runs.start"))]
AllocationViewer = Annotated[User, Depends(require("allocation.view"))]
AuditReader = Annotated[User, Depends(require("audit.read"))]
