"""Results: the omnibus test's numerator and denominator degrees of freedom (``num_df``, ``den_df``).

``dof`` alone held only the denominator of an F test (e.g. 43 for "F(4, 43)"). Rows stored before
this revision keep ``num_df`` and ``den_df`` empty.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("results") as batch_op:
        batch_op.add_column(sa.Column("num_df", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("den_df", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("results") as batch_op:
        batch_op.drop_column("den_df")
        batch_op.drop_column("num_df")
