"""Sample organisations for benchmarks and tests: the demo's pattern, many times over.

Each sample organisation gets the demo's 25 people (same teams and roles,
including the small team that shows suppression) and answers drawn like the
demo's, but from its own seed, so the organisations differ from each other
and every run gives the same data.  Answers go through the same store calls
the app makes.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbook.framework import Framework
    from workbook.store import Store

__all__ = ["seed_sample_organisation"]


def seed_sample_organisation(
    store: Store, org_id: str, *, seed: int, name: str | None = None, threshold: int = 5,
    respond_share: float = 0.84, framework: Framework | None = None, history: int = 0,
) -> int:
    """Create ``org_id`` with the demo's people and seeded answers; return how many submitted.

    ``respond_share`` of the people (by a seeded draw) answer everything and
    submit; the rest do not start.  ``respond_share=0`` makes an organisation
    with people but no answers.  ``history`` past quarters come first, each
    answered and rated in the workshop (:func:`_past_quarters`), so reports
    with trends can be measured; the current quarter's answers are the same
    with or without them.
    """
    import yaml

    from workbook.framework import load_framework
    from workbook.paths import data_dir
    from workbook.people_csv import read_people_csv

    framework = framework or load_framework()
    with (data_dir() / "demo" / "answers.yaml").open(encoding="utf-8") as handle:
        profile = yaml.safe_load(handle)
    from workbook.demo_history import previous_quarter

    labels = ["2026-Q4"]
    for _ in range(history):
        labels.insert(0, previous_quarter(labels[0]))
    store.organisations.create(name or f"Sample organisation {org_id}", org_id, threshold=threshold,
                               first_cycle=labels[0])
    store.people.import_rows(org_id, read_people_csv(data_dir() / "demo" / "people.csv"))
    if history:
        _past_quarters(store, framework, profile, org_id, labels[:-1], seed=seed, respond_share=respond_share)
        store.responses.open_cycle(org_id, labels[-1])
    cycle = store.responses.cycle(org_id)
    rng = random.Random(seed)
    low, high = framework.scale.minimum, framework.scale.maximum
    means = {v: float(m) + rng.gauss(0, 0.35) for v, m in profile["value_means"].items()}
    submitted = 0
    for person in sorted(store.people.list(org_id), key=lambda p: p.email):
        if rng.random() >= respond_share:
            continue
        offset = float(profile["team_offsets"].get(person.team, 0.0))
        if person.role == "leader":
            offset += float(profile["leader_offset"])
        tendency = {v.id: rng.gauss(0, float(profile["person_spread"])) for v in framework.values}
        answers: list[tuple[str, int | None, str | None]] = []
        for statement in framework.statements:
            value_id = framework.value_of_statement(statement.id).id
            level = means[value_id] + offset + tendency[value_id] + rng.gauss(0, float(profile["answer_spread"]))
            rating: int | None = max(low, min(high, round(level)))
            if statement.reverse and rating is not None:
                rating = low + high - rating
            if rng.random() < float(profile["dont_know_rate"]):
                rating = None
            comment = None
            if rng.random() < float(profile["comment_rate"]):
                comment = rng.choice(profile["comments"][value_id])
            answers.append((statement.id, rating, comment))
        # One transaction per person, not per answer: the same rows, made many times faster.
        store.responses.save_answers(person.id, cycle.id, answers, framework=framework)
        store.responses.submit(person.id, cycle.id, framework=framework)
        submitted += 1
    return submitted


def _past_quarters(store: Store, framework: Framework, profile: dict[str, Any], org_id: str, labels: list[str],
                   *, seed: int, respond_share: float) -> None:
    """Answers and workshop ratings for each past quarter, drifting a little from one to the next."""
    from workbook.demo import answer_cycle
    from workbook.demo_history import PAST_EDITION
    from workbook.workshop.repository import Workshop

    rng = random.Random(f"{seed}:history")
    means = {str(v): float(m) for v, m in profile["value_means"].items()}
    people = store.people.list(org_id)
    workshop = Workshop(store)
    low, high = framework.scale.minimum, framework.scale.maximum
    # As in the demo's history: past quarters were answered under the edition before the
    # statements about the organisation (answer_cycle answers only the self statements).
    past_edition = framework.edition(PAST_EDITION)
    for index, label in enumerate(labels):
        cycle = store.responses.cycle(org_id) if index == 0 else store.responses.open_cycle(org_id, label)
        quarter = {v: m + rng.gauss(0, 0.3) for v, m in means.items()}
        skipped = {p.email for p in sorted(people, key=lambda p: p.email) if rng.random() >= respond_share}
        answer_cycle(store, past_edition, profile, cycle.id, people, rng, value_means=quarter, not_started=skipped,
                     part_way=set())
        for step in framework.steps:
            level = rng.uniform(1.5, 4.0)
            for practice in step.practices:
                rating = max(low, min(high, round(level + rng.gauss(0, 0.5))))
                workshop.save_rating(cycle.id, practice.id, rating, expected_version=0, framework=framework)
