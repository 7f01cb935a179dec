"""Scores for the A-E-I-O-U values: per person, per group, and the gaps between them.

Pure functions over a long *answers* table (one row per person and statement:
``person_id``, ``role``, ``team``, ``value_id``, ``statement_id``, ``rating``,
``reverse``); no database and no framework loading, so the same numbers come
out of the notebooks, the apps and the tests.  Only submitted responses are
passed in: filtering is the caller's job.

How a score is made, and why:

* A reverse-worded statement ("Nobody here owns a customer's problem") is
  flipped, ``scale_min + scale_max - rating``, so that a higher score always
  means the value is lived more.
* "Don't know" (a missing rating) is left out rather than counted as a middle
  or a low answer: not knowing is not disagreeing.
* A person's value score is the mean of their rated statements for that value;
  a value they rated nothing in has no score (NaN, never 0).
* A group's value score is the mean of its people's value scores, so each
  person weighs the same however many statements they rated.

Group figures count a statement's ratings only where enough people rated it
(:func:`workbook.anonymity.countable_ratings`): the rest count as "don't know"
before any person's value score is made, so a hidden statement cannot be
worked out from a value's average (:func:`countable_answers` gives the table).

Everything group-level goes through :mod:`workbook.anonymity` before it is
returned: one plan (:func:`workbook.anonymity.plan_groups`) decides everyone,
the teams and leaders/staff *together*, so the figures of separate calls can be
combined without singling anyone out; small groups are merged or left out,
cells hidden, and each result says so in ``notes``.  Pass the same ``plan`` to
every call of one view (the report does); without one, each call makes the
plan for teams and leaders/staff from its answers, which gives the same plan.
The agreement label and the strongest/weakest rules are documented on :func:`agreement_label` and :func:`group_scores`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np
import pandas as pd

from workbook.anonymity import (
    OVERALL_LABEL,
    DisclosurePlan,
    GroupPlan,
    SelectedComments,
    cell_notes,
    check_comment_threshold,
    countable_ratings,
    plan_groups,
    select_comments,
    suppress_shown_cells,
)
from workbook.errors import InputError
from workbook.settings import DEFAULT_THRESHOLD, check_threshold

__all__ = [
    "ANSWER_COLUMNS",
    "HIGH_AGREEMENT_SD",
    "MODERATE_AGREEMENT_SD",
    "ROLES",
    "VALUE_ORDER",
    "CheckedAnswers",
    "GroupedScores",
    "Grouping",
    "LeaderStaffGaps",
    "StatementScores",
    "agreement_label",
    "check_answers",
    "countable_answers",
    "disclosure_plan",
    "group_comments",
    "group_scores",
    "leader_staff_gaps",
    "person_value_scores",
    "statement_scores",
    "validate_answers",
]

ANSWER_COLUMNS: Final = (
    "person_id",
    "role",
    "team",
    "value_id",
    "statement_id",
    "rating",
    "reverse",
)
ROLES: Final = ("leader", "staff")
VALUE_ORDER: Final = ("A", "E", "I", "O", "U")
"""Framework order; it breaks ties and orders tables.  Unknown values follow, alphabetically."""

HIGH_AGREEMENT_SD: Final = 0.15
"""Spread below this fraction of the scale width (0.6 on 1-5) is "high agreement"."""
MODERATE_AGREEMENT_SD: Final = 0.25
"""Spread below this fraction of the scale width (1.0 on 1-5) is "moderate agreement".

