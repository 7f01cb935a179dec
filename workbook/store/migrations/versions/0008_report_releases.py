"""Report releases: who stood behind each group a report showed (issue #11, part 2).

Owned by the report (workbook/store/release_tables.py).  Two new tables and
nothing else changed: person ids only, never names or tokens.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_releases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycles.id"], name=op.f("fk_report_releases_cycle_id_cycles"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_releases")),
    )
    op.create_index("ix_report_releases_cycle_id", "report_releases", ["cycle_id"])
    op.create_table(
        "report_release_members",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["report_releases.id"],
                                name=op.f("fk_report_release_members_release_id_report_releases"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("release_id", "kind", "label", "person_id",
                                name=op.f("pk_report_release_members")),
    )


def downgrade() -> None:
    op.drop_table("report_release_members")
    op.drop_index("ix_report_releases_cycle_id", table_name="report_releases")
    op.drop_table("report_releases")
