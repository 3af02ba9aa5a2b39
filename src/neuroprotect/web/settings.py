"""Settings of the web app: database, data folder, limits and timeouts.

Given on the ``neuroprotect serve`` command line or through ``NEUROPROTECT_*`` environment
variables (``NEUROPROTECT_DATABASE_URL``, ``NEUROPROTECT_DATA_DIR``).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict

DATA_DIR_ENV = "NEUROPROTECT_DATA_DIR"


def default_data_dir() -> Path:
    """``web`` folder in the user's data directory (uploads, run reports)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("neuroprotect")) / "web"


class WebSettings(BaseModel):
    """Settings of one app instance."""

    model_config = ConfigDict(frozen=True)

    #: SQLAlchemy URL of the store (the app's tables live in the same database).
    database_url: str
    #: Uploaded files (by hash), study folders and run outputs.
    data_dir: Path
    #: Largest file accepted in an upload, and the largest upload in total.
    max_file_bytes: int = 512 * 1024 * 1024
    max_upload_bytes: int = 4 * 1024 * 1024 * 1024
    #: File types accepted in an upload (lower-case suffixes).
    allowed_suffixes: frozenset[str] = frozenset(
        {
            ".yaml", ".yml", ".csv", ".tsv", ".txt", ".xlsx", ".xls", ".json",
            ".tif", ".tiff", ".png", ".jpg", ".jpeg", ".bmp",
            ".h5", ".nwb", ".slp", ".mat", ".xml", ".zip",
        }
    )  # fmt: skip
    #: A session ends after this long without a request, and in any case after ``session_max``.
    session_idle: timedelta = timedelta(minutes=30)
    session_max: timedelta = timedelta(hours=12)
    #: Cookies only over HTTPS (turn on behind a TLS proxy).
    secure_cookies: bool = False
    #: Start job worker threads inside the app, and how many (runs at once).
    start_worker: bool = True
    job_workers: int = 1

    @classmethod
    def from_env(
        cls, *, database_url: str | None = None, data_dir: str | os.PathLike[str] | None = None
    ) -> WebSettings:
        from neuroprotect.store.engine import database_url as resolve_url

        folder = data_dir or os.environ.get(DATA_DIR_ENV) or default_data_dir()
        return cls(database_url=resolve_url(database_url), data_dir=Path(folder).expanduser())
