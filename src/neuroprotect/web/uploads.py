"""Uploaded studies: files streamed to disk with SHA-256, kept by hash, never modified.

Layout of the data folder::

    blobs/ab/abcdef...      every uploaded file once, named by its SHA-256, read-only
    studies/<uuid>/         one folder per upload: study.yaml and the files it names
                            (hard links to the blobs, so identical bytes are stored once)
    runs/<run_id>/          report.html and results.json of each run

An upload is checked with the same validation as ``neuroprotect validate`` before anything is
recorded; a refused upload leaves no study folder and no rows.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from neuroprotect.errors import InputError
from neuroprotect.store.accounts import User
from neuroprotect.store.app_models import UploadFileRow, UploadRow
from neuroprotect.store.engine import write_session
from neuroprotect.store.repository import _audit_row
from neuroprotect.web.settings import WebSettings

CHUNK = 1024 * 1024
MANIFEST_NAME = "study.yaml"


@dataclass(frozen=True)
class StoredFile:
    path: str
    sha256: str
    size: int
    #: The same bytes were uploaded before (the blob already existed).
    known: bool


@dataclass
class UploadResult:
    id: int
    study_id: str
    files: list[StoredFile] = field(default_factory=list)


@dataclass(frozen=True)
class Upload:
    id: int
    study_id: str
    title: str
    blinded: bool
    owner_id: int
    folder: Path
    manifest_sha256: str
    created_at: Any

    @property
    def manifest(self) -> Path:
        return self.folder / MANIFEST_NAME


def safe_relative_path(name: str | None) -> str:
    """A file name from a client as a relative POSIX path inside the study folder.

    Raises
    ------
    InputError
        Empty, absolute, or reaching outside the folder (``..``).
    """
    raw = (name or "").replace("\\", "/").strip()
    path = PurePosixPath(raw)
    if not raw or path.is_absolute() or ".." in path.parts or raw.startswith("~"):
        raise InputError(f"Expected a file name inside the study folder, but got {name!r}")
    return str(path)


def _store_blob(
    source: BinaryIO, name: str, settings: WebSettings, budget: int
) -> tuple[StoredFile, Path]:
    """Copy ``source`` to ``blobs/`` in chunks, hashing as it goes; refuse oversize files."""
    tmp_dir = settings.data_dir / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    tmp = tmp_dir / f"{uuid.uuid4().hex}.part"
    digest, size = hashlib.sha256(), 0
    limit = min(settings.max_file_bytes, budget)
    try:
        with tmp.open("wb") as out:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise InputError(
                        f"Expected a file of at most {limit} bytes, but it is larger", file=name
                    )
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        blob = settings.data_dir / "blobs" / sha[:2] / sha
        known = blob.exists()
        if known:
            tmp.unlink()
        else:
            blob.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp, 0o444)  # raw files are never modified
            os.replace(tmp, blob)
    finally:
        tmp.unlink(missing_ok=True)
    return StoredFile(path=name, sha256=sha, size=size, known=known), blob


def _place(blob: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(blob, target)
    except OSError:  # another file system: a read-only copy
        shutil.copyfile(blob, target)
        os.chmod(target, 0o444)


def save_upload(
    engine: Engine,
    settings: WebSettings,
    owner: User,
    *,
    manifest: BinaryIO,
    files: list[tuple[str | None, BinaryIO]],
) -> UploadResult:
    """Store an uploaded study and record it; validated as ``neuroprotect validate`` does.

    Parameters
    ----------
    manifest
        The study.yaml.
    files
        ``(file name, stream)`` of every file the manifest names (path relative to study.yaml).

    Raises
    ------
    InputError
        A file too large or of a type not accepted, a bad name, or a manifest or file that does
        not validate; nothing is recorded and the study folder is removed.
    """
    from neuroprotect.workflows.analyse import validate_study

    folder = settings.data_dir / "studies" / uuid.uuid4().hex
    budget = settings.max_upload_bytes
    stored: list[StoredFile] = []
    try:
        entries = [(MANIFEST_NAME, manifest)] + [(safe_relative_path(n), s) for n, s in files]
        seen: set[str] = set()
        for name, stream in entries:
            if name in seen:
                raise InputError("Expected each file once, but it was uploaded twice", file=name)
            seen.add(name)
            suffix = PurePosixPath(name).suffix.lower()
            if suffix not in settings.allowed_suffixes:
                raise InputError(
                    f"Expected a file of an accepted type ({', '.join(sorted(settings.allowed_suffixes))}), "
                    f"but got {suffix or 'no suffix'!r}",
                    file=name,
                )
            info, blob = _store_blob(stream, name, settings, budget)
            budget -= info.size
            _place(blob, folder / name)
            stored.append(info)
        study = validate_study(folder / MANIFEST_NAME)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    with write_session(engine) as session:
        row = UploadRow(
            study_id=study.study_id,
            title=study.title,
            blinded=study.blinded,
            owner_id=owner.id,
            folder=str(folder.relative_to(settings.data_dir)),
            manifest_sha256=stored[0].sha256,
        )
        session.add(row)
        session.flush()
        for f in stored:
            session.add(UploadFileRow(upload_id=row.id, path=f.path, sha256=f.sha256, size=f.size))
        session.add(
            _audit_row(
                action="study uploaded",
                study_id=study.study_id,
                run_id=None,
                details={
                    "upload": row.id,
                    "files": [
                        {"path": f.path, "sha256": f.sha256, "size": f.size, "known": f.known}
                        for f in stored
                    ],
                },
                actor=owner.email,
            )
        )
        session.add(
            _audit_row(
                action="study validated",
                study_id=study.study_id,
                run_id=None,
                details={
                    "upload": row.id,
                    "groups": len(study.groups),
                    "readouts": len(study.readouts),
                },
                actor=owner.email,
            )
        )
        session.flush()
        return UploadResult(id=row.id, study_id=study.study_id, files=stored)


def _upload(row: UploadRow, settings: WebSettings) -> Upload:
    return Upload(
        row.id,
        row.study_id,
        row.title,
        row.blinded,
        row.owner_id,
        settings.data_dir / row.folder,
        row.manifest_sha256,
        row.created_at,
    )


def get_upload(engine: Engine, settings: WebSettings, upload_id: int) -> Upload | None:
    with Session(engine) as session:
        row = session.get(UploadRow, upload_id)
        return _upload(row, settings) if row is not None else None


def list_uploads(engine: Engine, settings: WebSettings) -> list[Upload]:
    with Session(engine) as session:
        rows = session.scalars(select(UploadRow).order_by(UploadRow.id.desc()))
        return [_upload(r, settings) for r in rows]


def upload_files(engine: Engine, upload_id: int) -> list[StoredFile]:
    with Session(engine) as session:
        rows = session.scalars(
            select(UploadFileRow)
            .where(UploadFileRow.upload_id == upload_id)
            .order_by(UploadFileRow.id)
        )
        return [StoredFile(r.path, r.sha256, r.size, known=False) for r in rows]


def run_dir(settings: WebSettings, run_id: str) -> Path:
    """Folder of a run's report.html and results.json."""
    return settings.data_dir / "runs" / run_id
