"""Who has answered: invitations and first openings per person and cycle, and closing dates.

``cycle_progress`` records when each person was invited to a cycle (by link,
card or mail) and when they first opened it; started, submitted and the last
answer are already in ``submissions`` and ``answers``.  ``cycles.closes_on``
is the last day a cycle takes answers (none: open until the next cycle).
Both are additive: no existing row changes (issue #13, part 3).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cycle_progress",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_invited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("invited_how", sa.String(length=32), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_cycle_progress_person_id_people"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycles.id"], name=op.f("fk_cycle_progress_cycle_id_cycles"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle_progress")),
        sa.UniqueConstraint("person_id", "cycle_id", name="uq_cycle_progress_person_cycle"),
    )
    op.create_index("ix_cycle_progress_cycle_id", "cycle_progress", ["cycle_id"])
    with op.batch_alter_table("cycles") as batch:
        batch.add_column(sa.Column("closes_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cycles") as batch:
        batch.drop_column("closes_on")
    op.drop_index("ix_cycle_progress_cycle_id", table_name="cycle_progress")
    op.drop_table("cycle_progress")
