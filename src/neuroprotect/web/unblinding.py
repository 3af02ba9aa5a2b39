"""Unblinding from the web: the PI (or an admin) opens the sealed key with its passphrase.

The same workflow as ``neuroprotect unblind``: the key is checked against the study, the group
codes are recorded in the store with who and when, and a refused attempt is audited.
"""

from __future__ import annotations

import uuid
from typing import Any, BinaryIO

from fastapi import HTTPException
from sqlalchemy import Engine

from neuroprotect.errors import InputError
from neuroprotect.store.accounts import User
from neuroprotect.web.permissions import has_right
from neuroprotect.web.settings import WebSettings
from neuroprotect.web.signing import study_owner_id
from neuroprotect.web.uploads import Upload

#: A sealed key is a small text file; anything larger is not one.
MAX_KEY_BYTES = 1024 * 1024


def may_unblind(engine: Engine, user: User, upload: Upload) -> bool:
    if not upload.blinded or not has_right(user.role, "study.unblind"):
        return False
    return user.role != "pi" or study_owner_id(engine, upload.study_id) == user.id


def unblind(
    engine: Engine,
    settings: WebSettings,
    user: User,
    upload: Upload,
    *,
    key: BinaryIO,
    passphrase: str,
) -> dict[str, Any]:
    """Unblind the study of ``upload``; 403 without the right, 422 with the reason if refused."""
    from neuroprotect.workflows.run import unblind_study

    if not may_unblind(engine, user, upload):
        raise HTTPException(403, f"Your role ({user.role}) may not unblind this study")
    data = key.read(MAX_KEY_BYTES + 1)
    if len(data) > MAX_KEY_BYTES:
        raise HTTPException(422, "Expected a sealed allocation-key file, but it is too large")
    tmp = settings.data_dir / "tmp" / f"{uuid.uuid4().hex}.key"
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_bytes(data)
    try:
        return unblind_study(
            upload.manifest,
            key_path=tmp,
            passphrase=passphrase,
            db_url=settings.database_url,
            actor=user.email,
        )
    except InputError as exc:
        raise HTTPException(422, exc.one_line()) from None
    finally:
        tmp.unlink(missing_ok=True)
