"""What may be shown about a group without exposing the people in it.

Nobody answers honestly about their leaders if a score can be traced back to
them.  This module decides, from head counts alone, which groups and which
cells a report or app may show; :mod:`workbook.scoring` computes the numbers
and passes everything group-level through here.

The rules, and why:

* **Threshold.**  A group with fewer distinct people than ``threshold``
  (default 5, the organisation's own setting is passed in) is never shown.
  The threshold must be a whole number of at least 2: a "group" of one is a
  person, and a spread needs two.
* **Differences must be safe too.**  Survey tools learned the hard way that a
  hidden small group can be back-calculated from two larger ones (a team's
  score = the organisation - the rest).  So for a partition (teams) small
  groups are pooled into "Other teams"; if that pool is still small, the
  smallest shown groups join it until it reaches the threshold.  Then the
  organisation minus the sum of the shown groups is always either nobody or a
  group of at least ``threshold`` people.
* **Two-way splits are all or nothing.**  Showing leaders next to the
  organisation overall reveals staff, so leaders vs staff is shown only when
  both sides reach the threshold.
* **Cells.**  A cell (group x value or group x statement) is shown only when at
  least ``threshold`` people gave a rating ("don't know" does not count).  When
  hiding a cell would still let it be worked out from the overall figure minus
  the other shown cells of that column, one more cell is hidden.
* **Comments** are more identifying than numbers (wording, topics), so their
  threshold is at least the score threshold.  They carry only the group label,
  come in a fixed order that says nothing about who wrote them (sorted by
  text), and lose their statement when that statement's cell is too small.

Every decision is explained in plain sentences (``notes``) that reports and
apps show, so readers know what was merged or left out and why.

Not covered here (callers must not create these openings): differences between
two *different* partitions (e.g. a team made up only of leaders, next to the
leaders' score) and differences between two survey cycles with a changed
membership.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import numpy as np
import pandas as pd

from workbook.errors import InputError

__all__ = [
    "DEFAULT_THRESHOLD",
    "OVERALL_LABEL",
    "POOL_LABEL",
    "CellSuppression",
    "GroupPlan",
    "SelectedComments",
    "check_comment_threshold",
    "check_threshold",
    "plan_overall",
    "plan_partition",
    "plan_split",
    "select_comments",
    "suppress_cells",
]

DEFAULT_THRESHOLD: Final = 5
"""Fewest distinct people a shown group or cell may have, unless the organisation sets another."""

POOL_LABEL: Final = "Other teams"
"""Label of the group that small teams are combined into."""

OVERALL_LABEL: Final = "All respondents"
"""Label of the one group that holds everyone."""


def check_threshold(threshold: object) -> int:
    """Return ``threshold`` as an ``int``, or raise :class:`InputError`.

    A threshold below 2 would show single people's answers, and a bool or a
    fraction is almost certainly a mistake in the organisation's settings.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer):
        raise InputError(
            f"The anonymity threshold must be a whole number of at least 2 (got {threshold!r})."
        )
    if threshold < 2:
        raise InputError(
            f"The anonymity threshold must be at least 2 (got {threshold}): "
            "a smaller group would show one person's answers."
        )
    return int(threshold)


def check_comment_threshold(comment_threshold: object, threshold: object) -> int:
    """Return the comment threshold (``threshold`` when ``None``), or raise :class:`InputError`.

    Comments identify people more easily than numbers do, so their threshold
    may be higher than the score threshold but never lower.
    """
    score_threshold = check_threshold(threshold)
    if comment_threshold is None:
        return score_threshold
    if isinstance(comment_threshold, bool) or not isinstance(comment_threshold, int | np.integer):
        raise InputError(
            f"The comment threshold must be a whole number (got {comment_threshold!r})."
        )
    if comment_threshold < score_threshold:
        raise InputError(
            f"The comment threshold ({comment_threshold}) cannot be lower than the anonymity "
            f"threshold ({score_threshold}): comments identify people at least as easily as scores."
        )
    return int(comment_threshold)


