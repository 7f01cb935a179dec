"""Charter foundation and promise targets (issues #16 part 1 and #14 part 3, charter side).

Owned by the charter (workbook/store/charter_tables.py).  Additive only: two
nullable texts on each charter version (the brand promise customers are told
to expect, and the team's common purpose inside), and on each promise the
customer measure that shows whether it is kept with its target (operator and
number).  Existing charters read as "not written yet" and "no measure".

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("charters", sa.Column("brand_promise", sa.Text(), nullable=True))
    op.add_column("charters", sa.Column("common_purpose", sa.Text(), nullable=True))
    op.add_column("charter_promises", sa.Column("measure_id", sa.String(length=32), nullable=True))
    op.add_column("charter_promises", sa.Column("target_op", sa.String(length=2), nullable=True))
    op.add_column("charter_promises", sa.Column("target_value", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("charter_promises") as batch:
        batch.drop_column("target_value")
        batch.drop_column("target_op")
        batch.drop_column("measure_id")
    with op.batch_alter_table("charters") as batch:
        batch.drop_column("common_purpose")
        batch.drop_column("brand_promise")
