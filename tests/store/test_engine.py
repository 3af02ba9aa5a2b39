"""Engine factory, SQLite pragmas and the migrations (analytic checks on a fresh temp database)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, inspect, text

from neuroprotect.store import current_revision, head_revision, init_db, make_engine
from neuroprotect.store import engine as engine_module
from neuroprotect.store.models import Base

TABLES = {
    "studies",
    "groups",
    "animals",
    "raw_files",
    "runs",
    "run_raw_files",
    "measurements",
    "results",
    "audit_log",
    "unblindings",
    "users",
    "web_sessions",
    "uploads",
    "upload_files",
    "jobs",
    "signatures",
}


def test_url_argument_wins_over_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEUROPROTECT_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    eng = make_engine(f"sqlite:///{tmp_path / 'arg.sqlite'}")
    assert eng.url.database == str(tmp_path / "arg.sqlite")


def test_environment_url_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEUROPROTECT_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    eng = make_engine()
    init_db(eng)
    eng.dispose()
    assert (tmp_path / "env.sqlite").is_file()


def test_default_is_sqlite_file_in_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEUROPROTECT_DATABASE_URL", raising=False)
    folder = tmp_path / "data" / "neuroprotect"
    monkeypatch.setattr("platformdirs.user_data_dir", lambda appname: str(folder))
    eng = make_engine()
    assert folder.is_dir()
    assert eng.url.database == str(folder / "neuroprotect.sqlite")
    assert engine_module.DEFAULT_DB_NAME == "neuroprotect.sqlite"


def test_plain_path_is_a_sqlite_file(tmp_path: Path) -> None:
    eng = make_engine(tmp_path / "x.sqlite")
    assert eng.dialect.name == "sqlite"
    assert eng.url.database == str((tmp_path / "x.sqlite").resolve())


def test_sqlite_pragmas(tmp_path: Path) -> None:
    eng = make_engine(tmp_path / "p.sqlite")
    with eng.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    eng.dispose()


def test_init_db_creates_all_tables_and_is_idempotent(tmp_path: Path) -> None:
    eng = make_engine(tmp_path / "s.sqlite")
    assert current_revision(eng) is None
    init_db(eng)
    init_db(eng)
    assert set(inspect(eng).get_table_names()) == TABLES | {"alembic_version"}
    assert current_revision(eng) == head_revision() == "0005"
    eng.dispose()


def test_migration_head_matches_models(tmp_path: Path) -> None:
    """`alembic revision --autogenerate` would find nothing to do: migrations == ORM models."""
    eng = make_engine(tmp_path / "m.sqlite")
    init_db(eng)
    with eng.connect() as conn:
        diffs = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diffs == []
    # The comparison does see a difference when there is one (the check can fail).
    changed = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(changed)
    Table("extra_table", changed, Column("id", Integer, primary_key=True))
    with eng.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), changed)
    assert [d[0] for d in diffs] == ["add_table"]
    eng.dispose()


def test_migrations_ship_in_the_package() -> None:
    """Regular packages (with __init__.py), so a non-editable `pip install .` copies them."""
    from setuptools import find_packages

    src = Path(engine_module.__file__).resolve().parents[2]
    found = find_packages(str(src))
    assert {"neuroprotect.store.migrations", "neuroprotect.store.migrations.versions"} <= set(found)
    folder = engine_module.MIGRATIONS_DIR
    assert (folder / "env.py").is_file()
    assert (folder / "script.py.mako").is_file()
    assert (folder / "versions" / "0001_initial.py").is_file()


def test_downgrade_drops_everything(tmp_path: Path) -> None:
    from alembic import command

    eng = make_engine(tmp_path / "d.sqlite")
    init_db(eng)
    cfg = engine_module.alembic_config(eng)
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert set(inspect(eng).get_table_names()) == {"alembic_version"}
    init_db(eng)
    assert set(inspect(eng).get_table_names()) == TABLES | {"alembic_version"}
    eng.dispose()


def _unusable_paths(tmp_path: Path) -> dict[str, tuple[str, str]]:
    (tmp_path / "folder").mkdir()
    (tmp_path / "notes.sqlite").write_text("not a database\n")
    (tmp_path / "plain").write_text("x")
    return {
        "folder": (str(tmp_path / "folder"), "but got a folder"),
        "folder url": (f"sqlite:///{tmp_path / 'folder'}", "but got a folder"),
        "not sqlite": (str(tmp_path / "notes.sqlite"), "not one"),
        "under a file": (str(tmp_path / "plain" / "x.sqlite"), "folder that can be created"),
    }


@pytest.mark.parametrize("case", ["folder", "folder url", "not sqlite", "under a file"])
def test_unusable_sqlite_path_is_an_input_error_naming_it(tmp_path: Path, case: str) -> None:
    from neuroprotect.errors import InputError

    db, expected = _unusable_paths(tmp_path)[case]
    with pytest.raises(InputError, match=expected) as info:
        init_db(make_engine(db))
    assert str(Path(db.removeprefix("sqlite:///"))) in str(info.value)


def test_new_store_file_gets_its_folder(tmp_path: Path) -> None:
    db = tmp_path / "new" / "folder" / "runs.sqlite"
    init_db(make_engine(db))
    assert db.is_file()


def test_database_error_at_open_is_an_input_error(tmp_path: Path) -> None:
    """A file with a SQLite header but garbage after it fails inside SQLite: still one line."""
    from neuroprotect.errors import InputError

    db = tmp_path / "broken.sqlite"
    db.write_bytes(engine_module.SQLITE_HEADER + b"\xff" * 200)
    with pytest.raises(InputError, match="cannot be opened") as info:
        init_db(make_engine(db))
    assert str(db) in str(info.value) and "\n" not in str(info.value)


def test_store_of_revision_0002_gains_num_and_den_df(tmp_path: Path) -> None:
    """A store made before 0003 is upgraded in place: results get empty num_df/den_df columns."""
    from alembic import command

    eng = make_engine(tmp_path / "old.sqlite")
    cfg = engine_module.alembic_config(eng)
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
    assert "num_df" not in {c["name"] for c in inspect(eng).get_columns("results")}
    init_db(eng)
    assert {"num_df", "den_df"} <= {c["name"] for c in inspect(eng).get_columns("results")}
    assert current_revision(eng) == head_revision()
    eng.dispose()
