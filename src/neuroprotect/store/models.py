"""Tables of the provenance store (SQLAlchemy 2 typed ORM).

One row per study, its groups and animals (as last stored), the raw files a run read (path, SHA-256,
size), the runs themselves (package version, parameters, input hash, status, timestamps), every
measurement and test result a run produced, and an append-only audit log.

Notes
-----
The schema is created and changed only by the Alembic migrations in ``store/migrations`` (see
:func:`neuroprotect.store.engine.init_db`); a test checks that the migrations' head matches these
models. Constraint names follow :data:`NAMING_CONVENTION` so that migrations can refer to them.
Timestamps are stored in UTC and come back as timezone-aware UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Dialects whose timestamp columns hold no time zone: UTC is stored without an offset.
NAIVE_TIMESTAMP_DIALECTS = frozenset({"sqlite", "mysql", "mariadb"})

#: Length of the short identifier columns (study, group, animal, readout, variable ids).
ID_LENGTH = 128


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and returned timezone-aware (UTC).

    Naive datetimes passed in are taken as local time (what ``datetime.now()`` returns).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        # Databases with a real "timestamp with time zone" (PostgreSQL) get the aware value, so the
        # server's TimeZone setting cannot shift it; the others store naive UTC.
        if dialect.name in NAIVE_TIMESTAMP_DIALECTS:
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, datetime: UTCDateTime}


class StudyRow(Base):
    """A study, keyed by its manifest ``study_id``; updated in place when stored again."""

    __tablename__ = "studies"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[str] = mapped_column(String(ID_LENGTH), unique=True)
    title: Mapped[str] = mapped_column(Text)
    compound: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    model: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    species: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    manifest_text: Mapped[str | None] = mapped_column(Text)
    #: Other study fields (strain, sex, investigator, ...), as given.
    extra: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)

    groups: Mapped[list[GroupRow]] = relationship(back_populates="study", passive_deletes=True)
    runs: Mapped[list[RunRow]] = relationship(back_populates="study", passive_deletes=True)


class GroupRow(Base):
    """An experimental group of a study (replaced whenever a new run of the study is stored)."""

    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("study_pk", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_pk: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    label: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(32))
    compound: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    dose_mg_kg: Mapped[float | None] = mapped_column(Float)
    route: Mapped[str | None] = mapped_column(String(64))
    timing: Mapped[str | None] = mapped_column(Text)
    timing_min: Mapped[float | None] = mapped_column(Float)
    planned_n: Mapped[int | None] = mapped_column(Integer)

    study: Mapped[StudyRow] = relationship(back_populates="groups")


class AnimalRow(Base):
    """An animal of a study (replaced whenever a new run of the study is stored)."""

    __tablename__ = "animals"
    __table_args__ = (UniqueConstraint("study_pk", "animal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_pk: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    animal_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    group: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    sex: Mapped[str | None] = mapped_column(String(16))
    body_weight_g: Mapped[float | None] = mapped_column(Float)
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    exclusion_reason: Mapped[str | None] = mapped_column(Text)


class RawFileRow(Base):
    """A raw input file as it was when read: path, content hash, size and its role in the study."""

    __tablename__ = "raw_files"
    __table_args__ = (UniqueConstraint("sha256", "path", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    role: Mapped[str] = mapped_column(String(ID_LENGTH))


class RunRawFileRow(Base):
    """Which raw files a run read."""

    __tablename__ = "run_raw_files"

    run_id: Mapped[str] = mapped_column(
        ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True
    )
    raw_file_id: Mapped[int] = mapped_column(
        ForeignKey("raw_files.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


class RunRow(Base):
    """One analysis run of a study."""

    __tablename__ = "runs"

    run_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    study_pk: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    package_version: Mapped[str] = mapped_column(String(64))
    parameters: Mapped[dict[str, Any]]
    input_hash: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)

    study: Mapped[StudyRow] = relationship(back_populates="runs")


class MeasurementRow(Base):
    """One value of the tidy measurement table of a run (``schema.columns.MEASUREMENT_COLUMNS``).

    ``study_id`` is not repeated per row: it is the run's study.
    """

    __tablename__ = "measurements"
    __table_args__ = (Index(None, "run_id", "readout", "variable"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.run_id", ondelete="CASCADE"))
    animal_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    group: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    dose_mg_kg: Mapped[float | None] = mapped_column(Float)
    readout: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    variable: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(32))
    timepoint: Mapped[str | None] = mapped_column(String(64))
    trial: Mapped[int | None] = mapped_column(Integer)
    censored: Mapped[bool | None] = mapped_column(Boolean)
    source_file: Mapped[str | None] = mapped_column(Text)
    source_row: Mapped[int | None] = mapped_column(Integer)


class ResultRow(Base):
    """One test or contrast of a run: ``readout, variable, family`` + ``RESULT_COLUMNS``, unrounded."""

    __tablename__ = "results"
    __table_args__ = (Index(None, "run_id", "readout", "variable"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.run_id", ondelete="CASCADE"))
    readout: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    variable: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    #: Which comparison family the row belongs to (e.g. ``model_check``: sham vs vehicle;
    #: ``treatment``: each treatment vs vehicle).
    family: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    test: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    contrast: Mapped[str | None] = mapped_column(Text)
    group: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    control: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    estimate: Mapped[float | None] = mapped_column(Float)
    statistic: Mapped[float | None] = mapped_column(Float)
    dof: Mapped[float | None] = mapped_column(Float)
    #: Degrees of freedom of an omnibus test: F numerator and denominator (``dof`` holds only the
    #: denominator); a chi-square test (Kruskal-Wallis) has ``num_df`` only. Empty on contrasts.
    num_df: Mapped[float | None] = mapped_column(Float)
    den_df: Mapped[float | None] = mapped_column(Float)
    p_val: Mapped[float | None] = mapped_column(Float)
    p_adj: Mapped[float | None] = mapped_column(Float)
    ci_low: Mapped[float | None] = mapped_column(Float)
    ci_high: Mapped[float | None] = mapped_column(Float)
    effect_size: Mapped[float | None] = mapped_column(Float)
    effect_type: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    n: Mapped[int | None] = mapped_column(Integer)


class UnblindingRow(Base):
    """The group codes of a blinded study, written once when the study is unblinded.

    Before unblinding the store holds no key: the sealed key file is the only copy.
    """

    __tablename__ = "unblindings"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[str] = mapped_column(String(ID_LENGTH), unique=True)
    #: group code -> group id
    group_codes: Mapped[dict[str, Any]]
    key_sha256: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(ID_LENGTH))
    unblinded_at: Mapped[datetime] = mapped_column(default=utc_now)


class AuditRow(Base):
    """Append-only log of what was done to the store, by whom and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    timestamp: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    actor: Mapped[str] = mapped_column(String(ID_LENGTH))
    action: Mapped[str] = mapped_column(String(ID_LENGTH))
    study_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), index=True)
    run_id: Mapped[str | None] = mapped_column(String(36), index=True)
    details: Mapped[dict[str, Any] | None]


__all__ = [
    "UnblindingRow",
    "AnimalRow",
    "AuditRow",
    "Base",
    "GroupRow",
    "MeasurementRow",
    "RawFileRow",
    "ResultRow",
    "RunRawFileRow",
    "RunRow",
    "StudyRow",
    "UTCDateTime",
]
