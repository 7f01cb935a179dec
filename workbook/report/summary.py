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

__all__ = [
    "LOW_RESPONSE_RATE",
    "NOTABLE_GAP",
    "SMALL_GAP",
    "VALUE_OBSTACLES",
    "WEAK_SHARE",
    "ExecutiveSummary",
    "ObstacleSignal",
    "SummaryInputs",
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
    """Sentences for the top of the report, the obstacles behind them and three next steps."""

    sentences: tuple[str, ...]
    obstacles: tuple[ObstacleSignal, ...]
    next_steps: tuple[str, ...]


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
    """Why the results count fewer people than submitted (whole groups of ``threshold``)."""
    return (f"The results count the first {counted} of them: answers are counted in whole groups of "
            f"{threshold}, so that comparing two versions of this report can never single anyone out.")


def not_counted_yet_sentence(counted: int, batch: int, threshold: int) -> str:
    """Why enough people submitted but nothing is shown: the whole groups counted are too few for this report."""
    return (f"Answers are counted in whole groups of {batch}, the first {counted} so far, and this report "
            f"shows results once at least {threshold} are counted, so that nobody's answers can be picked out.")


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
    """One sentence naming the (at most two) obstacles the results point to most."""
    if not signals:
        return (f"None of the five DIME™ obstacles stands out: every value averages "
                f"{_weak_line(inputs):.1f} or more and leaders and staff broadly agree.")
    parts = [f"{s.obstacle.name.lower()} ({s.reasons[0]})" for s in signals[:2]]
    return f"Of the five DIME™ obstacles, the results point most to {_and(parts)}."


def next_steps(inputs: SummaryInputs) -> tuple[str, str, str]:
    """Exactly three recommended next steps: two from the results, then the workshop.

    Candidates, in priority order: the weakest value, the largest notable
    leader-staff gap, a value people see very differently, a low response
    rate, building on the strongest value, and a general fallback.  The
    third step is always to take the results into the DIME™ steps workshop,
    because that is where a team turns results into commitments.
    """
    candidates: list[str] = []
    if inputs.weakest is not None:
        candidates.append(
            f"Choose one everyday moment where {inputs.name(inputs.weakest)} could show more, agree one "
            "small change with the team, and check after a month whether customers notice the difference."
        )
    if inputs.gaps:
        value = _largest_gap(inputs.gaps, list(inputs.values))
        if value is not None and abs(inputs.gaps[value][0] - inputs.gaps[value][1]) >= NOTABLE_GAP:
            candidates.append(
                f"Share the leader–staff difference on {inputs.name(value)} openly with both groups, and ask "
                "staff what leaders would need to see or do differently to close it."
            )
    spread = [v for v in inputs.values if inputs.agreement.get(v) == "low agreement"]
    if spread:
        candidates.append(
            f"Agree together what {inputs.name(spread[0])} looks like in practice: answers vary so much "
            "that people clearly picture it differently."
        )
    if inputs.invited and inputs.respondents / inputs.invited < LOW_RESPONSE_RATE:
        candidates.append(
            f"Aim for more responses next time ({inputs.respondents / inputs.invited:.0%} this cycle), so the "
            "results speak for the whole team."
        )
    if inputs.strongest is not None:
        candidates.append(
            f"Build on {inputs.name(inputs.strongest)}, your strongest value: ask the people who live it best "
            "to share what they do at the next team briefing."
        )
    candidates.append("Share these results with the whole team and ask which finding surprises them most.")
    candidates.append("Pick one result to discuss at every team meeting until the next assessment, and note "
                      "what changes.")
    workshop = ("Take these results into the DIME™ steps workshop to turn them into a plan, and repeat the "
                "assessment next quarter to see the trend.")
    return candidates[0], candidates[1], workshop


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
    return ExecutiveSummary(
        sentences=(*opening, extremes_sentence(inputs), gap_sentence(inputs), obstacle_sentence(signals, inputs)),
        obstacles=signals,
        next_steps=next_steps(inputs),
    )
