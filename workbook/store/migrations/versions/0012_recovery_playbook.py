"""The service recovery playbook, per cycle (issue #16 part 2).

Owned by the workshop (workbook/store/recovery_tables.py).  One new table and
nothing else changed; the recovery log itself is four customer measures of
the framework file, stored in ``measure_values`` like the others.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recovery_plays",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("failure", sa.Text(), nullable=False),
        sa.Column("say", sa.Text(), nullable=True),
        sa.Column("offer", sa.Text(), nullable=True),
        sa.Column("offer_limit", sa.Float(), nullable=True),
        sa.Column("speed", sa.String(length=200), nullable=True),
        sa.Column("follow_up_by", sa.String(length=200), nullable=True),
        sa.Column("follow_up_when", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.Column("carried_from_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("offer_limit IS NULL OR offer_limit >= 0", name=op.f("ck_recovery_plays_offer_limit_min")),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycles.id"], name=op.f("fk_recovery_plays_cycle_id_cycles"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["carried_from_id"], ["recovery_plays.id"],
                                name=op.f("fk_recovery_plays_carried_from_id_recovery_plays"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_plays")),
        sa.UniqueConstraint("carried_from_id", name="uq_recovery_plays_carried_from"),
    )
    op.create_index("ix_recovery_plays_cycle_id", "recovery_plays", ["cycle_id"])


def downgrade() -> None:
    op.drop_index("ix_recovery_plays_cycle_id", table_name="recovery_plays")
    op.drop_table("recovery_plays")
