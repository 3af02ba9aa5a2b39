"""``/api/health`` and ``/api/session`` (log in, who am I, log out)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response

from neuroprotect import __version__
from neuroprotect.web.deps import EngineDep, LoginDep, SettingsDep
from neuroprotect.web.login import LoginRefused, attempt_login
from neuroprotect.web.schemas import Health, SessionCreate, SessionPublic
from neuroprotect.web.sessions import SESSION_COOKIE, end_session, start_session
from neuroprotect.web.settings import WebSettings

router = APIRouter(prefix="/api", tags=["session"])


def set_session_cookie(response: Response, token: str, settings: WebSettings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.session_max.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


@router.get("/health", response_model=Health)
def health(engine: EngineDep) -> Health:
    """Liveness: no login needed."""
    return Health(status="ok", version=__version__, database=engine.dialect.name)


@router.post("/session", response_model=SessionPublic)
def log_in(
    body: SessionCreate,
    request: Request,
    response: Response,
    engine: EngineDep,
    settings: SettingsDep,
) -> SessionPublic:
    """Log in: sets the session cookie; send the returned ``csrf_token`` as ``X-CSRF-Token``."""
    client = request.client.host if request.client else None
    try:
        user = attempt_login(engine, body.email, body.password, client=client)
    except LoginRefused as exc:
        raise HTTPException(401, exc.message) from None
    token, csrf = start_session(engine, user)
    set_session_cookie(response, token, settings)
    return SessionPublic(csrf_token=csrf, email=user.email, role=user.role)


@router.get("/session", response_model=SessionPublic)
def who_am_i(login: LoginDep) -> SessionPublic:
    return SessionPublic(csrf_token=login.csrf_token, email=login.user.email, role=login.user.role)


@router.delete("/session", status_code=204)
def log_out(request: Request, response: Response, login: LoginDep, engine: EngineDep) -> None:
    end_session(engine, request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(SESSION_COOKIE, path="/")
