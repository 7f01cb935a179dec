"""The service recovery playbook and log in the framework file (issue #16 part 2).

Seed 004's three stages shape the playbook's columns; each column has a
prompt and a strong and a weak example.  Broken files are built from the
shipped YAML, as in test_measures_framework.py.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from workbook.errors import FrameworkError, InputError
from workbook.framework import Framework, check_framework_file, load_framework
from workbook.paths import framework_file

Data = dict[str, Any]
LOG = ("recovery-count", "recovery-followed-up", "recovery-rating", "recovery-buy-again")


@pytest.fixture(scope="module")
def fw() -> Framework:
    return load_framework()


@pytest.fixture
def shipped() -> Data:
    data = yaml.safe_load(framework_file().read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _write(tmp_path: Path, data: Data) -> Path:
    path = tmp_path / "my.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_playbook_follows_the_three_stages_of_seed_004(fw: Framework) -> None:
    guide = fw.recovery
    assert guide is not None
    assert guide.step == "positive-memories" and fw.step(guide.step).name == "Positive memories"
    assert [s.name for s in guide.stages] == ["Acknowledge and apologise", "Here is what we will do", "Follow up"]
    fields = guide.fields
    assert [fields.say.stage, fields.offer.stage, fields.limit.stage, fields.speed.stage,
            fields.follow_up_by.stage, fields.follow_up_when.stage] == [
        "acknowledge", "resolve", "resolve", "resolve", "follow-up", "follow-up"]
    assert fields.failure.stage is None
    for name in ("failure", "say", "offer", "limit", "speed", "follow_up_by", "follow_up_when"):
        field = getattr(fields, name)
        assert field.prompt and field.question.endswith("?"), name
        assert len(field.good) >= 1 and len(field.bad) >= 1, name
        assert all(e.why for e in (*field.good, *field.bad)), name
    questions = " ".join(guide.follow_up_questions)
    assert "1 to 10" in questions and "buy from us again" in questions


def test_the_recovery_log_is_four_catalogue_measures(fw: Framework) -> None:
    log = [m for m in fw.measures if m.source == "recovery_log"]
    assert tuple(m.id for m in log) == LOG
    assert fw.measure("recovery-count").unit == "count"
    assert fw.measure("recovery-followed-up").check_value("85 %") == 85.0
    assert fw.measure("recovery-rating").check_value("8.5") == 8.5
    with pytest.raises(InputError, match="from 1 to 10"):
        fw.measure("recovery-rating").check_value("11")
    with pytest.raises(InputError, match="from 0 to 100"):
        fw.measure("recovery-buy-again").check_value("120")


Mutation = Callable[[Data], None]

BAD: list[tuple[str, Mutation, list[str]]] = [
    ("unknown-step", lambda d: d["recovery"].update(step="complaints"),
     ["recovery.step: unknown step 'complaints' (known: deliberate-culture, human-connections, positive-memories, "
      "brand-experiences)"]),
    ("unknown-stage", lambda d: d["recovery"]["fields"]["offer"].update(stage="refund"),
     ["recovery.fields.offer.stage: unknown stage 'refund' (known: acknowledge, resolve, follow-up)"]),
    ("duplicate-stage", lambda d: d["recovery"]["stages"][2].update(id="resolve"),
     ["recovery.fields.follow_up_by.stage: unknown stage 'follow-up' (known: acknowledge, resolve)",
      "recovery.fields.follow_up_when.stage: unknown stage 'follow-up' (known: acknowledge, resolve)",
      "recovery.stages[2].id: duplicate stage id 'resolve' (also used at recovery.stages[1].id)"]),
    ("missing-field", lambda d: d["recovery"]["fields"].pop("speed"),
     ["recovery.fields.speed: is required but missing"]),
    ("no-weak-example", lambda d: d["recovery"]["fields"]["say"].update(bad=[]),
     ["recovery.fields.say.bad: tuple should have at least 1 item after validation, not 0"]),
]


@pytest.mark.parametrize(("mutate", "expected"), [pytest.param(m, e, id=c) for c, m, e in BAD])
def test_bad_playbook_sections(tmp_path: Path, shipped: Data, mutate: Mutation, expected: list[str]) -> None:
    data = copy.deepcopy(shipped)
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(FrameworkError) as caught:
        check_framework_file(path)
    assert caught.value.problems == [f"{path}: {line}" for line in expected]


def test_a_file_from_before_the_playbook_still_loads(tmp_path: Path, shipped: Data) -> None:
    data = copy.deepcopy(shipped)
    data.pop("recovery")
    data["measures"] = [m for m in data["measures"] if m["source"] != "recovery_log"]
    fw = load_framework(_write(tmp_path, data))
    assert fw.recovery is None and not any(m.id in LOG for m in fw.measures)