From there on it is "low agreement"."""

Grouping = Literal["overall", "role", "team"]

_TIE_TOLERANCE: Final = 1e-9
_ID_COLUMNS: Final = ("person_id", "role", "team", "value_id", "statement_id")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class GroupedScores:
    """Value scores per shown group.

    ``table``: one row per shown group and value: ``group``, ``value_id``,
    ``n_people`` (people with a score for the value; missing when hidden),
    ``mean``, ``sd``, ``agreement`` and ``shown`` (False for a hidden cell,
    whose numbers are then missing).  ``groups``: one row per shown group:
    ``group``, ``n_respondents``, ``strongest``, ``weakest``.
    ``merged_groups`` are original groups combined into "Other teams";
    ``suppressed_groups`` are original groups not shown at all.
    """

    by: Grouping
    table: pd.DataFrame
    groups: pd.DataFrame
    notes: tuple[str, ...]
    merged_groups: tuple[str, ...]
    suppressed_groups: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class StatementScores:
    """Per-statement results per shown group.

    ``table``: ``group``, ``value_id``, ``statement_id``, ``reverse``,
    ``n_rated`` (missing when hidden), ``mean`` (after flipping reverse-worded
    statements, so higher is better) and ``shown``.
    """

    by: Grouping
    table: pd.DataFrame
    notes: tuple[str, ...]
    merged_groups: tuple[str, ...]
    suppressed_groups: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class LeaderStaffGaps:
    """Leaders vs staff per value; ``table`` is empty when the split may not be shown.

    ``table``: ``value_id``, ``n_leaders``, ``leader_mean``, ``n_staff``,
    ``staff_mean``, ``gap`` (leader mean - staff mean; missing where a side is
    hidden, and then both sides are).
    """

    table: pd.DataFrame
    notes: tuple[str, ...]


# --------------------------------------------------------------------------- validation


def _whole_number(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InputError(f"{name} must be a whole number (got {value!r}).")
    return int(value)


def _check_scale(scale_min: object, scale_max: object) -> tuple[int, int]:
    lo, hi = _whole_number("scale_min", scale_min), _whole_number("scale_max", scale_max)
    if lo >= hi:
        raise InputError(f"The rating scale must run from low to high (got {lo} to {hi}).")
    return lo, hi


def _plural(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def _where(df: pd.DataFrame, bad: np.ndarray) -> tuple[pd.Series, str]:
    """The first offending answer (by value and statement) and a "(3 more ...)" tail."""
    rows = df.loc[bad].sort_values(["value_id", "statement_id"], kind="stable")
    more = len(rows) - 1
    tail = f" ({_plural(more, 'more answer', 'more answers')} like this)" if more else ""
    return rows.iloc[0], tail


@dataclass(frozen=True, eq=False)
class CheckedAnswers:
    """Answers already through :func:`validate_answers` for one scale (make them with :func:`check_answers`).

    A report scores the same answers a dozen ways (everyone, teams, leaders and
    staff, statements, gaps, comments); checking and sorting them each time was
    the larger part of its scoring time.  Every scoring function takes these in
    place of a DataFrame and skips the check; the person scores of one
    disclosure plan are worked out once too.  ``frame`` must not be changed.
    """

    frame: pd.DataFrame
    scale_min: int
    scale_max: int
    _scored: dict[int, tuple[DisclosurePlan, pd.DataFrame]] = field(default_factory=dict, repr=False)
    _rated: dict[tuple[int, tuple[str, ...]], tuple[DisclosurePlan, _Rated]] = field(default_factory=dict,
                                                                                     repr=False)


def check_answers(answers: pd.DataFrame | CheckedAnswers, scale_min: int = 1, scale_max: int = 5) -> CheckedAnswers:
    """:func:`validate_answers` once, for answers that will be scored several ways."""
    lo, hi = _check_scale(scale_min, scale_max)
    if isinstance(answers, CheckedAnswers) and (answers.scale_min, answers.scale_max) == (lo, hi):
        return answers
    return CheckedAnswers(validate_answers(answers, lo, hi), lo, hi)


def _scored(answers: pd.DataFrame | CheckedAnswers, df: pd.DataFrame, plan: DisclosurePlan, lo: int,
            hi: int) -> pd.DataFrame:
    """Person scores of the countable answers ``df`` under ``plan``; remembered on :class:`CheckedAnswers`."""
    if not isinstance(answers, CheckedAnswers):
        return _person_scores(_countable(df, plan), lo, hi)
    known = answers._scored.get(id(plan))
    if known is None or known[0] is not plan:
        known = answers._scored[id(plan)] = (plan, _person_scores(_countable(df, plan), lo, hi))
    return known[1].copy(deep=False)


@dataclass(frozen=True)
class _Rated:
    """What every grouping of one plan's value scores shares: read once, not once per grouping.

    ``scored``: the person scores that have a score; ``people``: one row per
    person (id, team, role); ``reasons``: why each cell of the plan's groups is
    hidden (:func:`workbook.anonymity.suppress_shown_cells`), also as ``hidden``
    (group -> value -> reason) for reading cell by cell.
    """

    scored: pd.DataFrame
    people: pd.DataFrame
    reasons: pd.DataFrame
    hidden: dict[str, dict[str, str]]


def _rated(answers: pd.DataFrame | CheckedAnswers, scores: pd.DataFrame, plan: DisclosurePlan,
           values: list[str]) -> _Rated:
    """:class:`_Rated` for these person scores; remembered on :class:`CheckedAnswers` (same plan, same values)."""
    def made() -> _Rated:
        scored = scores[scores["score"].notna().to_numpy()]
        reasons = _reasons(scored, "value_id", plan, values)
        return _Rated(scored, scores.drop_duplicates("person_id"), reasons,
                      {str(g): {str(k): str(v) for k, v in row.items()}
                       for g, row in reasons.to_dict(orient="index").items()})

    if not isinstance(answers, CheckedAnswers):
        return made()
    key = (id(plan), tuple(values))
    known = answers._rated.get(key)
    if known is None or known[0] is not plan:
        known = answers._rated[key] = (plan, made())
    return known[1]


def validate_answers(answers: pd.DataFrame | CheckedAnswers, scale_min: int = 1, scale_max: int = 5) -> pd.DataFrame:
    """Check the answers table and return a clean copy in a canonical row order.

    Raises :class:`InputError` naming what is wrong: a missing column, an
    empty id, an unknown role, a rating that is not a whole number within the
    scale (naming the statement and value), a ``reverse`` flag that is not
    true/false, a person in two teams or roles, a statement under two values
    or with two ``reverse`` flags, or one person answering a statement twice.

    The copy has the seven answer columns only, ids as strings, ``rating`` as
    nullable ``Int64`` and ``reverse`` as ``bool``, sorted by person, value and
    statement, so that every later result is the same whatever the input's
    row order (floating-point sums depend on it).
    """
    lo, hi = _check_scale(scale_min, scale_max)
    if isinstance(answers, CheckedAnswers):
        if (answers.scale_min, answers.scale_max) == (lo, hi):
            return answers.frame.copy(deep=False)  # copy-on-write: the caller's changes stay its own
        answers = answers.frame
    if not isinstance(answers, pd.DataFrame):
        raise InputError(f"The answers must be a pandas DataFrame (got {type(answers).__name__}).")
    missing = [c for c in ANSWER_COLUMNS if c not in answers.columns]
    if missing:
        raise InputError(
            f"The answers table is missing column(s) {', '.join(missing)}; "
            f"it needs {', '.join(ANSWER_COLUMNS)}."
        )
    df = answers.loc[:, list(ANSWER_COLUMNS)].copy()
    df.index = pd.RangeIndex(len(df))
    _clean_ids(df)
    _clean_ratings(df, lo, hi)
    reverse = df["reverse"]
    if reverse.isna().any() or not reverse.map(lambda v: isinstance(v, bool | np.bool_)).all():
        raise InputError("The reverse column must hold true or false for every answer.")
    df["reverse"] = reverse.astype(bool)
    _check_consistency(df)
    df = df.sort_values(["person_id", "value_id", "statement_id"], kind="stable")
    return df.reset_index(drop=True)


def _clean_ids(df: pd.DataFrame) -> None:
    """Ids present and strings; roles known."""
    for column in _ID_COLUMNS:
        empty = df[column].isna() | (df[column].astype(str).str.strip() == "")
        if empty.any():
            raise InputError(
                f"{_plural(int(empty.sum()), 'answer has', 'answers have')} no {column}; "
                "every answer needs one."
            )
        df[column] = df[column].astype(str)
    unknown_roles = sorted(set(df["role"]) - set(ROLES))
    if unknown_roles:
        raise InputError(
            f"Unknown role(s) {', '.join(repr(r) for r in unknown_roles)}: "
            "each answer's role must be 'leader' or 'staff'."
        )


def _clean_ratings(df: pd.DataFrame, lo: int, hi: int) -> None:
    """Ratings whole numbers within the scale, or missing ("don't know"); stored as Int64."""
    raw = df["rating"]
    if raw.dtype == bool:
        raise InputError(
            'Ratings must be whole numbers, or empty for "don\'t know", not true/false.'
        )
    numeric = pd.to_numeric(raw, errors="coerce")
    values = numeric.to_numpy(dtype=float, na_value=np.nan)
    rated = ~np.isnan(values)
    problems = (
        (raw.notna().to_numpy() & ~rated, "is not a number"),
        (rated & (np.floor(values) != values), "is not a whole number"),
    )
    for bad, what in problems:
        if bad.any():
            first, tail = _where(df, bad)
            raise InputError(
                f"The rating for statement {first['statement_id']} (value {first['value_id']}) "
                f"{what}{tail}; ratings are whole numbers from {lo} to {hi}, or empty for "
                '"don\'t know".'
            )
    outside = rated & ((values < lo) | (values > hi))
    if outside.any():
        first, tail = _where(df.assign(_rating=values), outside)
        raise InputError(
            f"Rating {int(first['_rating'])} for statement {first['statement_id']} "
            f"(value {first['value_id']}) is outside the scale {lo} to {hi}{tail}."
        )
    df["rating"] = pd.array(values, dtype="Int64")


def _check_consistency(df: pd.DataFrame) -> None:
    """One role and team per person, one value and flag per statement, one answer per pair."""
    per_person = df.groupby("person_id")[["role", "team"]].nunique()
    for column in ("role", "team"):
        k = int((per_person[column] > 1).sum())
        if k:
            raise InputError(
                f"{_plural(k, 'person is', 'people are')} listed with more than one {column}; "
                f"each person must have exactly one {column}."
            )
    per_statement = df.groupby("statement_id")[["value_id", "reverse"]].nunique()
    for column, what in (("value_id", "value"), ("reverse", "reverse flag")):
        clashing = per_statement.index[per_statement[column] > 1]
        if len(clashing):
            raise InputError(
                f"Statement {sorted(clashing)[0]} appears with more than one {what}; "
                "each statement belongs to one value and is reverse-worded or not."
            )
    twice = df.duplicated(["person_id", "statement_id"], keep=False)
    if twice.any():
        statement = sorted(df.loc[twice, "statement_id"])[0]
        raise InputError(
            f"Statement {statement} is answered more than once by the same person; "
            "pass one answer per person and statement."
        )


def _points(df: pd.DataFrame, lo: int, hi: int) -> pd.Series:
    """Ratings as floats with reverse-worded ones flipped; NaN for "don't know"."""
    rating = df["rating"].to_numpy(dtype=float, na_value=np.nan)
    flipped = np.where(df["reverse"].to_numpy(dtype=bool), lo + hi - rating, rating)
    return pd.Series(flipped, index=df.index, dtype=float)


def _value_order(present: Sequence[str], value_order: Sequence[str] | None) -> list[str]:
    order = list(VALUE_ORDER if value_order is None else value_order)
    seen = set(present)
    return [v for v in order if v in seen] + sorted(seen - set(order))


def _natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """Sort "A2" before "A10"."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", text)
        if part
    )


