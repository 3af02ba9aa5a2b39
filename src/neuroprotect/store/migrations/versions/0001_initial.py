"""Initial schema: studies, groups, animals, raw files, runs, measurements, results, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Written from ``alembic revision --autogenerate`` against ``neuroprotect.store.models`` and tidied by
hand. Migrations never import the models, so that later model changes cannot alter this revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=128)
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "studies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", ID, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("compound", ID, nullable=True),
        sa.Column("model", ID, nullable=True),
        sa.Column("species", ID, nullable=True),
        sa.Column("manifest_text", sa.Text(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studies")),
        sa.UniqueConstraint("study_id", name=op.f("uq_studies_study_id")),
    )
    op.create_table(
        "groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_pk", sa.Integer(), nullable=False),
        sa.Column("group_id", ID, nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("compound", ID, nullable=True),
        sa.Column("dose_mg_kg", sa.Float(), nullable=True),
        sa.Column("route", sa.String(length=64), nullable=True),
        sa.Column("timing", sa.Text(), nullable=True),
        sa.Column("timing_min", sa.Float(), nullable=True),
        sa.Column("planned_n", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["study_pk"],
            ["studies.id"],
            name=op.f("fk_groups_study_pk_studies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
        sa.UniqueConstraint("study_pk", "group_id", name=op.f("uq_groups_study_pk_group_id")),
    )
    op.create_index(op.f("ix_groups_study_pk"), "groups", ["study_pk"])
    op.create_table(
        "animals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_pk", sa.Integer(), nullable=False),
        sa.Column("animal_id", ID, nullable=False),
        sa.Column("group", ID, nullable=True),
        sa.Column("sex", sa.String(length=16), nullable=True),
        sa.Column("body_weight_g", sa.Float(), nullable=True),
        sa.Column("excluded", sa.Boolean(), nullable=False),
        sa.Column("exclusion_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["study_pk"],
            ["studies.id"],
            name=op.f("fk_animals_study_pk_studies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_animals")),
        sa.UniqueConstraint("study_pk", "animal_id", name=op.f("uq_animals_study_pk_animal_id")),
    )
    op.create_index(op.f("ix_animals_study_pk"), "animals", ["study_pk"])
    op.create_table(
        "raw_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("role", ID, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raw_files")),
        sa.UniqueConstraint("sha256", "path", "role", name=op.f("uq_raw_files_sha256_path_role")),
    )
    op.create_index(op.f("ix_raw_files_sha256"), "raw_files", ["sha256"])
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("study_pk", sa.Integer(), nullable=False),
        sa.Column("package_version", sa.String(length=64), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("input_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["study_pk"], ["studies.id"], name=op.f("fk_runs_study_pk_studies"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_runs")),
    )
    op.create_index(op.f("ix_runs_input_hash"), "runs", ["input_hash"])
    op.create_index(op.f("ix_runs_study_pk"), "runs", ["study_pk"])
    op.create_table(
        "run_raw_files",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("raw_file_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["raw_file_id"],
            ["raw_files.id"],
            name=op.f("fk_run_raw_files_raw_file_id_raw_files"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.run_id"],
            name=op.f("fk_run_raw_files_run_id_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "raw_file_id", name=op.f("pk_run_raw_files")),
    )
    op.create_index(op.f("ix_run_raw_files_raw_file_id"), "run_raw_files", ["raw_file_id"])
    op.create_table(
        "measurements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("animal_id", ID, nullable=True),
        sa.Column("group", ID, nullable=True),
        sa.Column("dose_mg_kg", sa.Float(), nullable=True),
        sa.Column("readout", ID, nullable=True),
        sa.Column("variable", ID, nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("timepoint", sa.String(length=64), nullable=True),
        sa.Column("trial", sa.Integer(), nullable=True),
        sa.Column("censored", sa.Boolean(), nullable=True),
        sa.Column("source_file", sa.Text(), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.run_id"],
            name=op.f("fk_measurements_run_id_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measurements")),
    )
    op.create_index(
        op.f("ix_measurements_run_id"), "measurements", ["run_id", "readout", "variable"]
    )
    op.create_table(
        "results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("readout", ID, nullable=True),
        sa.Column("variable", ID, nullable=True),
        sa.Column("family", ID, nullable=True),
        sa.Column("test", ID, nullable=True),
        sa.Column("contrast", sa.Text(), nullable=True),
        sa.Column("group", ID, nullable=True),
        sa.Column("control", ID, nullable=True),
        sa.Column("estimate", sa.Float(), nullable=True),
        sa.Column("statistic", sa.Float(), nullable=True),
        sa.Column("dof", sa.Float(), nullable=True),
        sa.Column("p_val", sa.Float(), nullable=True),
        sa.Column("p_adj", sa.Float(), nullable=True),
        sa.Column("ci_low", sa.Float(), nullable=True),
        sa.Column("ci_high", sa.Float(), nullable=True),
        sa.Column("effect_size", sa.Float(), nullable=True),
        sa.Column("effect_type", ID, nullable=True),
        sa.Column("n", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.run_id"], name=op.f("fk_results_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_results")),
    )
    op.create_index(op.f("ix_results_run_id"), "results", ["run_id", "readout", "variable"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("timestamp", TIMESTAMP, nullable=False),
        sa.Column("actor", ID, nullable=False),
        sa.Column("action", ID, nullable=False),
        sa.Column("study_id", ID, nullable=True),
        sa.Column("run_id", sa.String(length=36), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_run_id"), "audit_log", ["run_id"])
    op.create_index(op.f("ix_audit_log_study_id"), "audit_log", ["study_id"])
    op.create_index(op.f("ix_audit_log_timestamp"), "audit_log", ["timestamp"])


def downgrade() -> None:
    for table in (
        "audit_log",
        "results",
        "measurements",
        "run_raw_files",
        "runs",
        "raw_files",
        "animals",
        "groups",
        "studies",
    ):
        op.drop_table(table)
