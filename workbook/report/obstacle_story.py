"""One obstacle story: what the answers suggest, reconciled with what the team ticked in the workshop.

The report reads the answers for signs of the five DIME™ obstacles
(:func:`workbook.report.summary.obstacle_signals`), and in the workshop the
team ticks the obstacles it sees at each step.  Told apart, the two can
contradict each other on the page ("No particular signs of: lack of clarity"
beside the team having ticked Lack of clarity at two steps).  So every
obstacle falls into exactly one of four places, and every sentence about
obstacles is written from that one classification:

* **both**: the answers point to it and the team ticked it - the strongest case;
* **answers**: the answers point to it, the team did not tick it (or the
  workshop has not been run yet) - a question to take into the room;
* **workshop**: the team ticked it though the answers do not show it - the
  team saw something the statements do not ask about;
* neither - only these may be called "no particular signs of".

Pure functions over plain data, so each case can be tested by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from workbook.framework import Obstacle

__all__ = ["ObstacleStory", "WorkshopFacts", "obstacle_story", "quiet_obstacles", "story_sentences"]

Source = Literal["both", "answers", "workshop"]


@dataclass(frozen=True)
class WorkshopFacts:
    """What this cycle's workshop recorded that the summary speaks about.

    ``seen`` maps an obstacle id to the names of the steps where the team ticked
    it (framework step order); ``actions_open`` counts the agreed actions not yet
    done or dropped.
    """

    seen: Mapping[str, tuple[str, ...]]
    actions: int = 0
    actions_open: int = 0


@dataclass(frozen=True)
class ObstacleStory:
    """One obstacle the answers or the team (or both) point to."""

    obstacle: Obstacle
    reasons: tuple[str, ...]  # what in the answers points to it; empty when nothing does
    steps: tuple[str, ...]  # the steps where the team ticked it; empty when it did not

    @property
    def source(self) -> Source:
        if self.reasons and self.steps:
            return "both"
        return "answers" if self.reasons else "workshop"


def obstacle_story(reasons: Sequence[tuple[Obstacle, Sequence[str]]], obstacles: Sequence[Obstacle],
                   workshop: WorkshopFacts | None) -> tuple[ObstacleStory, ...]:
    """The obstacles worth talking about: both sources first, then the answers', then the team's.

    ``reasons`` are the answers' signals, strongest first; within each group
    that order is kept, and the team's own come in framework order.
    """
    seen = dict(workshop.seen) if workshop is not None else {}
    stories = [ObstacleStory(o, tuple(r), tuple(seen.get(o.id, ()))) for o, r in reasons]
    flagged = {s.obstacle.id for s in stories}
    stories += [ObstacleStory(o, (), tuple(seen[o.id])) for o in obstacles if o.id not in flagged and seen.get(o.id)]
    rank: dict[Source, int] = {"both": 0, "answers": 1, "workshop": 2}
    return tuple(sorted(stories, key=lambda s: rank[s.source]))  # sorted() is stable


def quiet_obstacles(stories: Sequence[ObstacleStory], obstacles: Sequence[Obstacle]) -> tuple[Obstacle, ...]:
    """The obstacles neither the answers nor the team point to (the only ones "no signs of" may name)."""
    named = {s.obstacle.id for s in stories}
    return tuple(o for o in obstacles if o.id not in named)


def _and(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _steps(steps: Sequence[str]) -> str:
    return f"at the {_and(steps)} step" + ("s" if len(steps) > 1 else "")


def story_sentences(stories: Sequence[ObstacleStory], workshop: WorkshopFacts | None,
                    all_clear: str) -> tuple[str, ...]:
    """At most three sentences for the summary, one per kind of agreement; ``all_clear`` when none stands out."""
    both = [s for s in stories if s.source == "both"]
    answers = [s for s in stories if s.source == "answers"]
    team = [s for s in stories if s.source == "workshop"]
    out: list[str] = []
    if both:
        first = both[0]
        out.append(f"Of the five DIME™ obstacles, the answers and the team in the workshop both point to "
                   f"{_and([s.obstacle.name.lower() for s in both])} ({first.reasons[0]}; the team ticked it "
                   f"{_steps(first.steps)}).")
    if answers:
        names = _and([f"{s.obstacle.name.lower()} ({s.reasons[0]})" for s in answers[:2]])
        if workshop is None:
            out.append(f"Of the five DIME™ obstacles, the answers point most to {names}; the workshop has not yet "
                       "looked at the obstacles for this cycle.")
        else:
            lead = "The answers also point to" if both else "Of the five DIME™ obstacles, the answers point to"
            out.append(f"{lead} {names}, which the team did not tick in the workshop: worth asking why.")
    if team:
        names = _and([f"{s.obstacle.name.lower()} ({_steps(s.steps)})" for s in team])
        out.append(f"The team ticked {names} in the workshop, though the answers do not show "
                   f"{'it' if len(team) == 1 else 'them'}: the team saw something the statements do not ask about.")
    return tuple(out) or (all_clear,)
