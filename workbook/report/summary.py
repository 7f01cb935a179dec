"""The executive summary: plain sentences and three next steps, written from the numbers.

Pure functions over :class:`SummaryInputs` (plain numbers that have already
been through the anonymity rules), so every sentence can be tested with
hand-made data and none can mention a group the report may not show.

How the obstacles are read (our interpretation, stated in the report; the
DIME™ framework names the obstacles but does not score them):

* a value whose average is below :data:`WEAK_SHARE` of the scale (3.5 on 1-5,
  i.e. below "usually") points to the obstacle in :data:`VALUE_OBSTACLES`;
* leaders rating a value at least :data:`NOTABLE_GAP` above staff points to a
  lack of **alignment** (what leaders believe is not what staff live); staff
  rating it higher points to a lack of **clarity** (leaders judge by a
  yardstick nobody has shared);
* "low agreement" on a value (people see it very differently) points to a
  lack of **clarity** too.

Obstacles are ranked by how many signals point to them, then by the order the
signals were found in (weakest value first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from workbook.framework import Obstacle
from workbook.report.obstacle_story import ObstacleStory, WorkshopFacts, obstacle_story, story_sentences

__all__ = [
    "LOW_RESPONSE_RATE",
    "NOTABLE_GAP",
    "SMALL_GAP",
    "VALUE_OBSTACLES",
    "WEAK_SHARE",
    "ExecutiveSummary",
    "ObstacleSignal",
    "SummaryInputs",
    "WeakPoint",
    "counted_sentence",
    "executive_summary",
    "extremes_sentence",
    "gap_sentence",
    "next_steps",
    "not_counted_yet_sentence",
    "not_enough_sentence",
    "obstacle_sentence",
    "obstacle_signals",
    "response_sentence",
]

#: A value averaging below this share of the scale (3.5 on 1-5) is "weak".
WEAK_SHARE: Final = 0.625
#: A leader-staff difference of at least this (on the rating scale) is worth acting on.
NOTABLE_GAP: Final = 0.5
#: Below this, leaders and staff are said to see a value "much alike".
SMALL_GAP: Final = 0.3
#: Below this share of people responding, raising the response rate is a next step.
LOW_RESPONSE_RATE: Final = 0.7
#: Which obstacle a weak value points to (obstacle ids of the shipped framework).
VALUE_OBSTACLES: Final[Mapping[str, str]] = {
    "A": "alignment",      # nobody owns the customer's problem: words and deeds part
    "E": "credibility",    # energy fades: the message is not carried with stamina
    "I": "resources",      # "no time to improve": better ways of working go unseen
    "O": "credibility",    # no belief in the long journey: campaigns start and fade
    "U": "disconnected",   # customers treated as a queue: out of touch with who they are
}


@dataclass(frozen=True)
class WeakPoint:
    """The weakest value's lowest-scoring statement for everyone (a cell the report shows).

    ``score`` is after flipping (higher = lived more); ``answer`` is the scale's
    word for the average answer as people gave it, so a reverse-worded
    statement ("I sound flat ...") reads "Often" when its score is low.
    """

    statement_id: str
    text: str
    score: float
    answer: str
    reverse: bool


@dataclass(frozen=True)
class SummaryInputs:
    """The numbers the summary speaks about, all already safe to show.

    ``values`` maps value id -> name in framework order; ``means`` and
    ``agreement`` hold the overall figure of each *shown* value; ``gaps`` maps
    value id -> (leader mean, staff mean) or is ``None`` when leaders and
    staff may not be compared (``gap_note`` says why).
    """

    organisation: str
    cycle: str
    invited: int
    respondents: int
    threshold: int
    values: Mapping[str, str]
    means: Mapping[str, float]
    scale: tuple[int, int] = (1, 5)
    in_progress: int = 0
    agreement: Mapping[str, str] = field(default_factory=dict)
    submitted: int | None = None  # everyone who submitted; None: the same as respondents
    batch: int | None = None  # respondents are counted in whole groups of this; None: the threshold
    strongest: str | None = None
    weakest: str | None = None
    gaps: Mapping[str, tuple[float, float]] | None = None
    gap_note: str | None = None
    weak_point: WeakPoint | None = None
    workshop: WorkshopFacts | None = None  # None: the cycle's workshop has not been run

    @property
    def enough(self) -> bool:
        return self.respondents >= self.threshold and bool(self.means)

    def name(self, value_id: str) -> str:
        return self.values.get(value_id, value_id)


@dataclass(frozen=True)
class ObstacleSignal:
    """One obstacle the results point to, with the reasons in plain words."""

    obstacle: Obstacle
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ExecutiveSummary:
    """Sentences for the top of the report, the obstacles behind them and three next steps.

    ``story`` reconciles the answers' ``obstacles`` with those the team ticked in
    the workshop (:mod:`workbook.report.obstacle_story`): the one list every
    page about obstacles is written from.
    """

    sentences: tuple[str, ...]
    obstacles: tuple[ObstacleSignal, ...]
    next_steps: tuple[str, ...]
    story: tuple[ObstacleStory, ...] = ()


def _number(x: float) -> str:
    return f"{x:.1f}"


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


def _and(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def response_sentence(respondents: int, invited: int, cycle: str, in_progress: int = 0) -> str:
    """How many of the people invited submitted answers, e.g. "20 of 25 people (80%) ..."."""
    if invited <= 0:
        return f"Nobody has been invited to the {cycle} assessment yet."
    share = respondents / invited
    sentence = (f"{respondents} of the {_people(invited)} invited ({share:.0%}) submitted their answers "
                f"for {cycle}")
    if in_progress:
        sentence += f"; {in_progress} more started but {'has' if in_progress == 1 else 'have'} not submitted"
    return sentence + "."


def counted_sentence(submitted: int, counted: int, threshold: int) -> str:
    """That the results count fewer than submitted; why (whole groups of ``threshold``) is in the appendix."""
    return (f"The results count the first {counted} of them, to keep everyone's answers private; the method "
            "appendix explains why.")


def not_counted_yet_sentence(counted: int, batch: int, threshold: int) -> str:
    """Why enough people submitted but nothing is shown: the whole groups counted are too few for this report."""
    return (f"This report shows results once the answers of at least {threshold} people can be counted, so that "
            f"nobody's answers can be picked out; {counted} can be so far (the method appendix explains why).")


def not_enough_sentence(respondents: int, threshold: int, cycle: str) -> str:
    """Why a report shows no results: nobody, or fewer people than the threshold, answered."""
    if respondents == 0:
        return f"No one has submitted answers for {cycle} yet, so there are no results to show."
    return (f"Only {_people(respondents)} {'has' if respondents == 1 else 'have'} submitted answers so far. "
            f"Results are shown once at least {threshold} people have, so that nobody's answers can be "
            "picked out.")


def extremes_sentence(inputs: SummaryInputs) -> str:
    """The strongest value and the one with most room to grow, with their averages."""
    hi = inputs.scale[1]
    if len(inputs.means) < 2:
        return "Too few values could be scored to compare them with each other."
    if inputs.strongest is None or inputs.weakest is None:
        return f"All the values score alike, around {_number(next(iter(inputs.means.values())))} out of {hi}."
    strong, weak = inputs.strongest, inputs.weakest
    return (f"{inputs.name(strong)} is the strongest value ({_number(inputs.means[strong])} out of {hi}); "
            f"{inputs.name(weak)} has the most room to grow ({_number(inputs.means[weak])}).")


def _largest_gap(gaps: Mapping[str, tuple[float, float]], order: Sequence[str]) -> str | None:
    """The value with the largest absolute difference (framework order breaks ties)."""
    if not gaps:
        return None
    ranked = [v for v in order if v in gaps] + sorted(v for v in gaps if v not in order)
    return max(ranked, key=lambda v: (round(abs(gaps[v][0] - gaps[v][1]), 9), -ranked.index(v)))


def gap_sentence(inputs: SummaryInputs) -> str:
    """The largest difference between leaders and staff, or why there is none to report."""
    if inputs.gaps is None:
        return inputs.gap_note or "Leaders and staff are not compared in this report."
    value = _largest_gap(inputs.gaps, list(inputs.values))
    if value is None:
        return "Leaders and staff could not be compared on any value."
    leader, staff = inputs.gaps[value]
    gap = leader - staff
    if abs(gap) < SMALL_GAP:
        return (f"Leaders and staff see the values much alike: no difference between them is as large as "
                f"{SMALL_GAP:.1f}.")
    higher, lower = ("leaders", "staff") if gap > 0 else ("staff", "leaders")
    return (f"The largest difference between leaders and staff is on {inputs.name(value)}: {higher} rate it "
            f"{_number(abs(gap))} higher than {lower} do ({_number(leader)} for leaders, "
            f"{_number(staff)} for staff).")


def _weak_line(inputs: SummaryInputs) -> float:
    lo, hi = inputs.scale
    return lo + WEAK_SHARE * (hi - lo)


def obstacle_signals(inputs: SummaryInputs, obstacles: Sequence[Obstacle]) -> tuple[ObstacleSignal, ...]:
    """The obstacles the results point to, strongest evidence first (see the module docstring)."""
    known = {o.id: o for o in obstacles}
    found: dict[str, list[str]] = {}

    def add(obstacle_id: str, reason: str) -> None:
        if obstacle_id in known:
            found.setdefault(obstacle_id, []).append(reason)

    line = _weak_line(inputs)
    for value in sorted((v for v in inputs.means if inputs.means[v] < line),
                        key=lambda v: (inputs.means[v], list(inputs.values).index(v) if v in inputs.values else 99)):
        if value in VALUE_OBSTACLES:
            add(VALUE_OBSTACLES[value],
                f"{inputs.name(value)} averages {_number(inputs.means[value])}, below {line:.1f}")
    if inputs.gaps:
        higher = [v for v in inputs.values if v in inputs.gaps and inputs.gaps[v][0] - inputs.gaps[v][1] >= NOTABLE_GAP]
        lower = [v for v in inputs.values if v in inputs.gaps and inputs.gaps[v][1] - inputs.gaps[v][0] >= NOTABLE_GAP]
        if higher:
            add("alignment", f"leaders rate {_and([inputs.name(v) for v in higher])} at least {NOTABLE_GAP:.1f} "
                             "higher than staff do")
        if lower:
            add("clarity", f"staff rate {_and([inputs.name(v) for v in lower])} at least {NOTABLE_GAP:.1f} "
                           "higher than leaders do")
    spread = [v for v in inputs.values if inputs.agreement.get(v) == "low agreement"]
    if spread:
        add("clarity", f"people see {_and([inputs.name(v) for v in spread])} very differently (low agreement)")
    order = list(found)
    ranked = sorted(order, key=lambda o: (-len(found[o]), order.index(o)))
    return tuple(ObstacleSignal(known[o], tuple(found[o])) for o in ranked)


def obstacle_sentence(signals: Sequence[ObstacleSignal], inputs: SummaryInputs) -> str:
    """The summary's obstacle sentences as one, the answers reconciled with the workshop (see obstacle_story)."""
    return " ".join(_obstacle_sentences(signals, inputs, _story(signals, (), inputs)))


