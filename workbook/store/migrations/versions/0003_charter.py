"""Customer-service charter: versions and promises.

Owned by the charter feature (workbook/store/charter_tables.py).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "charters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organisation_id", sa.String(length=63), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'approved')", name=op.f("ck_charters_status")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_charters_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charters")),
        sa.UniqueConstraint("organisation_id", "number", name="uq_charters_org_number"),
    )
    op.create_index("ix_charters_organisation_id", "charters", ["organisation_id"])

    op.create_table(
        "charter_promises",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("charter_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("value_id", sa.String(length=32), nullable=True),
        sa.Column("step_id", sa.String(length=64), nullable=True),
        sa.Column("standard", sa.Text(), nullable=True),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("starter_id", sa.String(length=32), nullable=True),
        sa.CheckConstraint("position >= 1", name=op.f("ck_charter_promises_position_min")),
        sa.ForeignKeyConstraint(
            ["charter_id"],
            ["charters.id"],
            name=op.f("fk_charter_promises_charter_id_charters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charter_promises")),
        sa.UniqueConstraint("charter_id", "position", name="uq_charter_promises_charter_position"),
    )
    op.create_index("ix_charter_promises_charter_id", "charter_promises", ["charter_id"])


def downgrade() -> None:
    for table in (
        "charter_promises",
        "charters",
    ):
        op.drop_table(table)
