"""Users of the web app: add, list, disable, reset, and the bookkeeping of logins.

Passwords arrive here already hashed (``neuroprotect.web.security`` hashes them with argon2); this
module never sees a plain password. Every change is written to the audit log in the same
transaction, with the old and new value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from neuroprotect.errors import InputError
from neuroprotect.store.app_models import ROLES, UserRow, WebSessionRow
from neuroprotect.store.engine import write_session
from neuroprotect.store.models import utc_now
from neuroprotect.store.repository import _audit_row

#: Failed logins in a row after which an account is locked for :data:`LOCKOUT`.
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


@dataclass(frozen=True)
class User:
    """A user as the web layer sees it (no password hash)."""

    id: int
    email: str
    role: str
    active: bool
    locked_until: datetime | None
    created_at: datetime


def _public(row: UserRow) -> User:
    return User(row.id, row.email, row.role, row.active, row.locked_until, row.created_at)


def normalise_email(email: str) -> str:
    """Lower-case, trimmed e-mail; refused unless it looks like ``name@host``."""
    value = email.strip().lower()
    name, _, host = value.partition("@")
    if not name or not host or " " in value:
        raise InputError(f"Expected an e-mail address like name@lab.org, but got {email!r}")
    return value


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"Expected a role among {', '.join(ROLES)}, but got {role!r}")
    return role


def _get(session: Session, email: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.email == normalise_email(email)))
    if row is None:
        raise InputError(f"Expected an existing user, but there is no user {email!r}")
    return row


def add_user(
    engine: Engine, email: str, *, role: str, password_hash: str, actor: str | None = None
) -> User:
    """Create a user (refused when the e-mail is taken)."""
    address, role = normalise_email(email), check_role(role)
    with write_session(engine) as session:
        if session.scalar(select(UserRow.id).where(UserRow.email == address)) is not None:
            raise InputError(f"Expected a new e-mail address, but user {address!r} exists")
        row = UserRow(
            email=address, role=role, password_hash=password_hash, active=True, failed_logins=0
        )
        session.add(row)
        session.add(
            _audit_row(
                action="user added",
                study_id=None,
                run_id=None,
                details={"user": address, "new": {"role": role, "active": True}},
                actor=actor,
            )
        )
        session.flush()
        return _public(row)


def list_users(engine: Engine) -> list[User]:
    with Session(engine) as session:
        return [_public(r) for r in session.scalars(select(UserRow).order_by(UserRow.email))]


def get_user(engine: Engine, user_id: int) -> User | None:
    with Session(engine) as session:
        row = session.get(UserRow, user_id)
        return _public(row) if row is not None else None


def set_active(engine: Engine, email: str, *, active: bool, actor: str | None = None) -> User:
    """Disable (or enable again) a user; disabling ends the user's sessions."""
    with write_session(engine) as session:
        row = _get(session, email)
        old = row.active
        row.active = active
        if not active:
            for s in session.scalars(select(WebSessionRow).where(WebSessionRow.user_id == row.id)):
                s.ended = True
        session.add(
            _audit_row(
                action="user enabled" if active else "user disabled",
                study_id=None,
                run_id=None,
                details={"user": row.email, "old": {"active": old}, "new": {"active": active}},
                actor=actor,
            )
        )
        session.flush()
        return _public(row)


def reset_password(
    engine: Engine, email: str, *, password_hash: str, actor: str | None = None
) -> User:
    """Set a new password, clear the lockout and end the user's sessions."""
    with write_session(engine) as session:
        row = _get(session, email)
        row.password_hash = password_hash
        row.failed_logins = 0
        row.locked_until = None
        for s in session.scalars(select(WebSessionRow).where(WebSessionRow.user_id == row.id)):
            s.ended = True
        session.add(
            _audit_row(
                action="password reset",
                study_id=None,
                run_id=None,
                details={"user": row.email},
                actor=actor,
            )
        )
        session.flush()
        return _public(row)


def password_hash_of(engine: Engine, email: str) -> tuple[User, str] | None:
    """The user and stored hash for a login attempt, or None for an unknown e-mail."""
    try:
        address = normalise_email(email)
    except InputError:
        return None
    with Session(engine) as session:
        row = session.scalar(select(UserRow).where(UserRow.email == address))
        return (_public(row), row.password_hash) if row is not None else None


def record_login(engine: Engine, user_id: int, *, ok: bool, client: str | None) -> User:
    """Count a failed login (locking the account after :data:`MAX_FAILED_LOGINS`) or reset it.

    Both outcomes go to the audit log (``login`` / ``login failed`` / ``account locked``).
    """
    with write_session(engine) as session:
        row = session.get(UserRow, user_id)
        assert row is not None
        details: dict[str, object] = {"user": row.email, "client": client}
        if ok:
            row.failed_logins = 0
            row.locked_until = None
            action = "login"
        else:
            row.failed_logins += 1
            action = "login failed"
            if row.failed_logins >= MAX_FAILED_LOGINS:
                row.locked_until = utc_now() + LOCKOUT
                row.failed_logins = 0
                action = "account locked"
                details["locked_until"] = row.locked_until.isoformat()
        session.add(
            _audit_row(action=action, study_id=None, run_id=None, details=details, actor=row.email)
        )
        session.flush()
        return _public(row)


__all__ = [
    "LOCKOUT",
    "MAX_FAILED_LOGINS",
    "User",
    "add_user",
    "get_user",
    "list_users",
    "password_hash_of",
    "record_login",
    "reset_password",
    "set_active",
]