# --------------------------------------------------------------------------- person level


def person_value_scores(
    answers: pd.DataFrame, scale_min: int = 1, scale_max: int = 5
) -> pd.DataFrame:
    """Each person's score per value: the mean of their rated statements.

    Returns ``person_id``, ``role``, ``team``, ``value_id``, ``score`` (float;
    NaN when the person rated none of the value's statements) and
    ``n_rated``, one row per person and value present in the answers, sorted
    by person and framework order.  Reverse-worded ratings are flipped and
    "don't know" is left out (see the module docstring for why).

    These are individual results: show them only to the person themself.
    """
    lo, hi = _check_scale(scale_min, scale_max)
    return _person_scores(validate_answers(answers, lo, hi), lo, hi)


def _person_scores(df: pd.DataFrame, lo: int, hi: int) -> pd.DataFrame:
    """:func:`person_value_scores` of answers already validated (and, for group views, made countable)."""
    df = df.assign(points=_points(df, lo, hi))
    people = df.drop_duplicates("person_id").set_index("person_id")
    values = _value_order(df["value_id"].unique().tolist(), None)
    # mean skips "don't know"; count counts rated statements only
    stats = df.groupby(["person_id", "value_id"], sort=False)["points"].agg(["mean", "count"])
    grid = pd.MultiIndex.from_product(
        [people.index.tolist(), values], names=["person_id", "value_id"]
    )
    stats = stats.reindex(grid)
    person = stats.index.get_level_values("person_id")
    out = pd.DataFrame(
        {
            "person_id": pd.Series(person, dtype=str),
            "role": pd.Series(people["role"].reindex(person).to_numpy(), dtype=str),
            "team": pd.Series(people["team"].reindex(person).to_numpy(), dtype=str),
            "value_id": pd.Series(stats.index.get_level_values("value_id"), dtype=str),
            "score": stats["mean"].to_numpy(dtype=float),
            "n_rated": stats["count"].fillna(0).to_numpy(dtype=np.int64),
        }
    )
    return out


