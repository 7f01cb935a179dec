"""Sample organisations for benchmarks and tests: the demo's pattern, many times over.

Each sample organisation gets the demo's 25 people (same teams and roles,
including the small team that shows suppression) and answers drawn like the
demo's, but from its own seed, so the organisations differ from each other
and every run gives the same data.  Answers go through the same store calls
the app makes.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbook.framework import Framework
    from workbook.store import Store

__all__ = ["seed_sample_organisation"]


def seed_sample_organisation(
    store: Store, org_id: str, *, seed: int, name: str | None = None, threshold: int = 5,
    respond_share: float = 0.84, framework: Framework | None = None,
) -> int:
    """Create ``org_id`` with the demo's people and seeded answers; return how many submitted.

    ``respond_share`` of the people (by a seeded draw) answer everything and
    submit; the rest do not start.  ``respond_share=0`` makes an organisation
    with people but no answers.
    """
    import yaml

    from workbook.framework import load_framework
    from workbook.paths import data_dir
    from workbook.people_csv import read_people_csv

    framework = framework or load_framework()
    with (data_dir() / "demo" / "answers.yaml").open(encoding="utf-8") as handle:
        profile = yaml.safe_load(handle)
    store.organisations.create(name or f"Sample organisation {org_id}", org_id, threshold=threshold)
    store.people.import_rows(org_id, read_people_csv(data_dir() / "demo" / "people.csv"))
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
            store.responses.save_answer(person.id, cycle.id, statement.id, rating, framework=framework,
                                        comment=comment)
        store.responses.submit(person.id, cycle.id, framework=framework)
        submitted += 1
    return submitted
