"""Reading stored runs back: one run in full, a list of runs, run ids by prefix."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from neuroprotect.errors import InputError
from neuroprotect.store._frames import rows_to_frame
from neuroprotect.store.models import (
    AnimalRow,
    GroupRow,
    MeasurementRow,
    RawFileRow,
    ResultRow,
    RunRawFileRow,
    RunRow,
    StudyRow,
)
from neuroprotect.store.records import (
    ANIMAL_FIELDS,
    GROUP_FIELDS,
    MEASUREMENT_FIELDS,
    RESULT_FIELDS,
    RawFileRecord,
)

#: Columns of :func:`list_runs`.
RUN_LIST_COLUMNS = (
    "run_id",
    "study_id",
    "status",
    "blinded",
    "started_at",
    "finished_at",
    "package_version",
    "input_hash",
    "n_raw_files",
    "n_measurements",
    "n_results",
)


def run_blinded(parameters: dict[str, Any] | None) -> bool | None:
    """Whether a run analysed group codes (a blinded study not yet unblinded).

    Read from the run's stored ``parameters["blinded"]``; None when the run did not record it.
    """
    value = (parameters or {}).get("blinded")
    return value if isinstance(value, bool) else None


def resolve_run_id(engine: Engine, prefix: str) -> str:
    """The full id of the one stored run whose id starts with ``prefix`` (like a short git hash).

    Raises
    ------
    InputError
        No run, or more than one run, matches.
    """
    prefix = prefix.strip()
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    with Session(engine) as session:
        ids = session.scalars(
            select(RunRow.run_id).where(RunRow.run_id.like(f"{escaped}%", escape="\\")).limit(2)
        ).all()
    if not prefix or not ids:
        raise InputError(f"Expected the id of a stored run, but no run id starts with {prefix!r}")
    if len(ids) > 1:
        raise InputError(f"Expected one run, but several run ids start with {prefix!r}; give more")
    return ids[0]


def _columns(model: type[Any], names: dict[str, Any]) -> list[Any]:
    return [getattr(model, name) for name in names]


def load_run(engine: Engine, run_id: str) -> dict[str, Any]:
    """Everything stored about one run.

    Returns
    -------
    dict
        ``run``: dict of ``run_id, study_id, package_version, parameters, blinded, input_hash,
        status, started_at, finished_at, error`` (timestamps timezone-aware UTC; ``blinded`` as
        :func:`run_blinded`);
        ``study``: dict of ``study_id, title, compound, model, species, manifest_text, extra,
        created_at, updated_at``;
        ``groups``: list of dicts (``group_id, label, role, compound, dose_mg_kg, route, timing,
        timing_min, planned_n``) and ``animals``: DataFrame (``animal_id, group, sex,
        body_weight_g, excluded, exclusion_reason``), both as last stored for the study;
        ``raw_files``: list of :class:`RawFileRecord`;
        ``measurements``: DataFrame in ``schema.columns.MEASUREMENT_COLUMNS`` (stored order);
        ``results``: DataFrame of :data:`RESULT_FIELDS` (``readout, variable, family`` +
        ``schema.columns.RESULT_COLUMNS`` with ``num_df, den_df`` after ``dof``).
        Missing values are NaN (floats), ``<NA>`` (``trial``, ``source_row``, ``n``,
        ``censored``) or None (text). ``timepoint`` is numeric when every stored timepoint is.

    Raises
    ------
    InputError
        No run with this id.
    """
    with Session(engine) as session:
        run = session.get(RunRow, run_id)
        if run is None:
            raise InputError(f"Expected the id of a stored run, but got {run_id!r}")
        study = run.study
        run_info = {
            "run_id": run.run_id,
            "study_id": study.study_id,
            "package_version": run.package_version,
            "parameters": run.parameters,
            "blinded": run_blinded(run.parameters),
            "input_hash": run.input_hash,
            "status": run.status,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "error": run.error,
        }
        study_info = {
            name: getattr(study, name)
            for name in (
                "study_id",
                "title",
                "compound",
                "model",
                "species",
                "manifest_text",
                "extra",
                "created_at",
                "updated_at",
            )
        }
        group_rows = session.execute(
            select(*_columns(GroupRow, GROUP_FIELDS))
            .where(GroupRow.study_pk == study.id)
            .order_by(GroupRow.id)
        ).all()
        groups = [dict(zip(GROUP_FIELDS, row, strict=True)) for row in group_rows]
        animals = rows_to_frame(
            session.execute(
                select(*_columns(AnimalRow, ANIMAL_FIELDS))
                .where(AnimalRow.study_pk == study.id)
                .order_by(AnimalRow.id)
            ).all(),
            ANIMAL_FIELDS,
        )
        raw_files = [
            RawFileRecord(path=f.path, sha256=f.sha256, size=f.size, role=f.role)
            for f in session.scalars(
                select(RawFileRow)
                .join(RunRawFileRow, RunRawFileRow.raw_file_id == RawFileRow.id)
                .where(RunRawFileRow.run_id == run_id)
                .order_by(RawFileRow.role, RawFileRow.path)
            )
        ]
        measurements = rows_to_frame(
            session.connection()
            .execute(
                select(*_columns(MeasurementRow, MEASUREMENT_FIELDS))
                .where(MeasurementRow.run_id == run_id)
                .order_by(MeasurementRow.id)
            )
            .all(),
            MEASUREMENT_FIELDS,
            numeric_if_possible=("timepoint",),
        )
        results = rows_to_frame(
            session.execute(
                select(*_columns(ResultRow, RESULT_FIELDS))
                .where(ResultRow.run_id == run_id)
                .order_by(ResultRow.id)
            ).all(),
            RESULT_FIELDS,
        )
    measurements.insert(0, "study_id", study.study_id)
    return {
        "run": run_info,
        "study": study_info,
        "groups": groups,
        "animals": animals,
        "raw_files": raw_files,
        "measurements": measurements,
        "results": results,
    }


def list_runs(engine: Engine, study_id: str | None = None) -> pd.DataFrame:
    """Stored runs, oldest first.

    Returns
    -------
    pandas.DataFrame
        ``run_id, study_id, status, blinded, started_at, finished_at, package_version,
        input_hash, n_raw_files, n_measurements, n_results`` (one row per run; ``blinded`` as
        :func:`run_blinded`).
    """

    def count(model: type[Any]) -> Any:
        return (
            select(func.count())
            .select_from(model)
            .where(model.run_id == RunRow.run_id)
            .scalar_subquery()
        )

    stmt = (
        select(
            RunRow.run_id,
            StudyRow.study_id,
            RunRow.status,
            RunRow.parameters,
            RunRow.started_at,
            RunRow.finished_at,
            RunRow.package_version,
            RunRow.input_hash,
            count(RunRawFileRow),
            count(MeasurementRow),
            count(ResultRow),
        )
        .join(StudyRow, RunRow.study_pk == StudyRow.id)
        .order_by(RunRow.started_at, RunRow.run_id)
    )
    if study_id is not None:
        stmt = stmt.where(StudyRow.study_id == study_id)
    with Session(engine) as session:
        rows = session.execute(stmt).all()
    frame = pd.DataFrame.from_records(rows, columns=list(RUN_LIST_COLUMNS))
    frame["blinded"] = pd.Series([run_blinded(p) for p in frame["blinded"]], dtype=object)
    for name in ("n_raw_files", "n_measurements", "n_results"):
        frame[name] = frame[name].astype("int64")
    return frame
