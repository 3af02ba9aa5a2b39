"""Tables of the web app, in the same database as the store: users, sessions, uploads and jobs.

The audit trail of the web app is the store's ``audit_log`` (``models.AuditRow``): one log for the
CLI and the browser. Migration 0004 makes it append-only in the database itself (triggers that
refuse every UPDATE and DELETE), so no account, an administrator's included, can edit it through
the application or a plain SQL client.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from neuroprotect.store.models import ID_LENGTH, Base, utc_now

#: The roles a user can have (see ``neuroprotect.web.permissions`` for their rights).
ROLES = ("admin", "pi", "analyst", "scorer")

#: States of a job.
JOB_STATES = ("queued", "running", "done", "failed")


class UserRow(Base):
    """A person who can log in to the web app."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class WebSessionRow(Base):
    """A logged-in browser or API client; the cookie holds a token whose SHA-256 is stored here."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_seen_at: Mapped[datetime] = mapped_column(default=utc_now)
    ended: Mapped[bool] = mapped_column(Boolean, default=False)


class UploadRow(Base):
    """A study uploaded through the web app: its manifest and files, kept on disk by hash."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    title: Mapped[str] = mapped_column(Text)
    blinded: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    #: Folder (under the data directory) holding study.yaml and the files it names.
    folder: Mapped[str] = mapped_column(Text)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class UploadFileRow(Base):
    """One file of an upload: its path in the study folder, content hash and size."""

    __tablename__ = "upload_files"
    __table_args__ = (UniqueConstraint("upload_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)


class JobRow(Base):
    """A background job (a study run), claimed by one worker at a time.

    A worker refreshes ``heartbeat_at`` while it works; a ``running`` job whose heartbeat is older
    than the lease belongs to a worker that died and can be claimed again.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id", ondelete="CASCADE"), index=True)
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(16), index=True)
    progress: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_id: Mapped[str | None] = mapped_column(String(36))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class SignatureRow(Base):
    """An electronic signature of a run: who, what it means, when, and the run's content hash.

    Append-only, and a signed run's rows are locked (triggers of migration 0005).
    """

    __tablename__ = "signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.run_id", ondelete="RESTRICT"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    #: The signer's e-mail at the time of signing (printed on the report).
    signer: Mapped[str] = mapped_column(String(254))
    meaning: Mapped[str] = mapped_column(String(16))
    content_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(default=utc_now)


__all__ = [
    "JOB_STATES",
    "SignatureRow",
    "ROLES",
    "JobRow",
    "UploadFileRow",
    "UploadRow",
    "UserRow",
    "WebSessionRow",
]
