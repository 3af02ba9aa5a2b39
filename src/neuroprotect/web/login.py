"""Checking a login: password, disabled account, lockout; every attempt is audited."""

from __future__ import annotations

from sqlalchemy import Engine

from neuroprotect.store.accounts import User, password_hash_of, record_login
from neuroprotect.store.models import utc_now
from neuroprotect.store.repository import audit
from neuroprotect.web.security import verify_password

WRONG = "Wrong e-mail or password"


class LoginRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def attempt_login(engine: Engine, email: str, password: str, *, client: str | None) -> User:
    """The user, when the password is right and the account active and not locked.

    Raises
    ------
    LoginRefused
        With the same message for an unknown e-mail and a wrong password.
    """
    found = password_hash_of(engine, email)
    ok = verify_password(found[1] if found else None, password)
    if found is None:
        audit(
            engine,
            action="login failed",
            details={"user": email[:254], "client": client, "reason": "unknown user"},
            actor=email[:128] or "anonymous",
        )
        raise LoginRefused(WRONG)
    user = found[0]
    if user.locked_until is not None and user.locked_until > utc_now():
        audit(
            engine,
            action="login refused",
            details={"user": user.email, "client": client, "reason": "account locked"},
            actor=user.email,
        )
        raise LoginRefused(
            "This account is locked after repeated failed logins; try again later or ask an admin"
        )
    if not user.active:
        audit(
            engine,
            action="login refused",
            details={"user": user.email, "client": client, "reason": "account disabled"},
            actor=user.email,
        )
        raise LoginRefused("This account is disabled; ask an admin")
    record_login(engine, user.id, ok=ok, client=client)
    if not ok:
        raise LoginRefused(WRONG)
    return user
