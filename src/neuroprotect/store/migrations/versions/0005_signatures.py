"""Electronic signatures of runs; a signed run is locked in the database.

A signature binds who (user), what it means ("reviewed" or "approved"), when (server UTC) and the
run's content hash. Triggers refuse any UPDATE or DELETE of a signature, and of a signed run and
its measurements and results: a change to a signed analysis can only be a new run.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNED = "a signed run is locked: its rows cannot be changed or deleted"
APPEND_ONLY = "signatures are append-only: they cannot be changed or deleted"
#: Tables whose rows belong to a run (``run_id`` column) and are locked once it is signed.
RUN_TABLES = ("runs", "measurements", "results", "run_raw_files")


def _sqlite() -> list[str]:
    statements = [
        f"""CREATE TRIGGER signatures_no_update BEFORE UPDATE ON signatures
            BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
        f"""CREATE TRIGGER signatures_no_delete BEFORE DELETE ON signatures
            BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    ]
    for table in RUN_TABLES:
        for event in ("UPDATE", "DELETE"):
            statements.append(
                f"""CREATE TRIGGER {table}_signed_no_{event.lower()} BEFORE {event} ON {table}
                    WHEN EXISTS (SELECT 1 FROM signatures WHERE run_id = OLD.run_id)
                    BEGIN SELECT RAISE(ABORT, '{SIGNED}'); END"""
            )
    return statements


def _postgres() -> list[str]:
    statements = [
        f"""CREATE FUNCTION signatures_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$""",
        """CREATE TRIGGER signatures_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON signatures
            FOR EACH STATEMENT EXECUTE FUNCTION signatures_append_only()""",
        f"""CREATE FUNCTION signed_run_locked() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF EXISTS (SELECT 1 FROM signatures WHERE run_id = OLD.run_id) THEN
                RAISE EXCEPTION '{SIGNED}';
              END IF;
              IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
              RETURN NEW;
            END $$""",
    ]
    for table in RUN_TABLES:
        statements.append(
            f"""CREATE TRIGGER {table}_signed_locked BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION signed_run_locked()"""
        )
    return statements


def upgrade() -> None:
    op.create_table(
        "signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("signer", sa.String(length=254), nullable=False),
        sa.Column("meaning", sa.String(length=16), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.run_id"], name=op.f("fk_signatures_run_id_runs"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_signatures_user_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signatures")),
    )
    op.create_index(op.f("ix_signatures_run_id"), "signatures", ["run_id"])
    dialect = op.get_bind().dialect.name
    for statement in (
        _sqlite() if dialect == "sqlite" else _postgres() if dialect == "postgresql" else []
    ):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in RUN_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_signed_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_signed_no_delete")
    elif dialect == "postgresql":
        for table in RUN_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_signed_locked ON {table}")
        op.execute("DROP FUNCTION IF EXISTS signed_run_locked()")
    op.drop_table("signatures")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS signatures_append_only()")