# --------------------------------------------------------------------------- group level


def agreement_label(sd: float, scale_min: int = 1, scale_max: int = 5) -> str | None:
    """Say in words how much a group agrees, from the spread of its people's scores.

    The spread is a fraction of the scale width (``scale_max - scale_min``):
    below :data:`HIGH_AGREEMENT_SD` (0.6 on a 1-5 scale) most people sit within
    about half a scale step of the group mean: "high agreement".  From
    :data:`MODERATE_AGREEMENT_SD` (1.0 on 1-5) a typical person is a whole step
    or more away, so the group mean hides real differences: "low agreement".
    In between: "moderate agreement".  Missing spread gives ``None``.
    """
    lo, hi = _check_scale(scale_min, scale_max)
    if sd is None or pd.isna(sd):
        return None
    ratio = float(sd) / (hi - lo)
    if ratio < HIGH_AGREEMENT_SD:
        return "high agreement"
    if ratio < MODERATE_AGREEMENT_SD:
        return "moderate agreement"
    return "low agreement"


def disclosure_plan(answers: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD, *,
                    scale_min: int = 1, scale_max: int = 5) -> DisclosurePlan:
    """The plan of everyone, teams and leaders/staff for these answers (one per view)."""
    df = validate_answers(answers, scale_min, scale_max)
    return _disclosure(df.drop_duplicates("person_id"), check_threshold(threshold), None)


