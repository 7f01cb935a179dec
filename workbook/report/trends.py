"""Trends across an organisation's cycles: each figure per cycle, and whether it really changed.

:func:`compute_trends` takes the report of one cycle and reads each earlier
cycle of the organisation through :func:`workbook.report.model.load_report`,
the very call that cycle's own report makes, with the same threshold.  So
every figure of every cycle is exactly what that cycle's report shows (or
would show): a group or cell hidden in a cycle is ``None`` here too, and a
cycle with too few answers has no figures at all.  Different cycles count
different answers, so putting them side by side works out nobody's answers
that a single cycle's report does not.

Per cycle it keeps, for each value, the average, spread and people count of
everyone, of each team shown (small teams combined as "Other teams") and of
leaders and staff when the report shows them; and each DIME™ step's maturity
from the workshop (the mean of the team's practice ratings).  The change from
last cycle to this one goes through :mod:`workbook.report.change`.

The report shows at most :data:`MAX_CYCLES` cycles (two years of quarters),
which also bounds the cost.  The earlier cycles' answers come in one query;
each earlier cycle's answers are checked once and its people scored once for
everyone, the teams and leaders and staff together
(:class:`workbook.scoring.CheckedAnswers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from workbook.report.change import Change, step_change, welch_change

if TYPE_CHECKING:
    from workbook.report.model import Report
    from workbook.scoring import GroupedScores
    from workbook.store import CycleRecord

__all__ = [
    "MAX_CYCLES",
    "CycleInfo",
    "Figure",
    "GroupKind",
    "StepTrend",
    "Trends",
    "ValueTrend",
    "compute_trends",
]

#: The most cycles one report shows side by side (the report's own and the ones before it).
MAX_CYCLES = 8

GroupKind = Literal["everyone", "role", "team"]
_ROLE_LABELS = {"leader": "Leaders", "staff": "Staff"}
_KIND_ORDER = {"everyone": 0, "role": 1, "team": 2}


@dataclass(frozen=True, slots=True)
class Figure:
    """One shown figure of one cycle: a group's average for a value, its spread and people count."""

    mean: float
    sd: float
    people: int


@dataclass(frozen=True, slots=True)
class CycleInfo:
    """One cycle in the trend: its label, how many answers counted, and whether it has results."""

    label: str
    respondents: int
    enough: bool
    workshop: bool


@dataclass(frozen=True, slots=True)
class ValueTrend:
    """One value for one group across the cycles, and the change from last cycle to this one.

    ``figures`` has one entry per cycle of :attr:`Trends.cycles` (``None``:
    not shown in that cycle); ``teams`` lists, per cycle, the teams the group
    held (a team holds itself; "Other teams" holds the small teams combined).
    """

    group: str
    kind: GroupKind
    value_id: str
    figures: tuple[Figure | None, ...]
    teams: tuple[tuple[str, ...], ...]
    change: Change


@dataclass(frozen=True, slots=True)
class StepTrend:
    """One DIME™ step's average maturity per cycle (``None``: not rated) and the change."""

    step_id: str
    title: str
    name: str
    means: tuple[float | None, ...]
    change: Change


@dataclass(frozen=True)
class Trends:
    """The organisation's figures over its cycles, oldest first, ending with the report's cycle.

    ``step_pair`` gives the indexes of the two cycles whose workshops the step
    changes compare: the report's cycle and the one before when both were
    rated, otherwise the last two cycles whose workshop was run.
    """

    cycles: tuple[CycleInfo, ...]
    values: tuple[ValueTrend, ...]
    steps: tuple[StepTrend, ...]
    step_pair: tuple[int, int] | None

    @property
    def shown(self) -> bool:
        """Whether the report shows trends: its own cycle and at least one other have results."""
        return bool(self.cycles) and self.cycles[-1].enough and sum(c.enough for c in self.cycles) >= 2

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(c.label for c in self.cycles)

    @property
    def current(self) -> CycleInfo:
        return self.cycles[-1]

    @property
    def previous(self) -> CycleInfo | None:
        return self.cycles[-2] if len(self.cycles) >= 2 else None

    def real_changes(self) -> tuple[ValueTrend, ...]:
        """The value changes the rule calls real, biggest first (everyone before groups on a tie)."""
        real = [t for t in self.values if t.change.real]
        return tuple(sorted(real, key=lambda t: (-abs(t.change.difference or 0.0), _KIND_ORDER[t.kind])))

    def biggest(self, verdict: Literal["up", "down"]) -> ValueTrend | None:
        """The largest real improvement (``"up"``) or decline (``"down"``), or ``None``.

        Everyone's figures come first: the headline is about the organisation,
        and a group's change (fewer people, wider interval) is named only when
        no value moved for everyone.
        """
        moved = [t for t in self.real_changes() if t.change.verdict == verdict]
        return next((t for t in moved if t.kind == "everyone"), moved[0] if moved else None)

    def biggest_step(self, verdict: Literal["up", "down"]) -> StepTrend | None:
        moved = [s for s in self.steps if s.change.verdict == verdict]
        return max(moved, key=lambda s: abs(s.change.difference or 0.0), default=None)


