"""Pages: log in and out (the form login has its own double-submit CSRF cookie)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from neuroprotect.web.deps import EngineDep, LoginDep, SettingsDep
from neuroprotect.web.login import LoginRefused, attempt_login
from neuroprotect.web.routers.api_session import set_session_cookie
from neuroprotect.web.security import new_token, same_token
from neuroprotect.web.sessions import SESSION_COOKIE, end_session, start_session
from neuroprotect.web.templating import render

router = APIRouter()
LOGIN_CSRF_COOKIE = "np_login_csrf"


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no ``//host`` or scheme) is followed after login."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/studies"


@router.get("/")
def home() -> Response:
    return RedirectResponse("/studies", status_code=303)


def _login_page(
    request: Request, *, next_url: str, error: str | None = None, email: str | None = None
) -> Response:
    token = new_token()
    response = render(
        request,
        "login.html",
        None,
        status_code=401 if error else 200,
        login_csrf=token,
        next=next_url,
        error=error,
        email=email,
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login")
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, next_url=_safe_next(next))


@router.post("/login")
def login_submit(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    email: str = Form(...),
    password: str = Form(...),
    csrf_token: str = Form(""),
    next: str = Form("/studies"),
) -> Response:
    if not same_token(csrf_token, request.cookies.get(LOGIN_CSRF_COOKIE)):
        return _login_page(
            request, next_url=_safe_next(next), error="The form expired; please log in again"
        )
    client = request.client.host if request.client else None
    try:
        user = attempt_login(engine, email, password, client=client)
    except LoginRefused as exc:
        return _login_page(request, next_url=_safe_next(next), error=exc.message, email=email)
    token, _csrf = start_session(engine, user)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, token, settings)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, login: LoginDep, engine: EngineDep) -> Response:
    end_session(engine, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
