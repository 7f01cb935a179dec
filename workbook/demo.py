"""The demo organisation: realistic people and answers from a fixed seed.

Consultants use it to show the workbook before a client's data exists, and the
apps, reports and tests use it as their shared example.  The people come from
``data/demo/people.csv`` and go through the same CSV import a client's file
does; the answers are drawn from the profile in ``data/demo/answers.yaml``
(``random.Random(seed)``, so every run gives the same answers) and are saved
through the same calls the app makes.

Before the current quarter the demo has a history (:mod:`workbook.demo_history`):
three past quarters of answers and workshop ratings, so that a newcomer sees
trends in the report on first start.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import yaml

from workbook.errors import AlreadyExistsError
from workbook.framework import Framework, load_framework
from workbook.paths import data_dir
from workbook.people_csv import read_people_csv
from workbook.store import PersonRecord, Store

__all__ = ["DEMO_ORG_ID", "DemoResult", "answer_cycle", "seed_demo"]

DEMO_ORG_ID = "demo"


@dataclass(frozen=True, slots=True)
class DemoResult:
    name: str
    created: bool
    people: int
    teams: int
    submitted: int
    in_progress: int
    not_started: int


def _profile() -> dict[str, Any]:
    with (data_dir() / "demo" / "answers.yaml").open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def answer_cycle(store: Store, framework: Framework, profile: dict[str, Any], cycle_id: int,
                 people: list[PersonRecord], rng: random.Random, *, value_means: dict[str, float],
                 not_started: set[str], part_way: set[str], organisation_rng: random.Random | None = None) -> None:
    """Answer one cycle for ``people`` (by email: some not started, some part-way), drawn from ``rng``.

    With ``organisation_rng``, everyone who submits also answers the statements
    about the organisation, drawn from that stream of its own (so the answers
    about oneself are the same with or without them).

    Each person has their own tendency per value around ``value_means``, shifted
    by their team's offset and, for leaders, the leader offset; every answer is
    saved (one transaction per person) and submitted through the same checks the app's calls make.  People are taken
    in email order so the draws, and so every answer, are the same on every run.
    """
    low, high = framework.scale.minimum, framework.scale.maximum
    for person in sorted(people, key=lambda p: p.email):
        if person.email in not_started:
            continue
        statements = framework.self_statements
        if person.email in part_way:
            statements = statements[: len(statements) // 2]
        tendency = {v.id: rng.gauss(0, float(profile["person_spread"])) for v in framework.values}
        offset = float(profile["team_offsets"].get(person.team, 0.0))
        if person.role == "leader":
            offset += float(profile["leader_offset"])
        answers: list[tuple[str, int | None, str | None]] = []
        for statement in statements:
            value_id = framework.value_of_statement(statement.id).id
            agreement = (
                float(value_means[value_id]) + offset + tendency[value_id]
                + rng.gauss(0, float(profile["answer_spread"]))
            )
            rating: int | None = _clamp(agreement, low, high)
            if statement.reverse:
                rating = low + high - (rating or low)
            if rng.random() < float(profile["dont_know_rate"]):
                rating = None
            comment = None
            if rng.random() < float(profile["comment_rate"]):
                comment = rng.choice(profile["comments"][value_id])
            answers.append((statement.id, rating, comment))
        store.responses.save_answers(person.id, cycle_id, answers, framework=framework)
        if person.email not in part_way:
            if organisation_rng is not None:
                _answer_about_organisation(store, framework, profile, organisation_rng, person.id, cycle_id, offset)
            store.responses.submit(person.id, cycle_id, framework=framework)


def seed_demo(store: Store, *, reset: bool = False, framework: Framework | None = None) -> DemoResult:
    """Create the demo organisation unless it exists (``reset`` rebuilds it)."""
    framework = framework or load_framework()
    profile = _profile()
    org = profile["organisation"]
    existing = {o.id: o for o in store.organisations.list()}
    if org["id"] in existing and existing[org["id"]].name != org["name"]:
        raise AlreadyExistsError(
            f"an organisation with the id {org['id']!r} exists and is not the demo "
            f"({existing[org['id']].name}); the demo will not touch it"
        )
    if org["id"] in existing and not reset:
        progress = store.responses.progress(org["id"], store.responses.cycle(org["id"]).id)
        teams = {p.team for p in store.people.list(org["id"])}
        return DemoResult(org["name"], False, progress["people"], len(teams), progress["submitted"],
                          progress["in_progress"], progress["not_started"])
    if org["id"] in existing:
        store.organisations.delete(org["id"])

    from workbook.demo_history import build_history, history_labels
    from workbook.store.organisations import quarter_label

    current = quarter_label(datetime.now(UTC).date())
    past = history_labels(current, profile)
    store.organisations.create(org["name"], org["id"], threshold=int(org["threshold"]), first_cycle=past[0] if past
                               else current)
    rows = read_people_csv(data_dir() / "demo" / "people.csv")
    store.people.import_rows(org["id"], rows)
    build_history(store, framework, profile, org["id"], past)
    if past:
        store.responses.open_cycle(org["id"], current)
    cycle = store.responses.cycle(org["id"])
    people = store.people.list(org["id"])
    answer_cycle(store, framework, profile, cycle.id, people, random.Random(int(profile["seed"])),
                 value_means=profile["value_means"], not_started=set(profile["not_started"]),
                 part_way=set(profile["part_way"]),
                 organisation_rng=random.Random(int(profile.get("organisation_seed", int(profile["seed"]) + 1))))
    if past:
        # The quarter-on-quarter practice: last quarters' actions (some carried into
        # this one, for the workshop to review), the customer measures scorecard with
        # the recovery log, and the recovery playbook refined each quarter.
        from workbook.demo_actions import seed_demo_actions
        from workbook.demo_measures import add_demo_measures
        from workbook.demo_recovery import seed_demo_playbook

        labels = [*past, current]
        seed_demo_actions(store, org["id"], labels, framework=framework)
        add_demo_measures(store, org["id"], labels, framework=framework)
        seed_demo_playbook(store, org["id"], labels)  # the recovery log is among the measures above

    progress = store.responses.progress(org["id"], cycle.id)
    return DemoResult(org["name"], True, progress["people"], len({p.team for p in people}),
                      progress["submitted"], progress["in_progress"], progress["not_started"])


def _answer_about_organisation(store: Store, framework: Framework, profile: dict[str, Any], rng: random.Random,
                               person_id: int, cycle_id: int, offset: float) -> None:
    """Answer the statements about the organisation from their own random stream.

    A stream of their own keeps every answer about oneself what it was before
    these statements existed, so the demo's value scores did not move.
    """
    low, high = framework.scale.minimum, framework.scale.maximum
    means = profile.get("organisation_means") or profile["value_means"]
    for statement in framework.organisation_statements:
        value_id = framework.value_of_statement(statement.id).id
        agreement = float(means[value_id]) + offset + rng.gauss(0, float(profile["answer_spread"]))
        rating: int | None = _clamp(agreement, low, high)
        if statement.reverse:
            rating = low + high - (rating or low)
        if rng.random() < float(profile["dont_know_rate"]):
            rating = None
        store.responses.save_answer(person_id, cycle_id, statement.id, rating, framework=framework)
