"""Customer-measure values per cycle, for the quarterly scorecard (issue #14, part 3).

Owned by the scorecard (workbook/store/measure_tables.py).  One new table and
nothing else changed.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "measure_values",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycles.id"], name=op.f("fk_measure_values_cycle_id_cycles"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_values")),
        sa.UniqueConstraint("cycle_id", "measure_id", name="uq_measure_values_cycle_measure"),
    )
    op.create_index("ix_measure_values_cycle_id", "measure_values", ["cycle_id"])


def downgrade() -> None:
    op.drop_index("ix_measure_values_cycle_id", table_name="measure_values")
    op.drop_table("measure_values")