def _story(signals: Sequence[ObstacleSignal], obstacles: Sequence[Obstacle],
           inputs: SummaryInputs) -> tuple[ObstacleStory, ...]:
    return obstacle_story([(s.obstacle, s.reasons) for s in signals],
                          obstacles or [s.obstacle for s in signals], inputs.workshop)


def _obstacle_sentences(signals: Sequence[ObstacleSignal], inputs: SummaryInputs,
                        story: Sequence[ObstacleStory]) -> tuple[str, ...]:
    ticked = " and the team ticked none in the workshop" if inputs.workshop is not None else ""
    all_clear = (f"None of the five DIME™ obstacles stands out: every value averages {_weak_line(inputs):.1f} or "
                 f"more, leaders and staff broadly agree{ticked}.")
    return story_sentences(story, inputs.workshop, all_clear)


def _weak_point_step(inputs: SummaryInputs, weakest: str) -> str:
    """The first next step: the weakest value, through its lowest statement when the report shows one."""
    name, hi = inputs.name(weakest), inputs.scale[1]
    point = inputs.weak_point
    said = point.text.rstrip(".") if point is not None else ""
    if point is None:
        return (f"Work on {name}, the value with most room to grow ({_number(inputs.means[weakest])} out of {hi}): "
                "ask the team for one moment this week when it was missing, and agree one change to try.")
    if point.reverse:
        return (f"Work on {name}, the value with most room to grow. Asked about “{said}”, people "
                f"answered “{point.answer.lower()}” on average: agree with the team what to do instead "
                "the next time it happens, and look at this statement again in the next assessment.")
    return (f"Work on {name}, the value with most room to grow. Asked about “{said}”, people "
            f"answered “{point.answer.lower()}” on average: agree with the team one small way to do it "
            "more often this month, and look at this statement again in the next assessment.")


