"""Organisations, people, assessment cycles, submissions and answers.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(63), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("anonymity_threshold", sa.Integer(), nullable=False),
        sa.Column("facilitator_key", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_organisations"),
        sa.UniqueConstraint("facilitator_key", name="uq_organisations_facilitator_key"),
        sa.CheckConstraint("anonymity_threshold >= 2", name="ck_organisations_threshold_min"),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organisation_id", sa.String(63), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("team", sa.String(100), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_people"),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"],
            name="fk_people_organisation_id_organisations", ondelete="CASCADE",
        ),
        sa.UniqueConstraint("organisation_id", "email", name="uq_people_org_email"),
        sa.UniqueConstraint("token", name="uq_people_token"),
        sa.CheckConstraint("role IN ('leader', 'staff')", name="ck_people_role"),
    )
    op.create_index("ix_people_organisation_id", "people", ["organisation_id"])
    op.create_table(
        "cycles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organisation_id", sa.String(63), nullable=False),
        sa.Column("label", sa.String(32), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cycles"),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"],
            name="fk_cycles_organisation_id_organisations", ondelete="CASCADE",
        ),
        sa.UniqueConstraint("organisation_id", "label", name="uq_cycles_org_label"),
    )
    op.create_index("ix_cycles_organisation_id", "cycles", ["organisation_id"])
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("framework_id", sa.String(64), nullable=False),
        sa.Column("framework_version", sa.String(32), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("submitted_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_submissions"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_submissions_person_id_people", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycles.id"], name="fk_submissions_cycle_id_cycles", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("person_id", "cycle_id", name="uq_submissions_person_cycle"),
        sa.CheckConstraint("status IN ('in_progress', 'submitted')", name="ck_submissions_status"),
    )
    op.create_index("ix_submissions_cycle_id", "submissions", ["cycle_id"])
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.String(32), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("dont_know", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("framework_id", sa.String(64), nullable=False),
        sa.Column("framework_version", sa.String(32), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_answers"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_answers_person_id_people", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycles.id"], name="fk_answers_cycle_id_cycles", ondelete="CASCADE"
        ),
        sa.UniqueConstraint(
            "person_id", "cycle_id", "statement_id", name="uq_answers_person_cycle_statement"
        ),
        sa.CheckConstraint(
            "(dont_know AND rating IS NULL) OR (NOT dont_know AND rating BETWEEN 1 AND 5)",
            name="ck_answers_rating_or_dont_know",
        ),
    )
    op.create_index("ix_answers_cycle_id", "answers", ["cycle_id"])


def downgrade() -> None:
    for table in ("answers", "submissions", "cycles", "people", "organisations"):
        op.drop_table(table)
