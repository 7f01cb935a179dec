"""Tables of the DIME™ steps workshop: practice ratings, evidence, obstacles, actions.

Everything belongs to an assessment cycle (``ON DELETE CASCADE`` from
``cycles``, which cascades from ``organisations``), so a quarter's workshop
sits beside that quarter's self-assessment.  Every row that a facilitator
edits carries a ``version`` that increases on each change: an update names the
version it started from, and a mismatch means a second facilitator changed it
first (so nobody overwrites anybody silently).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workbook.store.tables import Base

__all__ = ["ACTION_REVIEW_CHECK", "ACTION_STATUS_CHECK", "WorkshopAction", "WorkshopObstacle", "WorkshopRating",
           "WorkshopStep"]


class WorkshopRating(Base):
    """The team's 1-5 maturity rating of one practice, with an optional note."""

    __tablename__ = "workshop_ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    practice_id: Mapped[str] = mapped_column(String(32))
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str | None] = mapped_column(String(100), nullable=True)

    __table_args__ = (
        UniqueConstraint("cycle_id", "practice_id", name="uq_workshop_ratings_cycle_practice"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
    )


class WorkshopStep(Base):
    """Notes of evidence for one DIME™ step."""

    __tablename__ = "workshop_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[str] = mapped_column(String(64))
    evidence: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str | None] = mapped_column(String(100), nullable=True)

    __table_args__ = (UniqueConstraint("cycle_id", "step_id", name="uq_workshop_steps_cycle_step"),)


class WorkshopObstacle(Base):
    """An obstacle the team sees showing at one step (a row exists = it is showing)."""

    __tablename__ = "workshop_obstacles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[str] = mapped_column(String(64))
    obstacle_id: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str | None] = mapped_column(String(100), nullable=True)

    __table_args__ = (
        UniqueConstraint("cycle_id", "step_id", "obstacle_id", name="uq_workshop_obstacles_cycle_step_obstacle"),
    )


#: Every status an action row may hold.  ``carried`` is the final state of a
#: row whose action went on into the next cycle (the new row names it in
#: ``carried_from_id``); ``dropped`` is set only by the review, with a reason.
ACTION_STATUS_CHECK = "status IN ('open', 'in_progress', 'done', 'carried', 'dropped')"
#: What the review of last cycle's actions decided for a carried action (NULL: not reviewed yet).
ACTION_REVIEW_CHECK = "review IS NULL OR review IN ('done', 'carried', 'dropped')"


class WorkshopAction(Base):
    """One action of the plan: what, who, by when, and how far it has got.

    An unfinished action lives on into the next cycle as a new row (so each
    quarter's plan stays as it was), linked to the row it continues by
    ``carried_from_id``; following the links gives its history across quarters.
    """

    __tablename__ = "workshop_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[str] = mapped_column(String(64))
    what: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    #: The row (in an earlier cycle) this action continues; unique, so carrying twice cannot duplicate it.
    carried_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop_actions.id", ondelete="SET NULL"), nullable=True)
    #: The review's verdict on a carried action: done, carried (again) or dropped.
    review: Mapped[str | None] = mapped_column(String(16), nullable=True)
    review_note: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (
        CheckConstraint(ACTION_STATUS_CHECK, name="status"),
        CheckConstraint(ACTION_REVIEW_CHECK, name="review"),
        UniqueConstraint("carried_from_id", name="uq_workshop_actions_carried_from"),
    )
