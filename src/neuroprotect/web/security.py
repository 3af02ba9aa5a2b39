"""Passwords (argon2id), session tokens and CSRF tokens.

The cookie holds a random token; the database holds only its SHA-256, so a copy of the database
does not let anyone log in. Each session has its own CSRF token, which every unsafe request must
send back (``X-CSRF-Token`` header, or a ``csrf_token`` form field from the pages).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from neuroprotect.errors import InputError

#: Shortest password accepted.
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) parameters
#: Verified against when the e-mail is unknown, so both cases take as long.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def check_password_strength(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            f"Expected a password of at least {MIN_PASSWORD_LENGTH} characters, "
            f"but got {len(password)}"
        )
    return password


def hash_password(password: str) -> str:
    """argon2id hash of a password (refused when shorter than :data:`MIN_PASSWORD_LENGTH`)."""
    return _hasher.hash(check_password_strength(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; an unknown user (``None``) costs the same time."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same_token(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two tokens (False when either is missing)."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))