@dataclass(frozen=True)
class GroupPlan:
    """Which groups may be shown, under which label, and why.

    ``groups`` are the labels to show, in display order; ``sizes`` gives the
    number of distinct people behind each shown label; ``members`` maps every
    original group that is shown (on its own or inside the pool) to its label.
    ``merged`` lists original groups combined into the pool; ``suppressed``
    lists original groups not shown at all.
    """

    threshold: int
    groups: tuple[str, ...]
    sizes: Mapping[str, int]
    members: Mapping[str, str]
    merged: tuple[str, ...]
    suppressed: tuple[str, ...]
    notes: tuple[str, ...]

    def label_for(self, group: str) -> str | None:
        """The label under which ``group``'s people are shown, or ``None`` if they are not."""
        return self.members.get(group)


@dataclass(frozen=True, eq=False)
class CellSuppression:
    """Which cells of a group x item table may be shown.

    ``shown`` has the same index and columns as the counts it was made from.
    ``primary`` counts cells hidden for having too few raters, ``secondary``
    cells hidden only so that the first ones cannot be worked out.
    """

    shown: pd.DataFrame
    primary: int
    secondary: int
    notes: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class SelectedComments:
    """Comments safe to show: columns ``group``, ``statement_id`` (may be missing), ``text``."""

    table: pd.DataFrame
    notes: tuple[str, ...]


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def _check_sizes(sizes: Mapping[str, int]) -> dict[str, int]:
    checked: dict[str, int] = {}
    for group, size in sizes.items():
        if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 0:
            raise InputError(f"Group sizes must be whole numbers of 0 or more (got {size!r}).")
        if size > 0:
            checked[str(group)] = int(size)
    return checked


