"""Logged-in sessions: created at login, looked up per request, ended at logout or timeout."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from neuroprotect.store.accounts import User, get_user
from neuroprotect.store.app_models import WebSessionRow
from neuroprotect.store.engine import write_session
from neuroprotect.store.models import utc_now
from neuroprotect.web.security import new_token, token_digest
from neuroprotect.web.settings import WebSettings

#: Name of the session cookie (HttpOnly, SameSite=Lax).
SESSION_COOKIE = "np_session"


@dataclass(frozen=True)
class Login:
    """The user of a request and the CSRF token of the session."""

    user: User
    csrf_token: str


def start_session(engine: Engine, user: User) -> tuple[str, str]:
    """A new session of ``user``: ``(cookie token, CSRF token)``."""
    token, csrf = new_token(), new_token()
    with write_session(engine) as session:
        session.add(
            WebSessionRow(
                token_sha256=token_digest(token), user_id=user.id, csrf_token=csrf, ended=False
            )
        )
    return token, csrf


def find_session(engine: Engine, token: str | None, settings: WebSettings) -> Login | None:
    """The session of a cookie token, if it is open, not timed out and its user is active.

    A valid lookup refreshes the idle timer; a timed-out session is ended.
    """
    if not token:
        return None
    digest = token_digest(token)
    now = utc_now()
    with Session(engine) as session:
        row = session.scalar(select(WebSessionRow).where(WebSessionRow.token_sha256 == digest))
        if row is None or row.ended:
            return None
        expired = (
            now - row.last_seen_at > settings.session_idle
            or now - row.created_at > settings.session_max
        )
        user_id, csrf, session_id = row.user_id, row.csrf_token, row.id
    user = get_user(engine, user_id)
    with write_session(engine) as session:
        live = session.get(WebSessionRow, session_id)
        assert live is not None
        if expired or user is None or not user.active:
            live.ended = True
            return None
        live.last_seen_at = now
    return Login(user=user, csrf_token=csrf)


def end_session(engine: Engine, token: str | None) -> None:
    if not token:
        return
    with write_session(engine) as session:
        row = session.scalar(
            select(WebSessionRow).where(WebSessionRow.token_sha256 == token_digest(token))
        )
        if row is not None:
            row.ended = True