def _disclosure(people: pd.DataFrame, threshold: int, plan: DisclosurePlan | None) -> DisclosurePlan:
    """``plan``, checked against these people, or a new one for them."""
    pairs = list(zip(people["team"].astype(str).tolist(), people["role"].astype(str).tolist(), strict=True))
    if plan is None:
        return plan_groups(pairs, threshold)
    counts: dict[tuple[str, str], int] = {}
    for pair in pairs:
        counts[pair] = counts.get(pair, 0) + 1
    if plan.threshold != threshold or dict(plan.people) != counts:
        raise ValueError("the disclosure plan was made for other respondents or another threshold")
    return plan


def _countable(df: pd.DataFrame, plan: DisclosurePlan) -> pd.DataFrame:
    """``df`` with the ratings :func:`workbook.anonymity.countable_ratings` refuses turned into "don't know"."""
    rated = df["rating"].notna().to_numpy()
    raters = df.loc[rated, ["statement_id", "team", "role"]].rename(columns={"statement_id": "column"})
    keep = countable_ratings(raters, plan)
    if keep.all():
        return df
    drop = np.zeros(len(df), dtype=bool)
    drop[np.flatnonzero(rated)[~keep]] = True
    out = df.copy()
    out.loc[drop, "rating"] = pd.NA
    return out


def countable_answers(answers: pd.DataFrame | CheckedAnswers, threshold: int = DEFAULT_THRESHOLD, *, scale_min: int = 1,
                      scale_max: int = 5, plan: DisclosurePlan | None = None) -> pd.DataFrame:
    """The validated answers every group figure of one view counts (same people, same rows).

    A rating of a statement too few people rated (overall, or within a shown
    team, side, or the leaders or staff of the teams holding both) is turned
    into "don't know", as :func:`group_scores` and :func:`statement_scores` do
    before making any score; a view that counts answers itself (the report's
    distribution of ratings) must count these, or its totals minus the shown
    statements would give those few ratings back.
    """
    df = validate_answers(answers, scale_min, scale_max)
    disclosure = _disclosure(df.drop_duplicates("person_id"), check_threshold(threshold), plan)
    return _countable(df, disclosure)


def _view(people: pd.DataFrame, by: str, plan: DisclosurePlan) -> tuple[dict[str, str], GroupPlan]:
    """Map each respondent to their original group for ``by``, with that grouping's part of the plan."""
    ids = people["person_id"].tolist()
    if by == "overall":
        return {p: OVERALL_LABEL for p in ids}, plan.overall
    if by == "team":
        return dict(zip(ids, people["team"].tolist(), strict=True)), plan.teams
    if by == "role":
        return dict(zip(ids, people["role"].tolist(), strict=True)), plan.roles
    raise InputError(f"Unknown grouping {by!r}: use 'overall', 'role' or 'team'.")