def _groups(report: Report) -> dict[tuple[GroupKind, str], tuple[tuple[str, ...], GroupedScores, str]]:
    """(kind, display label) -> (teams held, scores, group key in the scores table) for one cycle's report."""
    out: dict[tuple[GroupKind, str], tuple[tuple[str, ...], GroupedScores, str]] = {}
    if not report.enough:
        return out
    from workbook.anonymity import OVERALL_LABEL

    plan = report.plan
    if not report.overall.groups.empty:
        out[("everyone", "Everyone")] = ((), report.overall, OVERALL_LABEL)
    for side in report.by_role.groups["group"].astype(str).tolist():
        out[("role", _ROLE_LABELS.get(side, side))] = ((), report.by_role, side)
    for label in report.by_team.groups["group"].astype(str).tolist():
        members = tuple(sorted(team for team, shown in plan.teams.members.items() if shown == label))
        out[("team", label)] = (members, report.by_team, label)
    return out


def _figures(scores: GroupedScores) -> dict[str, dict[str, Figure | None]]:
    """Group -> value id -> the group's shown figure (``None`` for a hidden cell), read in one pass."""
    out: dict[str, dict[str, Figure | None]] = {}
    table = scores.table
    for group, value_id, mean, sd, people, shown in zip(
            table["group"].astype(str).tolist(), table["value_id"].astype(str).tolist(), table["mean"].tolist(),
            table["sd"].tolist(), table["n_people"].tolist(), table["shown"].tolist(), strict=True):
        out.setdefault(group, {})[value_id] = Figure(float(mean), float(sd), int(people)) if bool(shown) else None
    return out


def _value_change(trend_figures: list[Figure | None], teams: list[tuple[str, ...]], cycles: list[CycleInfo]) -> Change:
    if len(cycles) < 2:
        return Change("no comparison", reason="no earlier cycle")
    if not cycles[-2].enough:
        return Change("no comparison", reason=f"too few answers in {cycles[-2].label}")
    if teams[-1] != teams[-2] and trend_figures[-1] is not None and trend_figures[-2] is not None:
        return Change("no comparison", reason="combines different teams in the two cycles")

    def triple(figure: Figure | None) -> tuple[float, float, int] | None:
        return None if figure is None else (figure.mean, figure.sd, figure.people)

    return welch_change(triple(trend_figures[-2]), triple(trend_figures[-1]))


def _earlier_cycles(report: Report) -> list[CycleRecord]:
    """The organisation's cycles before the report's, oldest first, at most ``MAX_CYCLES - 1`` of them."""
    assert report.store is not None
    cycles = report.store.responses.cycles(report.organisation.id)
    position = next(i for i, c in enumerate(cycles) if c.id == report.cycle.id)
    return cycles[max(0, position - (MAX_CYCLES - 1)):position]