def next_steps(inputs: SummaryInputs, story: Sequence[ObstacleStory] = ()) -> tuple[str, str, str]:
    """Exactly three recommended next steps, each written from this report's own figures.

    Candidates, in priority order: the weakest value through its lowest
    statement, the largest notable leader-staff gap, an obstacle the team ticked
    that the answers do not show, a value people see very differently, a low
    response rate, and building on the strongest value; two general ones
    follow in case fewer apply.  The third step follows the workshop: its open
    actions when it has been run, otherwise running it, because that is where
    a team turns results into commitments.
    """
    candidates: list[str] = []
    if inputs.weakest is not None:
        candidates.append(_weak_point_step(inputs, inputs.weakest))
    if inputs.gaps:
        value = _largest_gap(inputs.gaps, list(inputs.values))
        if value is not None and abs(inputs.gaps[value][0] - inputs.gaps[value][1]) >= NOTABLE_GAP:
            leader, staff = inputs.gaps[value]
            higher = "Leaders" if leader > staff else "Staff"
            candidates.append(
                f"Talk openly about {inputs.name(value)}: {higher.lower()} rate it higher ({_number(leader)} for "
                f"leaders, {_number(staff)} for staff). Ask each group what the other would need to see or do "
                "differently for the two views to meet."
            )
    team_only = [s for s in story if s.source == "workshop"]
    if team_only:
        steps = team_only[0].steps
        candidates.append(
            f"Ask the team what they saw when they ticked {team_only[0].obstacle.name.lower()} at the "
            f"{_and(list(steps))} step{'s' if len(steps) > 1 else ''}: the answers do not show it, so it may "
            "be something the statements do not ask about."
        )
    spread = [v for v in inputs.values if inputs.agreement.get(v) == "low agreement"]
    if spread:
        candidates.append(
            f"Agree together what {inputs.name(spread[0])} looks like in practice: answers vary so much "
            "that people clearly picture it differently."
        )
    if inputs.invited and inputs.respondents / inputs.invited < LOW_RESPONSE_RATE:
        candidates.append("Ask more people to answer next time, so that the results speak for the whole team: "
                          "a word from their own team leader helps most.")
    if inputs.strongest is not None:
        best = inputs.strongest
        candidates.append(
            f"Build on {inputs.name(best)}, your strongest value ({_number(inputs.means[best])} "
            f"out of {inputs.scale[1]}): ask the people who live it best to show what they do at the next team "
            "briefing."
        )
    candidates.append("Share these results with the whole team and ask which finding surprises them most.")
    candidates.append("Pick one result to discuss at every team meeting until the next assessment, and note "
                      "what changes.")
    return candidates[0], candidates[1], _workshop_step(inputs.workshop)


