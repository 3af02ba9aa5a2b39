"""Where the store lives: the engine factory and the schema migrations.

No engine exists at import time; callers make one with :func:`make_engine` and bring the schema
up to date with :func:`init_db`.

Examples
--------
>>> engine = make_engine("sqlite:///:memory:")
>>> init_db(engine)
>>> current_revision(engine)
'0001'
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session

from neuroprotect.errors import InputError

#: Environment variable holding a SQLAlchemy URL of the store.
DATABASE_URL_ENV = "NEUROPROTECT_DATABASE_URL"
#: File name of the default SQLite store in the user's data directory.
DEFAULT_DB_NAME = "neuroprotect.sqlite"

#: Connection execution option marking a write transaction.
WRITE_OPTION = "neuroprotect_write"

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: Alembic's ``context``/``op`` proxies are process globals: one migration at a time per process
#: (the web app's job workers are threads that each open the store).
_MIGRATION_LOCK = threading.Lock()


def default_database_url() -> str:
    """SQLite file ``neuroprotect.sqlite`` in the user's data directory (the folder is created)."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("neuroprotect"))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / DEFAULT_DB_NAME}"


def database_url(value: str | os.PathLike[str] | None = None) -> str:
    """The store's URL: ``value`` > ``$NEUROPROTECT_DATABASE_URL`` > the default SQLite file.

    ``value`` (or the environment variable) is a SQLAlchemy URL (``postgresql+psycopg://...``,
    ``sqlite:///path``) or, for convenience, a plain file path, taken as a SQLite file.
    """
    raw = os.fspath(value) if value is not None else os.environ.get(DATABASE_URL_ENV) or None
    if raw is None:
        return default_database_url()
    if "://" in raw:
        return raw
    return f"sqlite:///{Path(raw).expanduser().resolve()}"


def make_engine(url: str | os.PathLike[str] | None = None, **kwargs: Any) -> Engine:
    """Create an engine for the store.

    Parameters
    ----------
    url
        SQLAlchemy URL or SQLite file path; default ``$NEUROPROTECT_DATABASE_URL``, else
        ``neuroprotect.sqlite`` in ``platformdirs.user_data_dir("neuroprotect")``.
    **kwargs
        Passed to :func:`sqlalchemy.create_engine`.

    Returns
    -------
    sqlalchemy.Engine
        For SQLite: write-ahead logging (WAL) and foreign keys are switched on for every
        connection, and transactions are real (``BEGIN`` is emitted by SQLAlchemy, not guessed by
        the driver), so a run and a migration each land whole or not at all.
    """
    engine = create_engine(database_url(url), **kwargs)
    check_sqlite_file(engine)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


#: First bytes of every SQLite 3 database file.
SQLITE_HEADER = b"SQLite format 3\x00"


def sqlite_file(engine: Engine) -> Path | None:
    """The database file of a file-backed SQLite engine, else None (in-memory, other dialects)."""
    name = engine.url.database
    if (
        engine.dialect.name != "sqlite"
        or not name
        or name == ":memory:"
        or name.startswith("file:")
    ):
        return None
    return Path(name)


def check_sqlite_file(engine: Engine) -> None:
    """Refuse an unusable SQLite store path with one line naming it; create a new file's folder.

    Raises
    ------
    InputError
        The path is a folder, a file that is not a SQLite database, or in a folder that cannot be
        created or written to.
    """
    path = sqlite_file(engine)
    if path is None:
        return
    if path.is_dir():
        raise InputError("Expected a SQLite store file, but got a folder", file=path)
    if path.exists():
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
        if head and head != SQLITE_HEADER:
            raise InputError(
                "Expected a SQLite database file for the store, but got a file that is not one",
                file=path,
            )
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"Expected a store file in a folder that can be created, but got: {exc.strerror or exc}",
            file=path,
        ) from None
    if not os.access(path.parent, os.W_OK):
        raise InputError(
            "Expected a store file in a writable folder, but the folder is read-only", file=path
        )


def store_name(engine: Engine) -> str:
    """How to name the store in messages: the SQLite file, else the URL without its password."""
    path = sqlite_file(engine)
    return str(path) if path is not None else engine.url.render_as_string(hide_password=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            # Let SQLAlchemy control transactions (the pysqlite driver would otherwise skip BEGIN
            # before DDL and SELECT); see "Serializable isolation / Savepoints / Transactional DDL"
            # in the SQLAlchemy SQLite dialect documentation.
            dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front (waiting up to the driver's timeout for another
        # writer), so a read-then-write transaction never fails on a stale snapshot.
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session in one write transaction: committed on success, rolled back on any error.

    On SQLite the transaction starts with ``BEGIN IMMEDIATE``.
    """
    with engine.connect() as conn:
        conn = conn.execution_options(**{WRITE_OPTION: True})
        with Session(bind=conn) as session, session.begin():
            yield session


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic configuration of the migrations shipped inside the package (no ``alembic.ini``)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if engine is not None:
        url = engine.url.render_as_string(hide_password=False)
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    """Revision id of the newest migration."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """Revision the database is at (``None`` for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def init_db(engine: Engine) -> None:
    """Create or upgrade the store's tables to the newest migration (``alembic upgrade head``).

    Idempotent: a database already at the head is left unchanged. Runs in one transaction.
    """
    cfg = alembic_config(engine)
    try:
        with (
            _MIGRATION_LOCK,
            engine.connect().execution_options(**{WRITE_OPTION: True}) as conn,
            conn.begin(),
        ):
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except (OperationalError, DatabaseError) as exc:
        reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
        raise InputError(
            f"Expected a usable store database, but it cannot be opened: {reason}",
            file=store_name(engine),
        ) from None
