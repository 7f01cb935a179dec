"""How people rate themselves against how they rate the organisation, value by value.

The DIME(TM) values are asked of *everyone*: "is everyone in the organisation
accountable?", not only "am I?".  From edition 1.1.0 the assessment asks a few
statements per value about the organisation ("In this organisation, people
...") besides the "I ..." ones.  They are scored apart and never mixed into
the value scores, so that every figure made before they existed stays put.
The gap *self minus organisation* is what a consultant uses in the room: a
team that rates itself well above the organisation it works in is describing
an organisation problem (or a blind spot); the reverse is rarer and just as
worth a question.

Both sides are made by :func:`workbook.scoring.group_scores` with the *same*
disclosure plan as the rest of the view (the self answers' plan), so a group
hidden for self scores is hidden for organisation scores too, and statements
rated by too few people count as "don't know" here as well
(:func:`workbook.anonymity.countable_ratings`).  People who answered before
the organisation statements existed are in the table with "don't know" for
each: they keep the plan's head counts right and add nothing to the figures.
A gap is shown only where both of its sides are shown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from workbook.anonymity import OVERALL_LABEL, DisclosurePlan
from workbook.scoring import ANSWER_COLUMNS, CheckedAnswers, GroupedScores, group_scores, person_value_scores
from workbook.settings import DEFAULT_THRESHOLD

if TYPE_CHECKING:
    from workbook.framework import Framework
    from workbook.store.responses import AnswerRow

__all__ = [
    "GAP_COLUMNS",
    "PersonGap",
    "SelfOrganisationGaps",
    "organisation_answers",
    "person_gaps",
    "self_organisation_gaps",
]

GAP_COLUMNS: Final = ("group", "value_id", "n_self", "self_mean", "n_organisation", "organisation_mean",
                      "gap", "shown")
_SIDE_ORDER: Final = ("leader", "staff")


@dataclass(frozen=True, eq=False)
class SelfOrganisationGaps:
    """Self and organisation means per shown group and value, and their gap.

    ``table`` has :data:`GAP_COLUMNS`: ``group`` is ``"All respondents"``,
    ``"leader"`` or ``"staff"`` (the sides only when the plan shows them);
    ``shown`` is False where either side is hidden, and then every number of
    the row is missing.  ``gap`` is self mean minus organisation mean: positive
    when people rate themselves higher than the organisation.
    """

    table: pd.DataFrame
    notes: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return bool(self.table.empty or not self.table["shown"].any())


@dataclass(frozen=True)
class PersonGap:
    """One person's own score for a value, their view of the organisation on it, and the gap."""

    value_id: str
    self_score: float | None
    organisation_score: float | None

    @property
    def gap(self) -> float | None:
        if self.self_score is None or self.organisation_score is None:
            return None
        return self.self_score - self.organisation_score


def organisation_answers(rows: Iterable[AnswerRow], framework: Framework, people: pd.DataFrame) -> pd.DataFrame:
    """The answers table of the organisation statements for exactly ``people``.

    ``people`` has ``person_id``, ``role`` and ``team`` (the self answers'
    frozen ones, so both tables plan the same groups).  Every person gets a row
    per organisation statement: their rating, or "don't know" (missing) when
    they gave none, e.g. because they answered an earlier edition.  Only
    submitted answers count, as everywhere.
    """
    statements = framework.organisation_statements
    known = {s.id: (framework.value_of_statement(s.id).id, s.reverse) for s in statements}
    ratings = {(str(r.person_id), r.statement_id): r.rating for r in rows
               if r.submitted and r.statement_id in known}
    unique = people.loc[:, ["person_id", "role", "team"]].drop_duplicates("person_id")
    records = [
        {"person_id": str(p), "role": str(role), "team": str(team), "value_id": known[s.id][0],
         "statement_id": s.id, "rating": ratings.get((str(p), s.id)), "reverse": known[s.id][1]}
        for p, role, team in zip(unique["person_id"], unique["role"], unique["team"], strict=True)
        for s in statements
    ]
    frame = pd.DataFrame.from_records(records, columns=list(ANSWER_COLUMNS))
    return frame.astype({"person_id": "string", "role": "string", "team": "string", "value_id": "string",
                         "statement_id": "string", "rating": "Int64", "reverse": "bool"})


