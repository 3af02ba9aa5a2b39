"""Fixtures of the web tests: a fresh database per test (module) on SQLite and on PostgreSQL.

PostgreSQL runs when ``NEUROPROTECT_TEST_POSTGRES_URL`` names a server (``.ci/run`` sets it when
one answers on 127.0.0.1:5432); each fixture creates its own uniquely named database and drops it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import MINIMAL_MANIFEST

pytest.importorskip("fastapi")
from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from neuroprotect.store.accounts import User, add_user  # noqa: E402
from neuroprotect.web.app import create_app  # noqa: E402
from neuroprotect.web.security import hash_password  # noqa: E402
from neuroprotect.web.settings import WebSettings  # noqa: E402

POSTGRES_URL = os.environ.get("NEUROPROTECT_TEST_POSTGRES_URL")
PASSWORD = "a long lab password"
ROLES = ("admin", "pi", "analyst", "scorer")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not POSTGRES_URL,
            reason="NEUROPROTECT_TEST_POSTGRES_URL not set (no PostgreSQL server to test)",
        ),
    ),
]


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with test-sized cost (a login per test would otherwise take most of a second).

    Verification reads the cost from each hash, so the production code path is unchanged.
    """
    from argon2 import PasswordHasher

    from neuroprotect.web import security

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(security, "_hasher", cheap)
    monkeypatch.setattr(security, "_DUMMY_HASH", cheap.hash("not a password of anyone"))


def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """URL of an empty database: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'store.sqlite'}"
        return
    assert POSTGRES_URL is not None
    pytest.importorskip("psycopg")
    name = f"np_web_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from fresh_database(request.param, tmp_path)


def write_mini_study(folder: Path, *, blinded: bool = False, study_id: str = "mini") -> Path:
    """The shared minimal study (3 groups x 4 rats, brain water).

    ``blinded``: coded animals, and the sealed key (passphrase ``pw``) as ``<study_id>.key``
    beside the study folder.
    """
    folder.mkdir(parents=True, exist_ok=True)
    manifest = MINIMAL_MANIFEST.replace("study_id: mini", f"study_id: {study_id}")
    rows = [(f"{g}-{i}", g, 250 + i) for g in ("sham", "vehicle", "low") for i in range(4)]
    animals = pd.DataFrame(rows, columns=["animal_id", "group", "body_weight_g"])
    animals["sex"] = "male"
    water = pd.DataFrame(
        [
            (f"{g}-{i}", 1000.0 + 10 * i, round((1000.0 + 10 * i) * (1 - frac - 0.002 * i), 3))
            for g, frac in (("sham", 0.78), ("vehicle", 0.82), ("low", 0.80))
            for i in range(4)
        ],
        columns=["animal_id", "wet_weight_mg", "dry_weight_mg"],
    )
    if blinded:
        from neuroprotect.design.blinding import conceal_allocation

        manifest += (
            "design:\n  blinding: {allocation_concealed: true, "
            "outcome_assessment_blinded: true, analysis_blinded: true}\n"
        )
        animals["blinded_code"] = [f"C{i:02d}" for i in range(len(animals))]
        concealed = conceal_allocation(
            animals, study_id=study_id, groups=["sham", "vehicle", "low"], seed=5, passphrase="pw"
        )
        (folder.parent / f"{study_id}.key").write_text(concealed.sealed_key)
        coded = concealed.coded_animals.copy()
        rename = dict(zip(coded["animal_id"], coded["blinded_code"], strict=True))
        coded["animal_id"] = coded["animal_id"].map(rename)
        animals = coded
        water["animal_id"] = water["animal_id"].map(rename)
    (folder / "study.yaml").write_text(manifest)
    animals.to_csv(folder / "animals.csv", index=False)
    water.to_csv(folder / "water.csv", index=False)
    return folder / "study.yaml"


def upload_parts(manifest: Path, names: list[str] | None = None) -> list[tuple[str, Any]]:
    """Multipart parts of ``POST /api/studies``: the manifest and the files beside it."""
    folder = manifest.parent
    chosen = names or sorted(p.name for p in folder.iterdir() if p.name != manifest.name)
    parts: list[tuple[str, Any]] = [("manifest", ("study.yaml", manifest.read_bytes()))]
    parts += [("files", (n, (folder / n).read_bytes())) for n in chosen]
    return parts


@dataclass
class Lab:
    """An app on a fresh database with one user per role (and a second PI)."""

    app: FastAPI
    settings: WebSettings
    users: dict[str, User] = field(default_factory=dict)

    @property
    def engine(self) -> Any:
        return self.app.state.engine

    def client(self, role: str | None) -> TestClient:
        """A client logged in as ``role`` (None: anonymous), sending its CSRF token."""
        client = TestClient(self.app)
        if role is not None:
            answer = client.post(
                "/api/session", json={"email": self.users[role].email, "password": PASSWORD}
            )
            assert answer.status_code == 200, answer.text
            client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        return client


def make_lab(db_url: str, data_dir: Path, **overrides: Any) -> Lab:
    settings = WebSettings(database_url=db_url, data_dir=data_dir, start_worker=False, **overrides)
    app = create_app(settings)
    lab = Lab(app=app, settings=settings)
    hashed = hash_password(PASSWORD)  # one argon2 hash for all: hashing is slow on purpose
    for role in (*ROLES, "pi2"):
        lab.users[role] = add_user(
            app.state.engine, f"{role}@lab.org", role=role.rstrip("2"), password_hash=hashed
        )
    return lab


@pytest.fixture
def lab(db_url: str, tmp_path: Path) -> Iterator[Lab]:
    made = make_lab(db_url, tmp_path / "data")
    yield made
    made.engine.dispose()