def _reasons(rated: pd.DataFrame, key: str, plan: DisclosurePlan, columns: Sequence[str]) -> pd.DataFrame:
    """Why each cell of the plan's groups is hidden ("" when shown), from who rated what."""
    raters = rated.loc[:, [key, "team", "role"]].rename(columns={key: "column"})
    return suppress_shown_cells(raters, plan, columns)


def _extremes(means: Mapping[str, float]) -> tuple[str | None, str | None]:
    """Strongest and weakest value among shown means (framework order breaks ties).

    Fewer than two shown values, or all of them equal, name neither: calling
    one value both the strongest and the weakest would mislead.
    """
    if len(means) < 2:
        return None, None
    top, bottom = max(means.values()), min(means.values())
    if top - bottom <= _TIE_TOLERANCE:
        return None, None
    strongest = next(v for v, m in means.items() if m >= top - _TIE_TOLERANCE)
    weakest = next(v for v, m in means.items() if m <= bottom + _TIE_TOLERANCE)
    return strongest, weakest


def _cell_lookup(cells: pd.DataFrame, key: str) -> dict[tuple[str, str], tuple[int, float, float]]:
    """(group, key) -> (n, mean, sd) as plain Python numbers."""
    sd = cells["sd"] if "sd" in cells.columns else pd.Series(math.nan, index=cells.index)
    return {
        (str(g), str(k)): (int(n), float(m), float(d))
        for g, k, n, m, d in zip(
            cells["group"].tolist(),
            cells[key].tolist(),
            cells["n"].tolist(),
            cells["mean"].tolist(),
            sd.tolist(),
            strict=True,
        )
    }


_TABLE_COLUMNS: Final = ("group", "value_id", "n_people", "mean", "sd", "agreement", "shown")
_GROUP_COLUMNS: Final = ("group", "n_respondents", "strongest", "weakest")


def group_scores(
    answers: pd.DataFrame | CheckedAnswers,
    by: Grouping = "overall",
    *,
    threshold: int = DEFAULT_THRESHOLD,
    scale_min: int = 1,
    scale_max: int = 5,
    value_order: Sequence[str] | None = None,
    plan: DisclosurePlan | None = None,
) -> GroupedScores:
    """Mean, spread and agreement of person scores per value, for each shown group.

    ``by`` is ``"overall"`` (everyone), ``"team"`` (small teams pooled as
    "Other teams") or ``"role"`` (leaders and staff, shown only when both
    reach the threshold).  The spread is the sample standard deviation of the
    person scores, labelled by :func:`agreement_label`.  A cell is shown only
    when ``threshold`` people have a score for that value, and further cells
    are hidden when the hidden ones could be worked out from the totals.

    Each shown group also gets its strongest and weakest value among its shown
    cells; a tie (within 1e-9) goes to the value first in framework order
    (A, E, I, O, U, or ``value_order``).
    """
    t = check_threshold(threshold)
    lo, hi = _check_scale(scale_min, scale_max)
    df = validate_answers(answers, lo, hi)
    disclosure = _disclosure(df.drop_duplicates("person_id"), t, plan)
    scores = _scored(answers, df, disclosure, lo, hi)
    values = _value_order(scores["value_id"].unique().tolist(), value_order)
    rated = _rated(answers, scores, disclosure, values)  # shared by the overall, team and role views
    membership, view = _view(rated.people, by, disclosure)
    label = {person: view.label_for(group) for person, group in membership.items()}

    scored = rated.scored.assign(group=rated.scored["person_id"].map(label))
    cells = (
        scored[scored["group"].notna().to_numpy()]
        .groupby(["group", "value_id"], sort=True)["score"]
        .agg(n="count", mean="mean", sd="std")
        .reset_index()
    )
    lookup = _cell_lookup(cells, "value_id")
    reasons = rated.reasons

    rows: list[dict[str, object]] = []
    summary: list[dict[str, object]] = []
    for group in view.groups:
        shown_means: dict[str, float] = {}
        for value in values:
            cell = lookup.get((group, value))
            visible = rated.hidden[group][value] == "" and cell is not None
            n, mean, sd = cell if visible and cell is not None else (0, math.nan, math.nan)
            if visible:
                shown_means[value] = mean
            rows.append(
                {
                    "group": group,
                    "value_id": value,
                    "n_people": n if visible else pd.NA,
                    "mean": mean,
                    "sd": sd,
                    "agreement": agreement_label(sd, lo, hi) if visible else None,
                    "shown": visible,
                }
            )
        strongest, weakest = _extremes(shown_means)
        summary.append(
            {
                "group": group,
                "n_respondents": view.sizes[group],
                "strongest": strongest,
                "weakest": weakest,
            }
        )
    return GroupedScores(
        by=by,
        table=_typed_table(
            rows, _TABLE_COLUMNS, {"n_people": "Int64", "mean": float, "sd": float, "shown": bool}
        ),
        groups=_typed_table(summary, _GROUP_COLUMNS, {"n_respondents": "int64"}),
        notes=view.notes + cell_notes(reasons, view.groups, t),
        merged_groups=view.merged,
        suppressed_groups=view.suppressed,
    )


