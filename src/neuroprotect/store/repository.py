"""Storing and reading runs: the functions the run workflow and the CLI call.

A run lands whole or not at all: :func:`save_run` writes the study, its groups and animals, the raw
files, the run, its measurements and results, and an audit entry in one transaction. Identical
inputs (same :func:`compute_input_hash`) are recognised and not stored twice.

Examples
--------
>>> engine = make_engine(tmp_path / "store.sqlite")  # doctest: +SKIP
>>> init_db(engine)  # doctest: +SKIP
>>> outcome = save_run(engine, study=..., ...)  # doctest: +SKIP
>>> load_run(engine, outcome.run_id)["results"]  # doctest: +SKIP
"""

from __future__ import annotations

import getpass
import hashlib
import json
import uuid
from datetime import datetime
from typing import Any, cast

import pandas as pd
from sqlalchemy import Engine, Table, delete, insert, select
from sqlalchemy.orm import Session

from neuroprotect.store._frames import frame_to_rows, is_missing
from neuroprotect.store.engine import write_session
from neuroprotect.store.models import (
    AnimalRow,
    AuditRow,
    Base,
    GroupRow,
    MeasurementRow,
    RawFileRow,
    ResultRow,
    RunRawFileRow,
    RunRow,
    StudyRow,
    utc_now,
)
from neuroprotect.store.reading import list_runs, load_run, resolve_run_id
from neuroprotect.store.records import (
    ANIMAL_FIELDS,
    GROUP_FIELDS,
    MEASUREMENT_FIELDS,
    RESULT_FIELDS,
    RawFileRecord,
    SaveOutcome,
)

#: Status of a run stored by :func:`save_run`.
RUN_SUCCEEDED = "succeeded"

STUDY_FIELDS = ("study_id", "title", "compound", "model", "species", "manifest_text")


def _table(model: type[Base]) -> Table:
    """The Core table of a model (Core executemany inserts skip per-object ORM work)."""
    return cast(Table, model.__table__)


