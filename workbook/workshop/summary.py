"""What a cycle's workshop found: maturity per step, obstacles, and the action plan.

Pure functions over the stored state and the framework, shared by the app's
summary page, the CSV export and the organisation report::

    summary = workshop_summary(store, framework, org_id, cycle_id)
    if summary is not None:                # None: nothing entered yet
        for step in summary.steps:
            step.mean, step.maturity_label, step.obstacles, step.actions
        chart = maturity_chart(summary)    # altair chart, or None if nothing is rated

A step's maturity is the mean of the team's ratings of its practices (unrated
practices are left out, not counted as low); the words for it are the scale's
``maturity_label`` of the mean rounded half up.  Ratings of practices the
framework no longer has (an older edition) are left out rather than guessed at.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbook.errors import NotFoundError
from workbook.framework import Framework, Scale
from workbook.text import quoted
from workbook.workshop.records import ActionRecord, WorkshopState

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

    from workbook.store import Store

__all__ = [
    "ObstacleResult",
    "PracticeResult",
    "StepResult",
    "WorkshopSummary",
    "maturity_chart",
    "maturity_frame",
    "maturity_label",
    "summarise",
    "workshop_summary",
]


@dataclass(frozen=True, slots=True)
class PracticeResult:
    """One practice with the team's rating (None: not rated) and its words."""

    practice_id: str
    name: str
    rating: int | None
    maturity_label: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class ObstacleResult:
    """An obstacle the team saw at a step; ``likely`` when the framework expects it there."""

    obstacle_id: str
    name: str
    likely: bool


@dataclass(frozen=True, slots=True)
class StepResult:
    """Everything the workshop found for one DIME™ step."""

    step_id: str
    number: int
    letter: str
    name: str
    reward_id: str
    reward_name: str
    practices: tuple[PracticeResult, ...]
    mean: float | None
    maturity_label: str | None
    evidence: str | None
    obstacles: tuple[ObstacleResult, ...]
    actions: tuple[ActionRecord, ...]

    @property
    def title(self) -> str:
        """``1 · D · Deliberate culture``: how steps are named on screens, charts and CSVs."""
        return f"{self.number} · {self.letter} · {self.name}"

    @property
    def rated(self) -> int:
        return sum(1 for p in self.practices if p.rating is not None)


@dataclass(frozen=True, slots=True)
class WorkshopSummary:
    """One cycle's workshop, step by step in framework order."""

    organisation_id: str
    cycle_id: int
    cycle_label: str
    scale_min: int
    scale_max: int
    steps: tuple[StepResult, ...]
    scale_min_label: str = ""
    scale_max_label: str = ""

    @property
    def actions(self) -> tuple[tuple[StepResult, ActionRecord], ...]:
        """The whole action plan, step by step, each action with its step."""
        return tuple((step, action) for step in self.steps for action in step.actions)

    @property
    def obstacles_found(self) -> tuple[tuple[StepResult, ObstacleResult], ...]:
        return tuple((step, obstacle) for step in self.steps for obstacle in step.obstacles)

    @property
    def rated_steps(self) -> tuple[StepResult, ...]:
        return tuple(step for step in self.steps if step.mean is not None)


def maturity_label(scale: Scale, mean: float | None) -> str | None:
    """The scale's words for a mean rating, rounded half up (3.5 reads as 4)."""
    if mean is None or math.isnan(mean):
        return None
    nearest = min(max(math.floor(mean + 0.5), scale.minimum), scale.maximum)
    return scale.maturity_label(nearest)


def summarise(framework: Framework, state: WorkshopState, *, organisation_id: str,
              cycle_label: str) -> WorkshopSummary:
    """Turn the stored state into per-step results (pure: no database)."""
    scale = framework.scale
    steps = []
    for step in framework.steps:
        practices = []
        for practice in step.practices:
            record = state.rating(practice.id)
            label = scale.maturity_label(record.rating) if record.rating is not None else None
            practices.append(PracticeResult(practice.id, practice.name, record.rating, label, record.note))
        ratings = [p.rating for p in practices if p.rating is not None]
        mean = sum(ratings) / len(ratings) if ratings else None
        showing = state.obstacles_at(step.id)
        obstacles = tuple(
            ObstacleResult(o.id, o.name, step.id in o.threatens) for o in framework.obstacles if o.id in showing
        )
        reward = framework.reward(step.reward)
        steps.append(StepResult(
            step_id=step.id, number=step.number, letter=step.letter, name=step.name, reward_id=reward.id,
            reward_name=reward.name, practices=tuple(practices), mean=mean,
            maturity_label=maturity_label(scale, mean), evidence=state.evidence_for(step.id).evidence,
            obstacles=obstacles, actions=state.actions_for(step.id),
        ))
    return WorkshopSummary(organisation_id, state.cycle_id, cycle_label, scale.minimum, scale.maximum, tuple(steps),
                           scale.maturity_label(scale.minimum), scale.maturity_label(scale.maximum))


def workshop_summary(store: Store, framework: Framework, org_id: str, cycle_id: int) -> WorkshopSummary | None:
    """The workshop of ``org_id``'s cycle ``cycle_id``, or None when nothing was entered.

    Raises :class:`~workbook.errors.NotFoundError` when the cycle is not one of
    the organisation's (so a report can never mix two organisations' data).
    """
    from workbook.workshop.repository import Workshop

    cycle = next((c for c in store.responses.cycles(org_id) if c.id == cycle_id), None)
    if cycle is None:
        raise NotFoundError(f"{quoted(org_id)} has no assessment cycle with the id {cycle_id!r}")
    state = Workshop(store).state(cycle_id)
    if state.is_empty:
        return None
    return summarise(framework, state, organisation_id=org_id, cycle_label=cycle.label)


def maturity_frame(summary: WorkshopSummary) -> pd.DataFrame:
    """One row per step: ``step`` (title), ``score`` (mean or NaN), ``rated``, ``practices``, ``label``."""
    import pandas as pd

    rows = [
        {"step": s.title, "score": s.mean if s.mean is not None else math.nan, "rated": s.rated,
         "practices": len(s.practices),
         "label": f"{s.mean:.1f} · {s.maturity_label}" if s.mean is not None else "not rated yet"}
        for s in summary.steps
    ]
    return pd.DataFrame(rows, columns=["step", "score", "rated", "practices", "label"])


def maturity_chart(summary: WorkshopSummary, *, title: str = "Maturity by DIME™ step") -> alt.Chart | None:
    """The "maturity by step" bar chart, or None when no practice is rated yet."""
    from workbook.charts import maturity_by_step_chart

    frame = maturity_frame(summary)
    if not summary.rated_steps:
        return None
    said = "; ".join(
        f"{s.name} {s.mean:.1f} ({s.maturity_label}, {s.rated} of {len(s.practices)} practices rated)"
        if s.mean is not None else f"{s.name} not rated yet"
        for s in summary.steps
    )
    low, high = summary.scale_min, summary.scale_max
    scale_title = f"Average maturity rating ({low} = {summary.scale_min_label}, {high} = {summary.scale_max_label})"
    return maturity_by_step_chart(
        frame, title=title,
        description=f"Bar chart of the team's average maturity rating for each DIME step: {said}.",
        scale=(low, high), scale_title=scale_title, step_order=list(frame["step"]),
    )
