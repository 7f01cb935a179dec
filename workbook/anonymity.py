"""What may be shown about groups of people without exposing anyone in them: the one rule.

Nobody answers honestly about their leaders if a score can be traced back to
them.  Every view that shows group figures (the report and its JSON, the
workshop's live panel and profile, the charter's evidence, a respondent's own
results) gets them from :mod:`workbook.scoring`, which asks this module which
groups and which cells may be shown; the live participation table asks it which
teams may be listed.  The rule depends on head counts only.

The rule, and why:

* **Threshold.**  No shown group or cell has fewer distinct people than
  ``threshold`` (default 5; the organisation's own setting is passed in).  It
  is a whole number from 3 to 50, the one rule of
  :func:`workbook.settings.check_threshold` (a "group" of one or two is a
  person or a pair who can tell each other's answers apart).
* **Differences of shown groups.**  A shown mean times its (shown) count is a
  sum over the group's people, so any combination of shown groups - "leaders
  minus team E", "everyone minus the shown teams" - is itself a figure anyone
  can compute.  One person is exposed when their indicator vector lies in the
  span of the shown groups' indicator vectors; a set of 2 to ``threshold - 1``
  people when its indicator does.  Checking pairwise differences is not
  enough.  The groups shown together are everyone, a partition into teams
  (small teams pooled as "Other teams") and a two-way split (leaders, staff).
  For that shape the span condition has an exact, cheap form (see
  :func:`split_shortfall`): every shown block (team or pool) has ``threshold``
  people or more; both sides of the split do; and, counting only the blocks
  that hold people of both sides, the leaders in them and the staff in them
  each number 0 or ``threshold`` or more.  (Example: team E is 6 leaders and
  team A's only member is a leader; showing "Leaders (7)" next to "Team E (6)"
  gives her answers as 7 x leaders - 6 x team E.  Here the mixed blocks hold one
  leader, which the rule refuses.)
* **Suppress or pool, keeping the most.**  :func:`plan_groups` pools teams
  (small ones first, then the shown team whose pooling removes most of the
  shortfall, the smallest on a tie) until the rule holds, once without and
  once with the leaders/staff split, and keeps the option whose shown groups
  carry the most independent figures (the rank of their indicator vectors),
  then the one with more groups.  Deterministic: ties go by size, then name.
* **Cells.**  A value or statement is rated by fewer people than answered
  ("don't know" does not count), so each column is checked again on its own
  raters: a cell needs ``threshold`` raters; a team cell is hidden when the
  hidden remainder could be worked out (:func:`suppress_cells`); and a column's
  leaders/staff cells are hidden together when the rule above fails on that
  column's raters (:func:`suppress_shown_cells`).
* **Sparse statements.**  A value score averages a person's rated
  statements, so a statement's ratings move the value figures of every group
  its raters are in, even where its own cell is hidden: a value mean next to
  the other statements' shown means would give a few raters' answers away.
  So before any score is made, a statement's ratings count only where no set
  of people the view lets anyone compute holds 1 to ``threshold - 1`` of its
  raters: everyone, each shown team or pool, each side, and the leaders (and
  the staff) of the teams holding raters of both sides.  The smallest such
  groups of raters are dropped (whole team x side blocks) until that holds
  (:func:`countable_ratings`); what is dropped counts as "don't know" in
  every figure of the view (value scores, gaps, strongest/weakest, heatmap,
  distribution, JSON).  Per group and not only overall, because a statement
  rated by 6 people but by 1 in team B still moves team B's value mean by
  that one rating.  The result depends on head counts only, never on the
  ratings, so it says nothing itself.
* **Comments** are more identifying than numbers (wording, topics), so they
  follow the same rule at their own threshold, which is at least the score
  threshold.  They carry only the group label, come sorted by text so their
  order says nothing about who wrote them, and lose their statement when that
  statement's cell is too small.

Every decision is explained in plain sentences (``notes``) that reports and
apps show, so readers know what was combined or left out and why.

Differences between two *versions* of a view made at different times:

* The live views (workshop profile, a respondent's results, the charter's
  evidence) show only everyone's figure, counted in whole batches of the
  threshold (:func:`workbook.dataset.answers_in_whole_batches`), so two looks
  differ by ``threshold`` people or more; they show no team or leaders/staff
  figure at all.
* Reports: every report handed out records the people behind each group it
  showed, and a later version of the cycle holds back answers until each
  group differs from the group of the same label (everyone, a team, "Other
  teams", leaders, staff) in every recorded version, and from any recorded
  group it holds or lies within, by 0 or ``threshold`` or more people
  (:mod:`workbook.releases`).  Answers stay under the team and role their
  person had when submitting, so a re-import moves nothing.
* Not covered: two groups of different labels in two versions that overlap
  only in part (team A then; "Other teams" now holding some of A and others),
  whose difference mixes people who joined with people who left; a dry run (``load_report`` without
  ``release``, a notebook run by hand on another database) records nothing;
  and a sparse statement's ratings, dropped in one version and counted in the
  next, move that version's figures together with the ``threshold`` or more
  people the new batch adds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import numpy as np
import pandas as pd

from workbook.errors import InputError
from workbook.settings import check_threshold

__all__ = [
    "COMBINED_NOTE",
    "OVERALL_LABEL",
    "POOL_LABEL",
    "ROLE_PLURALS",
    "SIDES",
    "CellSuppression",
    "DisclosurePlan",
    "GroupPlan",
    "SelectedComments",
    "cell_notes",
    "check_comment_threshold",
    "countable_ratings",
    "plan_groups",
    "plan_overall",
    "plan_partition",
    "plan_split",
    "select_comments",
    "split_shortfall",
    "suppress_cells",
    "suppress_shown_cells",
]


POOL_LABEL: Final = "Other teams"
"""Label of the group that small teams are combined into."""

OVERALL_LABEL: Final = "All respondents"
"""Label of the one group that holds everyone."""

SIDES: Final = ("leader", "staff")
"""The two sides of the split shown next to the teams, in display order."""

ROLE_PLURALS: Final = MappingProxyType({"leader": "leaders", "staff": "staff"})
"""How notes name the people of each side."""

COMBINED_NOTE: Final = "Some groups are combined so that no one's answers can be worked out."
"""The plain sentence a reader sees whenever pooling went beyond the smallest teams."""


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
    """Comments safe to show: columns ``group``, ``statement_id`` (may be missing), ``text``.

    ``merged`` lists the original groups shown together as the pool.
    """

    table: pd.DataFrame
    notes: tuple[str, ...]
    merged: tuple[str, ...] = ()


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


def _merged(counts: Sequence[Mapping[str, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for block in counts:
        for side, n in block.items():
            out[side] = out.get(side, 0) + n
    return out


def split_shortfall(blocks: Sequence[Mapping[str, int]], threshold: int,
                    sides: Sequence[str] = SIDES) -> int:
    """How many people short of safe a two-way split is next to a partition (0: safe).

    ``blocks`` are the shown blocks of the partition (each a mapping side ->
    people; together they cover everyone, as shown teams plus the pool do) and
    the split's sides each already have ``threshold`` people or more.  With a
    partition f and a split g shown, every computable set is z = f(block) +
    g(side) on the block x side cells that hold people.  For a 0/1 z: where a
    block holds both sides, z(block, leader) - z(block, staff) is the same
    number d for all such *mixed* blocks.  d = 0 gives unions of whole blocks
    (safe: blocks are big); d = 1 gives the leaders of all mixed blocks, plus
    any whole blocks holding one side only; d = -1 the same for staff.  So the
    only new small sets are "the leaders of the mixed blocks" and "the staff of
    the mixed blocks": each must be empty or reach the threshold.  The
    property test checks this against the rank test on random organisations.
    """
    if len(sides) != 2:
        raise ValueError("the differencing rule here is for a split into exactly two sides")
    mixed = [b for b in blocks if all(b.get(side, 0) > 0 for side in sides)]
    short = 0
    for side in sides:
        n = sum(b.get(side, 0) for b in mixed)
        if 0 < n < threshold:
            short += threshold - n
    return short


def _pool_teams(counts: Mapping[str, Mapping[str, int]], threshold: int,
                split: bool) -> tuple[list[str], list[str], list[str]]:
    """Teams shown on their own and teams pooled, so that the rule holds (see the module docstring).

    Small teams are pooled first.  Then, while the pool is small or (with the
    split shown) :func:`split_shortfall` is not 0, one more shown team joins
    the pool: the one leaving the smallest shortfall, the smallest team on a
    tie, then the alphabetically first.  Without the split this is the old
    "smallest teams join the pool until it is big enough".  Returns the shown
    teams, the pooled teams, and the big teams pooled for the split's sake.
    """
    ordered = sorted(counts)
    size = {g: sum(counts[g].values()) for g in ordered}
    own = [g for g in ordered if size[g] >= threshold]
    pool = [g for g in ordered if size[g] < threshold]

    def shortfall(shown: Sequence[str], pooled: Sequence[str]) -> int:
        blocks = [dict(counts[g]) for g in shown]
        if pooled:
            blocks.append(_merged([counts[g] for g in pooled]))
        short = sum(threshold - n for n in (sum(b.values()) for b in blocks) if 0 < n < threshold)
        return short + (split_shortfall(blocks, threshold) if split else 0)

    for_split: list[str] = []
    while own and shortfall(own, pool):
        pool_size = sum(size[g] for g in pool)
        smallest = min(own, key=lambda g: (size[g], g))  # what topping up the pool alone would take
        move = min(own, key=lambda g: (shortfall([o for o in own if o != g], [*pool, g]), size[g], g))
        own.remove(move)
        pool.append(move)
        if not (0 < pool_size < threshold and move == smallest):
            for_split.append(move)
    return own, sorted(pool), sorted(for_split)


def _partition_plan(present: Mapping[str, int], own: Sequence[str], pool: Sequence[str], threshold: int,
                    noun: str, plural: str, pool_label: str, for_split: Sequence[str] = ()) -> GroupPlan:
    """The :class:`GroupPlan` of a partition once :func:`_pool_teams` has chosen the pool."""
    t = threshold
    if not own:
        return _plan(
            t,
            suppressed=sorted(present),
            notes=[
                f"Results are not shown by {noun}: no {noun} can be shown on its own while "
                f"every shown group keeps {t} or more respondents."
            ],
        )
    notes: list[str] = []
    small = [g for g in pool if present[g] < t]
    extra = [g for g in pool if present[g] >= t and g not in for_split]
    if small:
        notes.append(
            f"{plural.capitalize()} with fewer than {t} respondents "
            f"({_count(len(small), noun, plural)}) are combined as '{pool_label}'."
        )
    if extra:
        verb = "is" if len(extra) == 1 else "are"
        notes.append(
            f"{_count(len(extra), noun, plural)} with {t} or more respondents {verb} also "
            f"included in '{pool_label}' so that it has at least {t} respondents."
        )
    if for_split:
        verb, pronoun = ("is", "it") if len(for_split) == 1 else ("are", "they")
        notes.append(
            f"{_count(len(for_split), noun, plural)} with {t} or more respondents {verb} also included in "
            f"'{pool_label}', because next to the leaders' and staff's results {pronoun} would let a few "
            f"people's answers be worked out. {COMBINED_NOTE}"
        )
    groups = [*own, pool_label] if pool else list(own)
    shown_sizes = {g: present[g] for g in own}
    members = {g: g for g in own}
    if pool:
        shown_sizes[pool_label] = sum(present[g] for g in pool)
        members.update({g: pool_label for g in pool})
    return _plan(t, groups=groups, sizes=shown_sizes, members=members, merged=pool, notes=notes)


def plan_partition(
    sizes: Mapping[str, int],
    threshold: int,
    *,
    noun: str = "team",
    plural: str = "teams",
    pool_label: str = POOL_LABEL,
) -> GroupPlan:
    """Plan for groups that split everyone (teams) shown on their own, pooling small ones.

    Groups below the threshold go into ``pool_label``.  If the pool itself is
    below the threshold, the smallest shown group joins it (ties: alphabetical
    order), because a small pool shown next to the overall figure could be
    back-calculated.  If that leaves no group to show on its own, nothing is
    shown by group.  Shown groups come in alphabetical order with the pool last.
    Used where only the partition is shown (comments, live participation);
    with leaders and staff shown too, use :func:`plan_groups`.

    Afterwards the people of every shown label add up to everyone, so
    "overall minus the shown groups" is always empty.
    """
    t = check_threshold(threshold)
    present = _check_sizes(sizes)
    _refuse_pool_name(present, noun, plural, pool_label)
    nothing = _nothing_shown(t, present)
    if nothing is not None:
        return nothing
    own, pool, _ = _pool_teams({g: {"": n} for g, n in present.items()}, t, split=False)
    return _partition_plan(present, own, pool, t, noun, plural, pool_label)


def _refuse_pool_name(present: Mapping[str, int], noun: str, plural: str, pool_label: str) -> None:
    if pool_label in present:
        raise InputError(
            f"A {noun} is named '{pool_label}', which is reserved for combining small "
            f"{plural}; please rename that {noun}."
        )


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

    notes = _hidden_notes(primary, secondary, t, item, items)
    return CellSuppression(shown=shown, primary=primary, secondary=secondary, notes=notes)


@dataclass(frozen=True)
class DisclosurePlan:
    """The groups one view shows together: everyone, teams (pooled) and leaders/staff.

    ``people`` counts respondents per (team, side): scoring checks that a plan
    passed in was made for the same people.  ``notes`` are every plain
    sentence about what was combined or left out, in display order.
    """

    threshold: int
    overall: GroupPlan
    teams: GroupPlan
    roles: GroupPlan
    people: Mapping[tuple[str, str], int]
    notes: tuple[str, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        """Every shown label: everyone, then the teams, then the sides."""
        return self.overall.groups + self.teams.groups + self.roles.groups


def _people_counts(people: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for team, side in people:
        if side not in SIDES:
            raise InputError(f"Unknown role {side!r}: each person is a 'leader' or 'staff'.")
        key = (str(team), str(side))
        counts[key] = counts.get(key, 0) + 1
    return counts


def _option_score(own: Sequence[str], pool: Sequence[str], counts: Mapping[str, Mapping[str, int]],
                  split: bool) -> tuple[int, int, bool]:
    """(rank of the shown groups' indicator vectors, number of shown groups, split shown).

    Rank: a partition into b blocks has rank b (1 when teams are not shown:
    everyone is one block); a two-way split adds one more when some block
    holds both sides, and nothing when every block is one-sided.
    """
    if own:
        blocks = [counts[g] for g in own] + ([_merged([counts[g] for g in pool])] if pool else [])
    else:
        blocks = [_merged(list(counts.values()))]
    mixed = any(all(b.get(side, 0) > 0 for side in SIDES) for b in blocks)
    rank = (len(blocks) if own else 1) + (1 if split and mixed else 0)
    labels = (len(own) + (1 if own and pool else 0)) + (2 if split else 0)
    return rank, labels, split


def plan_groups(people: Sequence[tuple[str, str]], threshold: int, *, teams: bool = True,
                split: bool = True) -> DisclosurePlan:
    """Plan everything a view shows together from each respondent's (team, role).

    ``teams`` and ``split`` say whether the view shows teams and leaders vs
    staff at all; a view showing fewer groups than planned (only everyone, say)
    stays safe, because fewer groups can only be combined in fewer ways.  The
    rule and the choice between pooling and leaving out the split are in the
    module docstring; the result is the same for the same people, whatever
    their order.
    """
    t = check_threshold(threshold)
    counts = _people_counts(people)
    by_team: dict[str, dict[str, int]] = {}
    for (team, side), n in counts.items():
        by_team.setdefault(team, {})[side] = n
    team_sizes = {g: sum(c.values()) for g, c in by_team.items()}
    side_sizes = {side: sum(n for (_, s), n in counts.items() if s == side) for side in SIDES}
    total = sum(team_sizes.values())
    frozen = MappingProxyType(dict(counts))
    overall = plan_overall(total, t)
    if teams:
        _refuse_pool_name(team_sizes, "team", "teams", POOL_LABEL)
    if total < t:
        hidden = _plan(t, suppressed=sorted(team_sizes), notes=overall.notes)
        no_sides = _plan(t, suppressed=list(SIDES), notes=overall.notes)
        return DisclosurePlan(t, overall, hidden, no_sides, frozen, overall.notes)

    roles_alone = plan_split(side_sizes, t, subject="Leaders and staff", plurals=ROLE_PLURALS)
    options: list[tuple[list[str], list[str], list[str], bool]] = []
    everyone = sorted(by_team)
    options.append((*(_pool_teams(by_team, t, split=False) if teams else ([], everyone, [])), False))
    if split and roles_alone.groups:
        options.append((*(_pool_teams(by_team, t, split=True) if teams else ([], everyone, [])), True))
    own, pool, for_split, with_split = max(options, key=lambda o: _option_score(o[0], o[1], by_team, o[3]))

    if teams:
        team_plan = _partition_plan(team_sizes, own, pool, t, "team", "teams", POOL_LABEL, for_split)
    else:
        team_plan = _plan(t, suppressed=everyone)
    if with_split:
        role_plan = roles_alone
    elif split and roles_alone.groups:
        role_plan = _plan(t, suppressed=list(SIDES), notes=[
            "Leaders and staff are not shown separately: next to the team results, that would let a few "
            f"people's answers be worked out. {COMBINED_NOTE}"])
    else:
        role_plan = roles_alone if split else _plan(t, suppressed=list(SIDES))
    notes = overall.notes + team_plan.notes + role_plan.notes
    return DisclosurePlan(t, overall, team_plan, role_plan, frozen, tuple(dict.fromkeys(notes)))


def suppress_shown_cells(raters: pd.DataFrame, plan: DisclosurePlan, columns: Sequence[str]) -> pd.DataFrame:
    """Which cells of every shown group x column may be shown, and why not.

    ``raters`` has one row per person and column they rated: ``column``,
    ``team`` and ``role`` (the person's own team and role, as planned).  The
    result has one row per label of ``plan`` (everyone, teams, sides) and one
    column per ``columns``, holding ``""`` for a shown cell, ``"small"`` for one
    with fewer than ``threshold`` raters and ``"derived"`` for one hidden so
    that others cannot be worked out.  Per column: everyone's cell needs the
    threshold; team cells follow :func:`suppress_cells`; the two sides are
    shown only together, each with the threshold, and only when
    :func:`split_shortfall` is 0 on the column's raters (shown team cells plus
    the hidden remainder as blocks).
    """
    t = plan.threshold
    labels = list(plan.labels)
    columns = list(columns)
    why: dict[str, list[str]] = {label: [""] * len(columns) for label in labels}
    if not labels or not columns:
        return _reason_frame(why, labels, columns)
    team_of = plan.teams.members
    cells: dict[str, dict[str, dict[str, int]]] = {}  # column -> shown team label (or "") -> side -> n
    triples = zip(raters["column"].tolist(), raters["team"].tolist(), raters["role"].tolist(), strict=True)
    for (column, team, side), n in Counter(triples).items():
        block = cells.setdefault(str(column), {}).setdefault(team_of.get(str(team), ""), {})
        block[str(side)] = block.get(str(side), 0) + n
    team_labels = list(plan.teams.groups)
    if team_labels:
        counts = pd.DataFrame(
            [[sum(cells.get(c, {}).get(g, {}).values()) for c in columns] for g in team_labels],
            index=pd.Index(team_labels), columns=pd.Index(columns))
        totals = {c: sum(sum(b.values()) for b in cells.get(c, {}).values()) for c in columns}
        team_mask = suppress_cells(counts, totals, t).shown.to_numpy(dtype=bool)
    for j, column in enumerate(columns):
        blocks = cells.get(column, {})
        total = sum(sum(b.values()) for b in blocks.values())
        if plan.overall.groups and total < t:
            why[OVERALL_LABEL][j] = "small"
        shown_blocks: list[dict[str, int]] = []
        for i, group in enumerate(team_labels):
            n = sum(blocks.get(group, {}).values())
            if not team_mask[i, j]:
                why[group][j] = "small" if n < t else "derived"
            else:
                shown_blocks.append(blocks.get(group, {}))
        if not plan.roles.groups:
            continue
        sides = _merged(list(blocks.values()))
        if any(sides.get(side, 0) < t for side in SIDES):
            for side in SIDES:
                why[side][j] = "small" if sides.get(side, 0) < t else "derived"
            continue
        rest = {side: sides.get(side, 0) - sum(b.get(side, 0) for b in shown_blocks) for side in SIDES}
        as_blocks = [*shown_blocks, rest] if team_labels else [sides]
        if split_shortfall([b for b in as_blocks if sum(b.values())], t):
            for side in SIDES:
                why[side][j] = "derived"
    return _reason_frame(why, labels, columns)


def countable_ratings(raters: pd.DataFrame, plan: DisclosurePlan) -> np.ndarray:
    """Which ratings may count in a view's figures: the rest count as "don't know" everywhere.

    ``raters`` has one row per rating (``column``: the statement; ``team`` and
    ``role``: the rater's own, as planned).  A statement's ratings move the
    value scores of every group their raters are in, even where the
    statement's own cell is hidden, so a value mean next to the other
    statements' means would give a few raters' answers away.  Instead, per
    statement, the raters are taken as blocks (shown team label x side) and
    whole blocks are dropped until every set of people the view lets anyone
    compute holds none of the statement's raters or ``threshold`` or more:
    everyone; each shown team (or pool); each side; and the leaders, and the
    staff, of the blocks holding raters of both sides (see
    :func:`split_shortfall`; checking that on the raters rather than on the
    people is the stricter test).  Dropping only removes people, so the loop
    ends; it drops the same blocks whatever the row order, and applied to its
    own result it drops nothing more.  Teams and sides count only when the
    plan shows them.
    """
    t = plan.threshold
    keep = np.ones(len(raters), dtype=bool)
    if not plan.overall.groups or raters.empty:
        return keep
    teams_shown = bool(plan.teams.groups)
    split_shown = bool(plan.roles.groups)
    team_of = plan.teams.members
    blocks = [team_of.get(str(team), "") if teams_shown else "" for team in raters["team"].tolist()]
    keys = list(zip(raters["column"].astype(str).tolist(), blocks, raters["role"].astype(str).tolist(),
                    strict=True))
    cells: dict[str, Counter[tuple[str, str]]] = {}
    for column, block, side in keys:
        cells.setdefault(column, Counter())[(block, side)] += 1
    dropped = {column: _sparse_blocks(counts, t, teams_shown, split_shown) for column, counts in cells.items()}
    for i, (column, block, side) in enumerate(keys):
        if (block, side) in dropped[column]:
            keep[i] = False
    return keep


def _sparse_blocks(counts: Counter[tuple[str, str]], t: int, teams: bool, split: bool) -> set[tuple[str, str]]:
    """The (block, side) cells of one statement whose ratings must not count (see :func:`countable_ratings`)."""
    live = {cell: n for cell, n in counts.items() if n > 0}
    dropped: set[tuple[str, str]] = set()

    def drop(where: Sequence[tuple[str, str]]) -> bool:
        for cell in where:
            live.pop(cell, None)
            dropped.add(cell)
        return bool(where)

    while live:
        # One check at a time, from the coarsest; after any drop every check starts again.
        if sum(live.values()) < t:
            drop(list(live))
            break
        if teams and drop(_short(live, t, lambda cell: cell[0])):
            continue
        if split and drop(_short(live, t, lambda cell: cell[1])):
            continue
        if split and drop(_mixed_short(live, t)):
            continue
        break
    return dropped


def _short(live: Mapping[tuple[str, str], int], t: int,
           key: Callable[[tuple[str, str]], str]) -> list[tuple[str, str]]:
    """The cells whose group (by ``key``: block or side) holds 1 to ``t - 1`` raters."""
    per = Counter[str]()
    for cell, n in live.items():
        per[key(cell)] += n
    return [cell for cell in live if per[key(cell)] < t]


def _mixed_short(live: Mapping[tuple[str, str], int], t: int) -> list[tuple[str, str]]:
    """The first side's cells in blocks rated by both sides, if they hold 1 to ``t - 1`` raters."""
    sides_of: dict[str, set[str]] = {}
    for block, side in live:
        sides_of.setdefault(block, set()).add(side)
    for side in SIDES:
        few = [c for c in live if c[1] == side and len(sides_of[c[0]]) > 1]
        if 0 < sum(live[c] for c in few) < t:
            return few
    return []


def _reason_frame(why: Mapping[str, list[str]], labels: list[str], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([why[label] for label in labels], index=pd.Index(labels), columns=pd.Index(columns),
                        dtype=object)


def cell_notes(reasons: pd.DataFrame, labels: Sequence[str], threshold: int, *, item: str = "score",
               items: str = "scores") -> tuple[str, ...]:
    """Plain sentences about the hidden cells of the rows ``labels`` (one view's groups)."""
    rows = reasons.loc[[g for g in labels if g in reasons.index]]
    primary = int((rows == "small").to_numpy().sum())
    secondary = int((rows == "derived").to_numpy().sum())
    return _hidden_notes(primary, secondary, threshold, item, items)


def _hidden_notes(primary: int, secondary: int, threshold: int, item: str, items: str) -> tuple[str, ...]:
    """The plain sentences about hidden cells, one wording for every view."""
    notes: list[str] = []
    if primary:
        verb, pronoun = ("is", "it") if primary == 1 else ("are", "them")
        notes.append(
            f"{_count(primary, item, items)} {verb} hidden because fewer than {threshold} people "
            f"rated {pronoun}."
        )
    if secondary:
        verb = "is" if secondary == 1 else "are"
        notes.append(
            f"{_count(secondary, 'more ' + item, 'more ' + items)} {verb} hidden so that hidden "
            f"{items} cannot be worked out from the other figures."
        )
    return tuple(notes)


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
    return SelectedComments(table=table, notes=tuple(notes), merged=plan.merged)
