"""Two versions of a report of one cycle must not differ, group by group, by a few people.

A shown group's figures are sums over its people, so the same group in two
report versions made at different times gives away the people who joined (or
left) it in between: "Team A (5)" on 3 March and "Team A (6)" a week later give
the sixth person's scores.  Reports count people in whole batches of the
threshold (:func:`workbook.dataset.answers_in_whole_batches`), which keeps
*everyone's* figure safe, but a batch spreads over teams and sides, so a team
or a side could still change by 1 to ``threshold - 1`` people.

Every report that is handed out records, per group it showed, the person ids
behind it (:class:`workbook.store.releases.Releases`).  A later version of the
same cycle is *settled* against every recorded release (:func:`settle`):

* For each group it would show and each release that showed a group of the same
  kind and label (everyone; a team or "Other teams"; leaders; staff), or a
  group of any label that holds all of it or lies within it, the people added
  since and the people gone since must each number 0 or at least the
  threshold.
* People added to such a group by fewer than the threshold are **not counted
  yet**, in any figure of the version (held back, as the whole batches hold
  back the last few submissions), and the version is planned again without
  them, because hiding only that group would not do: everyone minus the other
  teams would give it back.  A note says which group and since which report.
  Their answers count once enough others have come in to move the group by
  the threshold or more.
* When that would not do - a group lost people since a release (teams pooled
  differently, a higher threshold), or the few who joined it were already
  counted by an earlier report (holding them back would move everyone's
  figure) - every answer no report has counted yet is held back, so the
  version falls back to the people already released.  If even that leaves a
  difference (a person deleted since), only everyone's figure is shown, and
  failing that nothing.

Everything depends on the recorded ids and today's answers only, so the same
data gives the same version; and a version equal to one already recorded
records nothing new (the store refuses the duplicate).

Not covered: two groups of different labels in two versions that overlap only
in part (team A then; "Other teams" now holding some of A's people and others):
their difference mixes people who joined with people who left.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from workbook.anonymity import OVERALL_LABEL, DisclosurePlan, plan_groups
from workbook.settings import check_threshold

__all__ = ["Earlier", "GroupKey", "Settled", "display_label", "settle", "shown_groups"]

GroupKey = tuple[str, str]
"""(kind, label): kind is ``everyone``, ``team`` or ``role``."""

_SIDE_NAMES = {"leader": "Leaders", "staff": "Staff"}


@dataclass(frozen=True)
class Earlier:
    """A recorded release: when it was made and the person ids behind each group it showed."""

    released_at: datetime
    groups: Mapping[GroupKey, frozenset[str]]


@dataclass(frozen=True)
class Settled:
    """The people a new version may count, whether it may show teams and sides, and why not more."""

    counted: frozenset[str]
    groups_shown: bool
    notes: tuple[str, ...]


def display_label(key: GroupKey) -> str:
    """The name a reader sees for a group: "All respondents", a team, "Leaders", "Staff"."""
    kind, label = key
    return _SIDE_NAMES.get(label, label) if kind == "role" else label


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def shown_groups(plan: DisclosurePlan, people: Sequence[tuple[str, str, str]]) -> dict[GroupKey, frozenset[str]]:
    """The person ids behind each group ``plan`` shows; ``people`` are (person id, team, role)."""
    groups: dict[GroupKey, frozenset[str]] = {}
    if plan.overall.groups:
        groups[("everyone", OVERALL_LABEL)] = frozenset(p for p, _, _ in people)
    for label in plan.teams.groups:
        groups[("team", label)] = frozenset(p for p, team, _ in people if plan.teams.label_for(team) == label)
    for side in plan.roles.groups:
        groups[("role", side)] = frozenset(p for p, _, role in people if role == side)
    return groups


def _compared(groups: Mapping[GroupKey, frozenset[str]],
              release: Earlier) -> list[tuple[GroupKey, frozenset[str], frozenset[str]]]:
    """The (group, now, then) pairs to compare: the same label, or one set inside the other.

    Nested sets of different labels ("Other teams" now holding all of what was
    team A then) differ by exactly the people between them, as a same-label
    pair does; sets that overlap only in part differ by a mix of joiners and
    leavers, which is not checked (see the module docstring).
    """
    pairs = []
    for key, members in groups.items():
        for old_key, before in release.groups.items():
            if old_key == key or before <= members or members <= before:
                pairs.append((key, members, before))
    return pairs


def _plan(people: Sequence[tuple[str, str, str]], threshold: int, with_groups: bool) -> DisclosurePlan:
    pairs = [(team, role) for _, team, role in people]
    return plan_groups(pairs, threshold, teams=with_groups, split=with_groups)


def settle(people: Sequence[tuple[str, str, str]], threshold: int, earlier: Sequence[Earlier]) -> Settled:
    """Which of ``people`` (person id, team, role) a new version may count next to the ``earlier`` releases.

    See the module docstring for the rule.  Deterministic: the result depends
    on the sets of people only, not on their order.
    """
    t = check_threshold(threshold)
    counted = {p for p, _, _ in people}
    released: set[str] = set().union(*(r.groups.get(("everyone", OVERALL_LABEL), frozenset()) for r in earlier))
    with_groups = True
    notes: list[str] = []
    while True:
        current = [p for p in people if p[0] in counted]
        groups = shown_groups(_plan(current, t, with_groups), current)
        held: set[str] = set()
        fall_back: Earlier | None = None
        for release in earlier:
            for key, members, before in _compared(groups, release):
                added, gone = members - before, before - members
                if 0 < len(gone) < t or (0 < len(added) < t and added & released):
                    # Holding back people an earlier report already counted would move everyone's figure.
                    fall_back = fall_back or release
                elif 0 < len(added) < t:
                    held |= added
                    notes.append(f"The newest answers in {display_label(key)} (fewer than {t} since the report of "
                                 f"{_day(release.released_at)}) are not counted yet: next to that report they would "
                                 "single people out. They will count when more answers come in.")
        if held:
            counted -= held
            continue
        if fall_back is None:
            break
        since = counted - released
        if since:
            counted -= since
            latest = _day(max(r.released_at for r in earlier))
            notes.append(f"Answers given since the report of {latest} are not counted yet: with them, a group shown "
                         f"before would change by fewer than {t} people. They will count when more answers come in.")
            continue
        if with_groups:
            with_groups = False
            notes.append(f"Teams, leaders and staff are not shown in this version: they would differ from the "
                         f"report of {_day(fall_back.released_at)} by fewer than {t} people.")
            continue
        counted = set()
        notes.append(f"Nothing is shown in this version: it would differ from the report of "
                     f"{_day(fall_back.released_at)} by fewer than {t} people.")
        break
    return Settled(frozenset(counted), with_groups, tuple(dict.fromkeys(notes)))
