"""The database tables, as SQLAlchemy ORM classes.

These classes stay inside ``workbook.store``: the rest of the package gets the
frozen records of :mod:`workbook.store.records`, so no caller can trigger lazy
loads or write by accident.  The schema itself is created and upgraded by the
Alembic migrations in ``migrations/versions``; a test checks that the two agree.

Later features (the workshop, the action plan, the charter) add their tables
here with a migration of their own, hanging off ``organisations.id`` with
``ON DELETE CASCADE`` so that deleting an organisation removes everything.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["Answer", "Base", "Cycle", "Organisation", "Person", "Submission"]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(63), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    anonymity_threshold: Mapped[int] = mapped_column(Integer, default=5)
    #: SHA-256 of the facilitator key (the key itself is never stored; see workbook.store.vault).
    facilitator_key_hash: Mapped[str] = mapped_column(String(64))
    #: The key sealed with the secret key kept outside the database, for printing links again.
    facilitator_key_sealed: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("anonymity_threshold >= 2", name="threshold_min"),
        # Named for the plain column it was made on; migration 0005 renamed that column.
        UniqueConstraint("facilitator_key_hash", name="uq_organisations_facilitator_key"),
    )


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(16))
    team: Mapped[str] = mapped_column(String(100))
    #: SHA-256 of the invite token (the token itself is never stored; see workbook.store.vault).
    token_hash: Mapped[str] = mapped_column(String(64))
    #: The token sealed with the secret key kept outside the database, for printing links again.
    token_sealed: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("organisation_id", "email", name="uq_people_org_email"),
        # Named for the plain column it was made on; migration 0005 renamed that column.
        UniqueConstraint("token_hash", name="uq_people_token"),
        CheckConstraint("role IN ('leader', 'staff')", name="role"),
    )


class Cycle(Base):
    """An assessment round, e.g. ``2026-Q4``; answers belong to one cycle."""

    __tablename__ = "cycles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: The last day the cycle takes answers (None: open until the next cycle); see workbook.closing.
    closes_on: Mapped[date | None] = mapped_column(Date, nullable=True)

    __table_args__ = (UniqueConstraint("organisation_id", "label", name="uq_cycles_org_label"),)


class Submission(Base):
    """One person's response to one cycle: in progress until submitted, then final."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    framework_id: Mapped[str] = mapped_column(String(64))
    framework_version: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: The person's team and role when they submitted (None while in progress):
    #: answers stay counted under these even if a later import moves the person.
    team: Mapped[str | None] = mapped_column(String(100), nullable=True)
    role: Mapped[str | None] = mapped_column(String(16), nullable=True)

    __table_args__ = (
        UniqueConstraint("person_id", "cycle_id", name="uq_submissions_person_cycle"),
        CheckConstraint("status IN ('in_progress', 'submitted')", name="status"),
    )


class Answer(Base):
    """A rating (or "don't know") of one statement, with an optional comment."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    statement_id: Mapped[str] = mapped_column(String(32))
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    dont_know: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    framework_id: Mapped[str] = mapped_column(String(64))
    framework_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("person_id", "cycle_id", "statement_id", name="uq_answers_person_cycle_statement"),
        CheckConstraint(
            "(dont_know AND rating IS NULL) OR (NOT dont_know AND rating BETWEEN 1 AND 5)",
            name="rating_or_dont_know",
        ),
    )
