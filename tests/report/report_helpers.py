"""Helpers shared by the report tests (a module of its own, so tests can import it by name).

* :func:`make_org` builds an organisation whose members answer with fixed ratings;
* :data:`ACME` is the hand-made organisation the section tests work out by hand;
* :func:`cli_runner_invoke` runs ``workbook ...`` in-process with ``report`` registered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbook.framework import Framework
from workbook.people_csv import PersonRow
from workbook.store import Store

#: Intended ratings (after flipping reverse-worded statements) by role and value.
LEADER = {"A": 5, "E": 5, "I": 3, "O": 4, "U": 4}
STAFF = {"A": 4, "E": 3, "I": 2, "O": 4, "U": 4}


@dataclass(frozen=True)
class Member:
    name: str
    role: str
    team: str
    ratings: Mapping[str, int] | None  # None: invited, never answered
    comment: str | None = None


def team_members(team: str, roles: Sequence[str], prefix: str, comment: str | None = None) -> list[Member]:
    return [
        Member(f"{prefix}{i}", role, team, LEADER if role == "leader" else STAFF, comment if i == 0 else None)
        for i, role in enumerate(roles)
    ]


#: 12 respondents (4 leaders, 8 staff), threshold 3: Alpha 4 and Beta 4 are shown on their own;
#: Gamma 2 and Solo 2 are too small and are shown only together, as 'Other teams'.
ACME = [
    *team_members("Alpha", ["leader", "leader", "staff", "staff"], "alpha", "Alpha says <b>hello</b> & thanks"),
    *team_members("Beta", ["leader", "leader", "staff", "staff"], "beta"),
    *team_members("Gamma", ["staff", "staff"], "gamma"),
    *team_members("Solo", ["staff", "staff"], "solo", "Only the two of us work nights"),
]


def make_org(store: Store, framework: Framework, org_id: str, members: Sequence[Member], *,
             name: str | None = None, threshold: int = 3) -> None:
    """Create ``org_id`` and have every member with ratings answer everything and submit."""
    store.organisations.create(name or org_id.capitalize(), org_id, threshold=threshold)
    store.people.import_rows(org_id, [
        PersonRow(m.name, f"{m.name}@{org_id}.example", "leader" if m.role == "leader" else "staff", m.team)
        for m in members
    ])
    cycle = store.responses.cycle(org_id)
    low, high = framework.scale.minimum, framework.scale.maximum
    by_email = {p.email: p for p in store.people.list(org_id)}
    for member in members:
        if member.ratings is None:
            continue
        person = by_email[f"{member.name}@{org_id}.example"]
        for index, statement in enumerate(framework.statements):
            wanted = member.ratings[framework.value_of_statement(statement.id).id]
            rating = low + high - wanted if statement.reverse else wanted
            comment = member.comment if index == 2 else None  # A3
            store.responses.save_answer(person.id, cycle.id, statement.id, rating, framework=framework,
                                        comment=comment)
        store.responses.submit(person.id, cycle.id, framework=framework)


def cli_runner_invoke(args: Sequence[str], env: Mapping[str, str] | None = None) -> Any:
    """Run ``workbook ARGS`` in-process with the report command registered; return click's result."""
    from click.testing import CliRunner

    from workbook.cli import cli
    from workbook.report.command import report

    if "report" not in cli.commands:
        cli.add_command(report)
    return CliRunner().invoke(cli, list(args), env=dict(env or {}), catch_exceptions=False)


@dataclass(frozen=True)
class ReportFolder:
    out: Path
    db: str
    exit_code: int
    stdout: str
    stderr: str
