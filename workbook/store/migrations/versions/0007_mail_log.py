"""The send log of email invitations and reminders (issue #13, parts 2 and 4).

Owned by the mail feature (workbook/store/mail_tables.py).  Additive: one new
table, nothing existing changes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('invitation', 'reminder')", name=op.f("ck_mail_log_kind")),
        sa.CheckConstraint("outcome IN ('sent', 'failed')", name=op.f("ck_mail_log_outcome")),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycles.id"], name=op.f("fk_mail_log_cycle_id_cycles"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_mail_log_person_id_people"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_log")),
    )
    op.create_index("ix_mail_log_person_id", "mail_log", ["person_id"])
    op.create_index("ix_mail_log_cycle_id", "mail_log", ["cycle_id"])


def downgrade() -> None:
    op.drop_index("ix_mail_log_cycle_id", table_name="mail_log")
    op.drop_index("ix_mail_log_person_id", table_name="mail_log")
    op.drop_table("mail_log")