def _typed_table(
    rows: list[dict[str, object]], columns: Sequence[str], dtypes: Mapping[str, object]
) -> pd.DataFrame:
    """Build a table with fixed columns and dtypes, also when it has no rows (text by default)."""
    data = {
        column: pd.Series([row[column] for row in rows], dtype=dtypes.get(column, "str"))  # type: ignore[call-overload]
        for column in columns
    }
    return pd.DataFrame(data)


_STATEMENT_COLUMNS: Final = (
    "group",
    "value_id",
    "statement_id",
    "reverse",
    "n_rated",
    "mean",
    "shown",
)


def statement_scores(
    answers: pd.DataFrame | CheckedAnswers,
    by: Grouping = "overall",
    *,
    threshold: int = DEFAULT_THRESHOLD,
    scale_min: int = 1,
    scale_max: int = 5,
    value_order: Sequence[str] | None = None,
    plan: DisclosurePlan | None = None,
) -> StatementScores:
    """Mean rating per statement for each shown group (reverse-worded ones flipped).

    A cell is shown only when at least ``threshold`` people rated the
    statement ("don't know" does not count), with the same pooling, split and
    differencing rules as :func:`group_scores`.  Rows come in framework order,
    then statement order ("A2" before "A10").
    """
    t = check_threshold(threshold)
    lo, hi = _check_scale(scale_min, scale_max)
    df = validate_answers(answers, lo, hi)
    people = df.drop_duplicates("person_id")
    disclosure = _disclosure(people, t, plan)
    df = _countable(df, disclosure)
    df["points"] = _points(df, lo, hi)
    values = _value_order(df["value_id"].unique().tolist(), value_order)
    rank = {v: i for i, v in enumerate(values)}
    statements = df.drop_duplicates("statement_id").loc[:, ["statement_id", "value_id", "reverse"]]
    info = {str(r.statement_id): r for r in statements.itertuples(index=False)}
    order = sorted(info, key=lambda s: (rank[str(info[s].value_id)], _natural_key(s)))
    membership, view = _view(people, by, disclosure)

    rated = df.dropna(subset=["points"]).copy()
    reasons = _reasons(rated, "statement_id", disclosure, order)
    rated["group"] = rated["person_id"].map(lambda p: view.label_for(membership[p]))
    cells = (
        rated.dropna(subset=["group"])
        .groupby(["group", "statement_id"], sort=True)["points"]
        .agg(n="count", mean="mean")
        .reset_index()
    )
    lookup = _cell_lookup(cells, "statement_id")

    rows: list[dict[str, object]] = []
    for group in view.groups:
        for statement in order:
            cell = lookup.get((group, statement))
            visible = reasons.at[group, statement] == "" and cell is not None
            n, mean, _ = cell if visible and cell is not None else (0, math.nan, math.nan)
            rows.append(
                {
                    "group": group,
                    "value_id": str(info[statement].value_id),
                    "statement_id": statement,
                    "reverse": bool(info[statement].reverse),
                    "n_rated": n if visible else pd.NA,
                    "mean": mean,
                    "shown": visible,
                }
            )
    return StatementScores(
        by=by,
        table=_typed_table(
            rows,
            _STATEMENT_COLUMNS,
            {"reverse": bool, "n_rated": "Int64", "mean": float, "shown": bool},
        ),
        notes=view.notes
        + cell_notes(reasons, view.groups, t, item="statement result", items="statement results"),
        merged_groups=view.merged,
        suppressed_groups=view.suppressed,
    )