def _workshop_step(workshop: WorkshopFacts | None) -> str:
    if workshop is None:
        return ("Take these results into the DIME™ steps workshop to turn them into a plan, and repeat the "
                "assessment next quarter to see the trend.")
    if workshop.actions_open:
        count = f"{workshop.actions_open} action{'s' if workshop.actions_open != 1 else ''}"
        return (f"Follow up the {count} still open from the workshop: check each one at a monthly team meeting, "
                "and repeat the assessment next quarter to see whether the results move.")
    return ("Agree at least one action for each DIME™ step in the workshop, so the plan has an owner and a date "
            "for every step, and repeat the assessment next quarter to see the trend.")


def executive_summary(inputs: SummaryInputs, obstacles: Sequence[Obstacle]) -> ExecutiveSummary:
    """All of the above; with too few respondents, only the response and why nothing is shown."""
    submitted = inputs.respondents if inputs.submitted is None else inputs.submitted
    opening = [response_sentence(submitted, inputs.invited, inputs.cycle, inputs.in_progress)]
    batch = inputs.threshold if inputs.batch is None else inputs.batch
    if not inputs.enough:
        if submitted >= inputs.threshold > inputs.respondents:  # a report threshold above the batch size
            opening.append(not_counted_yet_sentence(inputs.respondents, batch, inputs.threshold))
        else:
            opening.append(not_enough_sentence(submitted, inputs.threshold, inputs.cycle))
        return ExecutiveSummary(sentences=tuple(opening), obstacles=(), next_steps=())
    if submitted > inputs.respondents:
        opening.append(counted_sentence(submitted, inputs.respondents, batch))
    signals = obstacle_signals(inputs, obstacles)
    story = _story(signals, obstacles, inputs)
    return ExecutiveSummary(
        sentences=(*opening, extremes_sentence(inputs), gap_sentence(inputs),
                   *_obstacle_sentences(signals, inputs, story)),
        obstacles=signals,
        next_steps=next_steps(inputs, story),
        story=story,
    )
