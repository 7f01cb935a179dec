"""Actions carried forward from one cycle to the next (issue #14, part 2).

Additive: three nullable columns on ``workshop_actions`` and a wider status
check.  ``carried_from_id`` links an action to the row of the earlier cycle it
continues (unique, so carrying can never duplicate an action);
``review``/``review_note`` hold what the workshop's review of last cycle's
actions decided.  The status check gains ``carried`` (the final state of a
row that went on into the next cycle) and ``dropped``.  No existing row
changes: actions left open in cycles opened before this revision are carried
when the organisation's next cycle opens.

SQLite cannot alter a CHECK constraint, so batch mode rebuilds the table (it
copies the named CHECK constraints it reflects): the old status check is
dropped by name and the wider one created, the same calls on both databases.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_OLD_STATUS = "status IN ('open', 'in_progress', 'done')"
_NEW_STATUS = "status IN ('open', 'in_progress', 'done', 'carried', 'dropped')"
_REVIEW = "review IS NULL OR review IN ('done', 'carried', 'dropped')"


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("workshop_actions", recreate="always" if sqlite else "auto") as batch:
        batch.drop_constraint(op.f("ck_workshop_actions_status"), type_="check")
        batch.add_column(sa.Column("carried_from_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("review", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("review_note", sa.Text(), nullable=True))
        batch.create_foreign_key(op.f("fk_workshop_actions_carried_from_id_workshop_actions"), "workshop_actions",
                                 ["carried_from_id"], ["id"], ondelete="SET NULL")
        batch.create_unique_constraint("uq_workshop_actions_carried_from", ["carried_from_id"])
        batch.create_check_constraint(op.f("ck_workshop_actions_status"), sa.text(_NEW_STATUS))
        batch.create_check_constraint(op.f("ck_workshop_actions_review"), sa.text(_REVIEW))


def downgrade() -> None:
    """Back to 0009: carried rows become done and dropped ones done too (0009 knows no other final state)."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.execute("UPDATE workshop_actions SET status = 'done' WHERE status IN ('carried', 'dropped')")
    with op.batch_alter_table("workshop_actions", recreate="always" if sqlite else "auto") as batch:
        batch.drop_constraint(op.f("ck_workshop_actions_review"), type_="check")
        batch.drop_constraint(op.f("ck_workshop_actions_status"), type_="check")
        batch.drop_constraint("uq_workshop_actions_carried_from", type_="unique")
        batch.drop_constraint(op.f("fk_workshop_actions_carried_from_id_workshop_actions"), type_="foreignkey")
        batch.drop_column("review_note")
        batch.drop_column("review")
        batch.drop_column("carried_from_id")
        batch.create_check_constraint(op.f("ck_workshop_actions_status"), sa.text(_OLD_STATUS))