def _plan(
    threshold: int,
    groups: Sequence[str] = (),
    sizes: Mapping[str, int] | None = None,
    members: Mapping[str, str] | None = None,
    merged: Sequence[str] = (),
    suppressed: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> GroupPlan:
    return GroupPlan(
        threshold=threshold,
        groups=tuple(groups),
        sizes=MappingProxyType(dict(sizes or {})),
        members=MappingProxyType(dict(members or {})),
        merged=tuple(merged),
        suppressed=tuple(suppressed),
        notes=tuple(notes),
    )


def _nothing_shown(threshold: int, present: Mapping[str, int]) -> GroupPlan | None:
    """The plan for too few people overall, or ``None`` when there are enough."""
    total = sum(present.values())
    if total >= threshold:
        return None
    note = (
        "Nothing is shown yet: no one has responded."
        if total == 0
        else f"Nothing is shown: fewer than {threshold} people have responded."
    )
    return _plan(threshold, suppressed=sorted(present), notes=[note])


def plan_overall(n_people: int, threshold: int, *, label: str = OVERALL_LABEL) -> GroupPlan:
    """Plan for one group holding everyone: shown only with ``threshold`` people or more."""
    t = check_threshold(threshold)
    present = _check_sizes({label: n_people})
    nothing = _nothing_shown(t, present)
    if nothing is not None:
        return nothing
    return _plan(t, groups=[label], sizes=present, members={label: label})


def plan_partition(
    sizes: Mapping[str, int],
    threshold: int,
    *,
    noun: str = "team",
    plural: str = "teams",
    pool_label: str = POOL_LABEL,
) -> GroupPlan:
    """Plan for groups that split everyone (teams), pooling small ones.

    Groups below the threshold go into ``pool_label``.  If the pool itself is
    below the threshold, the smallest shown groups join it (ties: alphabetical
    order) until it reaches the threshold, because a small pool shown next to
    the overall figure could be back-calculated.  If that leaves no group to
    show on its own, nothing is shown by group.  Shown groups come in
    alphabetical order with the pool last.

    Afterwards the people of every shown label add up to everyone, so
    "overall minus the shown groups" is always empty.
    """
    t = check_threshold(threshold)
    present = _check_sizes(sizes)
    if pool_label in present:
        raise InputError(
            f"A {noun} is named '{pool_label}', which is reserved for combining small "
            f"{plural}; please rename that {noun}."
        )
    nothing = _nothing_shown(t, present)
    if nothing is not None:
        return nothing

    ordered = sorted(present)
    own = [g for g in ordered if present[g] >= t]
    pool = [g for g in ordered if present[g] < t]
    notes: list[str] = []
    if pool:
        notes.append(
            f"{plural.capitalize()} with fewer than {t} respondents "
            f"({_count(len(pool), noun, plural)}) are combined as '{pool_label}'."
        )
        pool_size = sum(present[g] for g in pool)
        extra: list[str] = []
        for group in sorted(own, key=lambda g: (present[g], g)):
            if pool_size >= t:
                break
            extra.append(group)
            pool_size += present[group]
        own = [g for g in own if g not in extra]
        if extra and own:
            verb = "is" if len(extra) == 1 else "are"
            notes.append(
                f"{_count(len(extra), noun, plural)} with {t} or more respondents {verb} also "
                f"included in '{pool_label}' so that it has at least {t} respondents."
            )
        pool = sorted(pool + extra)

    if not own:
        return _plan(
            t,
            suppressed=ordered,
            notes=[
                f"Results are not shown by {noun}: no {noun} can be shown on its own while "
                f"every shown group keeps {t} or more respondents."
            ],
        )

    groups = [*own, pool_label] if pool else own
    shown_sizes = {g: present[g] for g in own}
    members = {g: g for g in own}
    if pool:
        shown_sizes[pool_label] = sum(present[g] for g in pool)
        members.update({g: pool_label for g in pool})
    return _plan(t, groups=groups, sizes=shown_sizes, members=members, merged=pool, notes=notes)


def plan_split(
    sizes: Mapping[str, int],
    threshold: int,
    *,
    subject: str = "Leaders and staff",
    plurals: Mapping[str, str] | None = None,
) -> GroupPlan:
    """Plan for a comparison of a few fixed sides (leaders vs staff): all sides or none.

    Every key of ``sizes`` is a side that must reach the threshold, including
    sides with nobody in them.  Pooling makes no sense here (it would merge
    the very groups being compared), and one side shown next to the overall
    figure reveals the other, so the split is shown only when every side
    reaches the threshold.  ``plurals`` names the sides in notes
    (``{"leader": "leaders"}``); sides are shown in the order of ``sizes``.
    """
    t = check_threshold(threshold)
    present = _check_sizes(sizes)
    nothing = _nothing_shown(t, present)
    if nothing is not None:
        return nothing
    names = dict(plurals or {})
    small = [str(g) for g, n in sizes.items() if n < t]
    if small:
        reasons = " and ".join(f"fewer than {t} {names.get(g, g)}" for g in small)
        return _plan(
            t,
            suppressed=sorted(present),
            notes=[f"{subject} are not compared: {reasons} have responded."],
        )
    groups = [str(g) for g in sizes]
    return _plan(t, groups=groups, sizes=present, members={g: g for g in groups})


def suppress_cells(
    counts: pd.DataFrame,
    totals: Mapping[str, int] | pd.Series,
    threshold: int,
    *,
    item: str = "score",
    items: str = "scores",
) -> CellSuppression:
    """Decide which cells of a shown-groups x items table may be shown.

    ``counts`` holds, per shown group (rows, in display order) and item
    (columns), how many distinct people gave a rating.  ``totals`` holds the
    same count over everyone, which is what the overall figure is built from.

    A cell is shown when it has at least ``threshold`` raters.  Then, per
    column, if the overall figure is shown and the raters outside the shown
    cells number between 1 and ``threshold - 1``, the overall figure minus the
    shown cells would describe those few people, so one more cell is hidden:
    the one with fewest raters (ties: the last in display order, usually the
    pool).  One is enough, as it adds at least ``threshold`` people to the
    hidden remainder.
    """
    t = check_threshold(threshold)
    n = counts.to_numpy(dtype=np.int64, na_value=0)
    visible = n >= t
    primary = int((~visible).sum())
    secondary = 0
    for j, column in enumerate(counts.columns):
        total = int(totals.get(column, 0) or 0)
        if int(n[:, j].sum()) > total:
            raise ValueError(f"cell counts for {column!r} exceed its total of {total}")
        rows = np.flatnonzero(visible[:, j])
        if total < t or rows.size == 0:
            continue
        hidden = total - int(n[rows, j].sum())
        if 0 < hidden < t:
            pick = min(rows.tolist(), key=lambda i: (int(n[i, j]), -i))
            visible[pick, j] = False
            secondary += 1
    shown = pd.DataFrame(visible, index=counts.index, columns=counts.columns)

    notes: list[str] = []
    if primary:
        verb, pronoun = ("is", "it") if primary == 1 else ("are", "them")
        notes.append(
            f"{_count(primary, item, items)} {verb} hidden because fewer than {t} people "
            f"rated {pronoun}."
        )
    if secondary:
        verb = "is" if secondary == 1 else "are"
        notes.append(
            f"{_count(secondary, 'more ' + item, 'more ' + items)} {verb} hidden so that hidden "
            f"{items} cannot be worked out from the totals."
        )
    return CellSuppression(shown=shown, primary=primary, secondary=secondary, notes=tuple(notes))


_COMMENT_COLUMNS: Final = ("group", "statement_id", "text")


def select_comments(
    comments: pd.DataFrame,
    membership: Mapping[str, str],
    plan: GroupPlan,
    comment_threshold: int,
    *,
    statement_raters: Mapping[tuple[str, str], int] | None = None,
) -> SelectedComments:
    """Keep only comments that cannot be traced to a small group, without who wrote them.

    ``comments`` has ``person_id`` and ``text`` and may have ``statement_id``;
    ``membership`` maps each respondent to their original group (team, role
    or the overall label); ``plan`` must have been made with a threshold of at
    least ``comment_threshold``.  ``statement_raters`` counts, per shown group
    label and statement, the people who rated it: a comment keeps its
    statement only when that count reaches ``comment_threshold``, otherwise it
    is shown with the group alone.

    The result has the group label, the statement (or missing) and the text,
    sorted by group (display order), statement and text, so the order says
    nothing about who wrote what or when.  Blank comments are dropped.
    """
    ct = check_threshold(comment_threshold)
    if plan.threshold < ct:
        raise InputError(
            f"Comments need groups planned with at least the comment threshold ({ct}); "
            f"this plan used {plan.threshold}."
        )
    missing = [c for c in ("person_id", "text") if c not in comments.columns]
    if missing:
        raise InputError(
            f"The comments table is missing column(s): {', '.join(missing)}. "
            "Expected person_id, text and optionally statement_id."
        )
    raters = dict(statement_raters or {})
    has_statement = "statement_id" in comments.columns
    unknown = 0
    detached = 0
    rows: list[tuple[str, str | None, str]] = []
    for record in comments.to_dict("records"):
        person = record["person_id"]
        original = membership.get(str(person)) if not pd.isna(person) else None
        if original is None:
            unknown += 1
            continue
        label = plan.label_for(original)
        if label is None or plan.sizes.get(label, 0) < ct:
            continue
        raw_text = record["text"]
        text = "" if raw_text is None or pd.isna(raw_text) else str(raw_text).strip()
        if not text:
            continue
        statement: str | None = None
        raw_statement = record.get("statement_id") if has_statement else None
        if raw_statement is not None and not pd.isna(raw_statement):
            if raters.get((label, str(raw_statement)), 0) >= ct:
                statement = str(raw_statement)
            else:
                detached += 1
        rows.append((label, statement, text))
    if unknown:
        raise InputError(
            f"{_count(unknown, 'comment comes', 'comments come')} from someone who is not among "
            "the respondents; pass only comments from submitted responses."
        )

    order = {g: i for i, g in enumerate(plan.groups)}
    rows.sort(key=lambda r: (order[r[0]], r[1] is not None, r[1] or "", r[2]))
    table = pd.DataFrame(rows, columns=list(_COMMENT_COLUMNS))
    if table.empty:
        table = pd.DataFrame({c: pd.Series(dtype="str") for c in _COMMENT_COLUMNS})
    notes = list(plan.notes)
    if detached:
        verb, whose = ("is", "its") if detached == 1 else ("are", "their")
        notes.append(
            f"{_count(detached, 'comment', 'comments')} {verb} shown without {whose} statement "
            f"because fewer than {ct} people in the group rated it."
        )
    return SelectedComments(table=table, notes=tuple(notes))