# --------------------------------------------------------------------------- gaps


_GAP_COLUMNS: Final = ("value_id", "n_leaders", "leader_mean", "n_staff", "staff_mean", "gap")


def leader_staff_gaps(
    answers: pd.DataFrame | CheckedAnswers,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    scale_min: int = 1,
    scale_max: int = 5,
    value_order: Sequence[str] | None = None,
    plan: DisclosurePlan | None = None,
) -> LeaderStaffGaps:
    """Leader mean - staff mean per value: where leaders see the culture differently.

    A positive gap means leaders rate the value higher than staff do.  The
    comparison is shown only when both leaders and staff reach the threshold
    (otherwise ``table`` is empty and ``notes`` says why); a value where
    either side's cell is hidden has no gap.
    """
    split = group_scores(
        answers,
        "role",
        threshold=threshold,
        scale_min=scale_min,
        scale_max=scale_max,
        value_order=value_order,
        plan=plan,
    )
    cells = {(r["group"], r["value_id"]): r for r in split.table.to_dict("records")}
    values = [v for (g, v) in cells if g == "leader"]
    rows: list[dict[str, object]] = []
    for value in values:
        leader, staff = cells[("leader", value)], cells[("staff", value)]
        both = bool(leader["shown"]) and bool(staff["shown"])
        leader_mean = float(leader["mean"]) if both else math.nan
        staff_mean = float(staff["mean"]) if both else math.nan
        rows.append(
            {
                "value_id": str(value),
                "n_leaders": leader["n_people"] if both else pd.NA,
                "leader_mean": leader_mean,
                "n_staff": staff["n_people"] if both else pd.NA,
                "staff_mean": staff_mean,
                "gap": leader_mean - staff_mean if both else math.nan,
            }
        )
    gap_types = {
        "n_leaders": "Int64",
        "leader_mean": float,
        "n_staff": "Int64",
        "staff_mean": float,
        "gap": float,
    }
    return LeaderStaffGaps(table=_typed_table(rows, _GAP_COLUMNS, gap_types), notes=split.notes)


_PERSON_COLUMNS: Final = ("value_id", "score", "n_rated", "group_mean", "gap")


# --------------------------------------------------------------------------- comments


def group_comments(
    answers: pd.DataFrame | CheckedAnswers,
    comments: pd.DataFrame,
    by: Grouping = "overall",
    *,
    threshold: int = DEFAULT_THRESHOLD,
    comment_threshold: int | None = None,
    scale_min: int = 1,
    scale_max: int = 5,
) -> SelectedComments:
    """Free-text comments per shown group, with nothing that points to their author.

    ``comments`` has ``person_id`` and ``text`` and may have ``statement_id``;
    every author must be among the respondents in ``answers``, which decide
    the groups.  Groups are planned with ``comment_threshold`` (default
    ``threshold``, never lower), and a comment keeps its statement only when
    at least that many people in its group rated the statement.  See
    :func:`workbook.anonymity.select_comments`.
    """
    ct = check_comment_threshold(comment_threshold, threshold)
    lo, hi = _check_scale(scale_min, scale_max)
    if not isinstance(comments, pd.DataFrame):
        raise InputError(
            f"The comments must be a pandas DataFrame (got {type(comments).__name__})."
        )
    df = validate_answers(answers, lo, hi)
    people = df.drop_duplicates("person_id")
    pairs = list(zip(people["team"].tolist(), people["role"].tolist(), strict=True))
    # The same rule at the comment threshold.  Planned like the scores (teams next to leaders/staff),
    # so that with equal thresholds "Other teams" holds the same teams in both.
    disclosure = plan_groups(pairs, ct)
    membership, plan = _view(people, by, disclosure)
    rated = df.dropna(subset=["rating"]).copy()
    rated["group"] = rated["person_id"].map(lambda p: plan.label_for(membership[p]))
    raters = (
        rated.dropna(subset=["group"]).groupby(["group", "statement_id"])["person_id"].nunique()
    )
    statement_raters = {
        (str(key[0]), str(key[1])): int(n)
        for key, n in zip(raters.index.tolist(), raters.tolist(), strict=True)
    }
    return select_comments(comments, membership, plan, ct, statement_raters=statement_raters)