def current_actor() -> str:
    """Login name of the user running neuroprotect (``"unknown"`` if the system cannot say)."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - getuser raises OSError/KeyError without a passwd entry
        return "unknown"


def _canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _json_safe(data: dict[str, Any]) -> dict[str, Any]:
    """Plain JSON types only (paths, dates, numpy scalars become strings)."""
    result: dict[str, Any] = json.loads(_canonical_json(data))
    return result


def compute_input_hash(raw_files: list[RawFileRecord], parameters: dict[str, Any]) -> str:
    """SHA-256 identifying a run's inputs.

    Parameters
    ----------
    raw_files
        The files read; only each file's role and content hash count, so moving or renaming the
        study folder does not change the hash, while editing any file does.
    parameters
        Analysis parameters; hashed as canonical JSON (sorted keys, no whitespace; values JSON
        cannot hold, such as paths, by their ``str``).

    Returns
    -------
    str
        64 hexadecimal digits.

    Notes
    -----
    ``sha256("neuroprotect-inputs-v1\\n" + "".join(f"{role}\\t{sha256}\\n" for sorted (role,
    sha256) pairs) + "parameters\\t" + canonical_json(parameters))``. The order of ``raw_files``
    does not matter; a file listed twice counts twice.
    """
    h = hashlib.sha256(b"neuroprotect-inputs-v1\n")
    for role, digest in sorted((f.role, f.sha256.lower()) for f in raw_files):
        h.update(f"{role}\t{digest}\n".encode())
    h.update(b"parameters\t")
    h.update(_canonical_json(parameters).encode())
    return h.hexdigest()


def _find_run(session: Session, input_hash: str, study_id: str | None) -> str | None:
    stmt = (
        select(RunRow.run_id)
        .where(RunRow.input_hash == input_hash, RunRow.status == RUN_SUCCEEDED)
        .order_by(RunRow.started_at, RunRow.run_id)
        .limit(1)
    )
    if study_id is not None:
        stmt = stmt.join(StudyRow).where(StudyRow.study_id == study_id)
    return session.scalars(stmt).first()


def find_run(engine: Engine, input_hash: str, *, study_id: str | None = None) -> str | None:
    """Id of the earliest successful run with these inputs (optionally of one study), else None."""
    with Session(engine) as session:
        return _find_run(session, input_hash, study_id)


def _audit_row(
    *,
    action: str,
    study_id: str | None,
    run_id: str | None,
    details: dict[str, Any] | None,
    actor: str | None,
) -> AuditRow:
    return AuditRow(
        timestamp=utc_now(),
        actor=actor or current_actor(),
        action=action,
        study_id=study_id,
        run_id=run_id,
        details=_json_safe(details) if details is not None else None,
    )


def audit(
    engine: Engine,
    *,
    action: str,
    study_id: str | None = None,
    run_id: str | None = None,
    details: dict[str, Any] | None = None,
    actor: str | None = None,
) -> None:
    """Append one entry to the audit log (its own transaction).

    ``actor`` defaults to the login name; ``details`` is stored as JSON.
    """
    with write_session(engine) as session:
        session.add(
            _audit_row(
                action=action, study_id=study_id, run_id=run_id, details=details, actor=actor
            )
        )


def _upsert_study(session: Session, study: dict[str, Any]) -> StudyRow:
    for key in ("study_id", "title"):
        if is_missing(study.get(key)):
            raise ValueError(f"Expected a study {key}, but got {study.get(key)!r}")
    extra = {k: v for k, v in study.items() if k not in STUDY_FIELDS}
    values: dict[str, Any] = {
        k: None if is_missing(study.get(k)) else str(study[k]) for k in STUDY_FIELDS
    }
    values["extra"] = _json_safe(extra) if extra else None
    row = session.scalars(select(StudyRow).where(StudyRow.study_id == values["study_id"])).first()
    now = utc_now()
    if row is None:
        row = StudyRow(**values, created_at=now, updated_at=now)
        session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = now
    session.flush()
    return row


def _replace_groups(session: Session, study_pk: int, groups: list[dict[str, Any]]) -> None:
    session.execute(delete(GroupRow).where(GroupRow.study_pk == study_pk))
    if not groups:
        return
    frame = pd.DataFrame([{"group_id": g.get("group_id", g.get("id")), **g} for g in groups])
    frame["role"] = [
        None if is_missing(r) else str(r) for r in frame.get("role", [None] * len(frame))
    ]
    rows = frame_to_rows(frame, GROUP_FIELDS, table="groups", fixed={"study_pk": study_pk})
    session.execute(insert(_table(GroupRow)), rows)


def _replace_animals(session: Session, study_pk: int, animals: pd.DataFrame) -> None:
    session.execute(delete(AnimalRow).where(AnimalRow.study_pk == study_pk))
    if animals.empty:
        return
    rows = frame_to_rows(
        animals,
        ANIMAL_FIELDS,
        table="animals",
        fixed={"study_pk": study_pk},
        defaults={"excluded": False},
    )
    for i, row in enumerate(rows):
        if row["excluded"] is None:
            row["excluded"] = False
        if row["animal_id"] is None:
            raise ValueError(f"Expected an animal_id in animals, but got nothing (row {i})")
    session.execute(insert(_table(AnimalRow)), rows)


def _raw_file_ids(session: Session, raw_files: list[RawFileRecord]) -> list[int]:
    ids: list[int] = []
    for f in raw_files:
        key = (RawFileRow.sha256 == f.sha256.lower(), RawFileRow.path == str(f.path))
        found = session.scalars(
            select(RawFileRow.id).where(*key, RawFileRow.role == f.role)
        ).first()
        if found is None:
            row = RawFileRow(
                path=str(f.path), sha256=f.sha256.lower(), size=int(f.size), role=f.role
            )
            session.add(row)
            session.flush()
            found = row.id
        if found not in ids:
            ids.append(found)
    return ids


def _check_study_column(measurements: pd.DataFrame, study_id: str) -> None:
    if "study_id" not in measurements.columns:
        return
    other = measurements["study_id"].dropna().astype(str)
    other = other[other != study_id]
    if len(other):
        raise ValueError(
            f"Expected study_id {study_id!r} in measurements, but got {other.iloc[0]!r} "
            f"(row {other.index[0]})"
        )


def save_run(
    engine: Engine,
    *,
    study: dict[str, Any],
    groups: list[dict[str, Any]],
    animals: pd.DataFrame,
    raw_files: list[RawFileRecord],
    parameters: dict[str, Any],
    measurements: pd.DataFrame,
    results: pd.DataFrame,
    package_version: str,
    started_at: datetime,
    finished_at: datetime,
    actor: str | None = None,
) -> SaveOutcome:
    """Store one successful run of a study, in one transaction.

    Parameters
    ----------
    engine
        From :func:`~neuroprotect.store.engine.make_engine`, schema created by ``init_db``.
    study
        ``study_id``, ``title``, ``compound``, ``model``, ``species``, ``manifest_text``; other keys
        are kept as JSON in ``studies.extra``. An existing study with this id is updated.
    groups
        One dict per group: ``group_id`` (or ``id``), ``role``, ``label``, ``compound``,
        ``dose_mg_kg``, ``route``, ``timing``, ``timing_min``, ``planned_n``. Replaces the study's
        groups.
    animals
        ``animal_id, group, sex, body_weight_g, excluded, exclusion_reason``. Replaces the study's
        animals.
    raw_files
        The files the run read.
    parameters
        Analysis parameters (stored as JSON and part of the input hash).
    measurements
        Tidy table in ``schema.columns.MEASUREMENT_COLUMNS`` (missing columns are stored as NULL;
        other columns are not stored).
    results
        ``readout, variable``, optional ``family``, and ``schema.columns.RESULT_COLUMNS``;
        NaN is stored as NULL.
    package_version, started_at, finished_at
        Provenance of the run (naive datetimes are taken as local time; stored in UTC).
    actor
        Who ran it; default the login name.

    Returns
    -------
    SaveOutcome
        The new run's id and ``reused=False``; or, when a successful run of the same study with the
        same input hash exists, that run's id and ``reused=True``: then only an audit entry
        ("run reused") is written.

    Raises
    ------
    ValueError
        A value of the wrong type (named by table, column and row); nothing is written.
    """
    study_id = study.get("study_id")
    if is_missing(study_id):
        raise ValueError("Expected a study_id in study, but got nothing")
    study_id = str(study_id)
    input_hash = compute_input_hash(raw_files, parameters)
    with write_session(engine) as session:
        existing = _find_run(session, input_hash, study_id)
        if existing is not None:
            session.add(
                _audit_row(
                    action="run reused",
                    study_id=study_id,
                    run_id=existing,
                    details={"input_hash": input_hash, "package_version": package_version},
                    actor=actor,
                )
            )
            return SaveOutcome(run_id=existing, reused=True)

        study_row = _upsert_study(session, study)
        _replace_groups(session, study_row.id, groups)
        _replace_animals(session, study_row.id, animals)
        raw_ids = _raw_file_ids(session, raw_files)
        run_id = str(uuid.uuid4())
        session.add(
            RunRow(
                run_id=run_id,
                study_pk=study_row.id,
                package_version=package_version,
                parameters=_json_safe(parameters),
                input_hash=input_hash,
                status=RUN_SUCCEEDED,
                started_at=started_at,
                finished_at=finished_at,
            )
        )
        session.flush()
        if raw_ids:
            session.execute(
                insert(_table(RunRawFileRow)),
                [{"run_id": run_id, "raw_file_id": i} for i in raw_ids],
            )
        _check_study_column(measurements, study_id)
        fixed = {"run_id": run_id}
        rows = frame_to_rows(measurements, MEASUREMENT_FIELDS, table="measurements", fixed=fixed)
        if rows:
            session.execute(insert(_table(MeasurementRow)), rows)
        rows = frame_to_rows(results, RESULT_FIELDS, table="results", fixed=fixed)
        if rows:
            session.execute(insert(_table(ResultRow)), rows)
        session.add(
            _audit_row(
                action="run stored",
                study_id=study_id,
                run_id=run_id,
                details={
                    "input_hash": input_hash,
                    "package_version": package_version,
                    "n_raw_files": len(raw_ids),
                    "n_measurements": len(measurements),
                    "n_results": len(results),
                },
                actor=actor,
            )
        )
    return SaveOutcome(run_id=run_id, reused=False)


__all__ = [
    "RawFileRecord",
    "SaveOutcome",
    "audit",
    "compute_input_hash",
    "current_actor",
    "find_run",
    "list_runs",
    "load_run",
    "resolve_run_id",
    "save_run",
]
