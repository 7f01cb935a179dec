"""Each submission keeps the team and role its person had when submitting.

Reports and live views count a person's answers under these, so a later
re-import that moves someone to another team (or role) cannot move their
answers between the groups shown for that cycle: showing the same cycle before
and after the move would otherwise single them out (issue #11, part 2).
Rows submitted before this revision take the person's current team and role.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("team", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("role", sa.String(length=16), nullable=True))
    op.execute(
        "UPDATE submissions SET "
        "team = (SELECT people.team FROM people WHERE people.id = submissions.person_id), "
        "role = (SELECT people.role FROM people WHERE people.id = submissions.person_id) "
        "WHERE status = 'submitted'"
    )


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("role")
        batch.drop_column("team")
