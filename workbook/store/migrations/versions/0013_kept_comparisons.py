"""Averages already worked out for respondents' results pages (issue #12).

``kept_comparisons`` holds, per cycle, the average a results page compares a
respondent with, under a fingerprint of the people it counts, so that a page
no longer reads every answer of the organisation.  Additive: no existing row
changes, and the table may be emptied at any time (pages work it out again).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kept_comparisons",
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycles.id"], name=op.f("fk_kept_comparisons_cycle_id_cycles"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("cycle_id", "fingerprint", name=op.f("pk_kept_comparisons")),
    )


def downgrade() -> None:
    op.drop_table("kept_comparisons")