def self_organisation_gaps(
    self_answers: pd.DataFrame | CheckedAnswers,
    organisation: pd.DataFrame,
    *,
    plan: DisclosurePlan,
    threshold: int = DEFAULT_THRESHOLD,
    scale_min: int = 1,
    scale_max: int = 5,
    value_order: Sequence[str] | None = None,
) -> SelfOrganisationGaps:
    """Self vs organisation per value for everyone and, when the plan shows them, leaders and staff.

    ``plan`` is the view's plan for ``self_answers`` (required: the point is
    that both sides follow it); ``organisation`` must hold the same people
    (:func:`organisation_answers`), or the plan is refused.
    """
    kwargs = {"threshold": threshold, "scale_min": scale_min, "scale_max": scale_max,
              "value_order": value_order, "plan": plan}
    own_all = group_scores(self_answers, "overall", **kwargs)  # type: ignore[arg-type]
    org_all = group_scores(organisation, "overall", **kwargs)  # type: ignore[arg-type]
    rows = _rows(own_all, org_all, [OVERALL_LABEL])
    notes = [*org_all.notes]
    if plan.roles.groups:
        own_roles = group_scores(self_answers, "role", **kwargs)  # type: ignore[arg-type]
        org_roles = group_scores(organisation, "role", **kwargs)  # type: ignore[arg-type]
        rows += _rows(own_roles, org_roles, [s for s in _SIDE_ORDER if s in plan.roles.groups])
        notes += org_roles.notes
    table = pd.DataFrame({
        "group": pd.Series([r[0] for r in rows], dtype="str"),
        "value_id": pd.Series([r[1] for r in rows], dtype="str"),
        "n_self": pd.Series([r[2] for r in rows], dtype="Int64"),
        "self_mean": pd.Series([r[3] for r in rows], dtype=float),
        "n_organisation": pd.Series([r[4] for r in rows], dtype="Int64"),
        "organisation_mean": pd.Series([r[5] for r in rows], dtype=float),
        "gap": pd.Series([r[6] for r in rows], dtype=float),
        "shown": pd.Series([r[7] for r in rows], dtype=bool),
    }, columns=list(GAP_COLUMNS))
    return SelfOrganisationGaps(table=table, notes=tuple(dict.fromkeys(n for n in notes if n)))


_Row = tuple[str, str, "int | None", float, "int | None", float, float, bool]


def _rows(own: GroupedScores, org: GroupedScores, groups: Sequence[str]) -> list[_Row]:
    """Join the two sides cell by cell; a row is shown only when both cells are."""
    def cells(scores: GroupedScores) -> dict[tuple[str, str], dict[str, Any]]:
        return {(str(r["group"]), str(r["value_id"])): {str(k): v for k, v in r.items()}
                for r in scores.table.to_dict("records")}

    mine, theirs = cells(own), cells(org)
    values = list(dict.fromkeys(v for (_, v) in mine))
    out: list[_Row] = []
    for group in groups:
        for value in values:
            a, b = mine.get((group, value)), theirs.get((group, value))
            both = a is not None and b is not None and bool(a["shown"]) and bool(b["shown"])
            if both and a is not None and b is not None:
                s, o = float(a["mean"]), float(b["mean"])
                out.append((group, value, int(a["n_people"]), s, int(b["n_people"]), o, s - o, True))
            else:
                out.append((group, value, None, math.nan, None, math.nan, math.nan, False))
    return out


def person_gaps(self_answers: pd.DataFrame, organisation: pd.DataFrame, person_id: str, *,
                scale_min: int = 1, scale_max: int = 5,
                value_order: Sequence[str] | None = None) -> list[PersonGap]:
    """One person's own self and organisation scores per value: for their eyes only.

    No other person's answers are read, so nothing here needs the anonymity
    rule; callers must show it to that person alone.
    """
    pid = str(person_id)
    own = person_value_scores(self_answers[self_answers["person_id"].astype(str) == pid], scale_min, scale_max)
    org = person_value_scores(organisation[organisation["person_id"].astype(str) == pid], scale_min, scale_max)
    own_by = {str(v): float(s) for v, s in zip(own["value_id"], own["score"], strict=True)}
    org_by = {str(v): float(s) for v, s in zip(org["value_id"], org["score"], strict=True)}
    order = list(value_order or dict.fromkeys([*own_by, *org_by]))
    return [PersonGap(v, _or_none(own_by.get(v)), _or_none(org_by.get(v))) for v in order
            if v in own_by or v in org_by]


def _or_none(x: float | None) -> float | None:
    return None if x is None or math.isnan(x) else x