def _cycle_reports(report: Report) -> list[Report]:
    """The report of each cycle in the trend, the given one last (the same object, not a reload).

    An earlier cycle's report counts the answers its own report counts
    (:func:`workbook.report.model.counted_answers`, the call ``load_report``
    makes) under the same thresholds; what only its own report's other pages
    need (comments, who is part-way, when the last answer came) is not read.
    """
    import pandas as pd

    from workbook.dataset import cycle_edition
    from workbook.report.model import Report, counted_answers

    assert report.store is not None
    earlier = _earlier_cycles(report)
    # One query for every earlier cycle's answers, not one per cycle.
    rows = report.store.responses.rows_of_cycles(report.organisation.id, [c.id for c in earlier])
    reports = []
    for cycle in earlier:
        framework = cycle_edition(report.store, report.framework, cycle.id)  # the statements that cycle asked
        batched, settled, answers = counted_answers(report.store, framework, report.organisation, cycle,
                                                    report.threshold, rows=rows[cycle.id])
        reports.append(Report(
            organisation=report.organisation, cycle=cycle, framework=framework, threshold=report.threshold,
            comment_threshold=report.comment_threshold, invited=0, in_progress=0, submitted=batched.submitted,
            answers=answers.reset_index(drop=True),
            comments=pd.DataFrame({"person_id": [], "statement_id": [], "text": []}), data_as_of=None,
            store=None, groups_shown=settled.groups_shown, release_notes=settled.notes,
        ))
    return [*reports, report]


def _step_means(report: Report, cycle_ids: list[int]) -> list[dict[str, float | None] | None]:
    """Per cycle: step id -> average maturity (``None``: step not rated); ``None`` when no workshop."""
    from workbook.workshop.summary import workshop_summary

    assert report.store is not None
    out: list[dict[str, float | None] | None] = []
    for cycle_id in cycle_ids:
        summary = workshop_summary(report.store, report.framework, report.organisation.id, cycle_id)
        out.append(None if summary is None or not summary.rated_steps
                   else {s.step_id: s.mean for s in summary.steps})
    return out


def _step_pair(per_cycle: list[dict[str, float | None] | None]) -> tuple[int, int] | None:
    run = [i for i, steps in enumerate(per_cycle) if steps is not None]
    return (run[-2], run[-1]) if len(run) >= 2 else None


def compute_trends(report: Report) -> Trends:
    """The trends up to ``report``'s cycle (see the module docstring); empty without a store."""
    if report.store is None:
        return Trends((), (), (), None)
    reports = _cycle_reports(report)
    steps_per_cycle = _step_means(report, [r.cycle.id for r in reports])
    cycles = [CycleInfo(r.cycle.label, r.respondents if r.enough else 0, r.enough, s is not None)
              for r, s in zip(reports, steps_per_cycle, strict=True)]
    grouped = [_groups(r) for r in reports]
    keys: list[tuple[GroupKind, str]] = []
    for groups in [grouped[-1], *reversed(grouped[:-1])]:  # this cycle's groups first, in its order
        keys += [k for k in groups if k not in keys]
    keys.sort(key=lambda k: _KIND_ORDER[k[0]])
    tables: dict[int, tuple[GroupedScores, dict[str, dict[str, Figure | None]]]] = {}

    def _read(scores: GroupedScores) -> dict[str, dict[str, Figure | None]]:
        if id(scores) not in tables:
            tables[id(scores)] = (scores, _figures(scores))
        return tables[id(scores)][1]

    values: list[ValueTrend] = []
    for kind, label in keys:
        held = [g[(kind, label)][0] if (kind, label) in g else () for g in grouped]
        cells = [_read(g[(kind, label)][1]).get(g[(kind, label)][2], {}) if (kind, label) in g else {}
                 for g in grouped]
        for value_id in report.value_order:
            figures = [c.get(value_id) for c in cells]
            if not any(figures):
                continue
            values.append(ValueTrend(label, kind, value_id, tuple(figures), tuple(held),
                                     _value_change(figures, held, cycles)))
    pair = _step_pair(steps_per_cycle)
    steps: list[StepTrend] = []
    for step in report.framework.steps:
        means = tuple(None if s is None else s.get(step.id) for s in steps_per_cycle)
        if not any(m is not None for m in means):
            continue
        change = (step_change(means[pair[0]], means[pair[1]]) if pair is not None
                  else Change("no comparison", reason="fewer than two workshops run"))
        steps.append(StepTrend(step.id, f"{step.number} · {step.letter} · {step.name}", step.name, means, change))
    return Trends(tuple(cycles), tuple(values), tuple(steps), pair)
