"""The customer-measures catalogue in the framework file (issue #14, part 3).

Broken files are built from the shipped YAML (load, mutate, dump), as in
test_framework.py, so the assertions are the lines a consultant would read.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from workbook.errors import FrameworkError, InputError, NotFoundError
from workbook.framework import Framework, check_framework_file, load_framework
from workbook.paths import framework_file

Data = dict[str, Any]
SOURCES = {"mystery_shopping", "satisfaction_survey", "focus_group", "operational_records", "recovery_log"}


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


def test_catalogue_covers_seed_003(fw: Framework) -> None:
    names = " | ".join(m.name.lower() for m in fw.measures)
    for words in ("staff attitude", "staff skills", "staff knowledge", "processes", "products",
                  "mystery", "first-contact", "waiting", "retention", "average purchase",
                  "visits", "referral", "complaints"):
        assert words in names, words
    assert {m.source for m in fw.measures} == SOURCES
    assert len({m.id for m in fw.measures}) == len(fw.measures)


def test_directions_make_sense(fw: Framework) -> None:
    assert fw.measure("wait-time").better == "lower"
    assert fw.measure("complaints").better == "lower"
    assert fw.measure("retention").better == "higher"


def test_lookup_and_unknown_id(fw: Framework) -> None:
    assert fw.measure("first-contact").unit == "%"
    with pytest.raises(NotFoundError, match=r"unknown measure id 'nps' in the framework \(known: sat-attitude"):
        fw.measure("nps")


def test_check_value_accepts_numbers_and_numeric_text(fw: Framework) -> None:
    fcr = fw.measure("first-contact")
    assert fcr.check_value("87.5") == 87.5
    assert fcr.check_value(" 90 % ") == 90.0
    assert fcr.check_value(0) == 0.0
    assert fcr.check_value(100) == 100.0
    assert fw.measure("wait-time").check_value("3600") == 3600.0  # no upper limit
    assert fw.measure("focus-group").check_value("7.5") == 7.5


@pytest.mark.parametrize(
    ("measure", "value", "message"),
    [
        ("first-contact", "101", "First-contact resolution: 101 is out of range; enter a number from 0 to 100 (%)"),
        ("first-contact", "-1", "out of range"),
        ("complaints", "-3", "Complaints received: -3 is out of range; enter a number of at least 0 (count)"),
        ("complaints", "2.5", "2.5 is not a whole number"),
        ("focus-group", "0", "enter a number from 1 to 10 (score 1-10)"),
        ("retention", "ninety", "Customer retention: 'ninety' is not a number"),
        ("retention", "2,5", "is not a number"),
        ("retention", "", "is not a number"),
        ("retention", "nan", "is not a number"),
        ("retention", "inf", "is not a number"),
        ("retention", True, "is not a number"),
        ("retention", None, "is not a number"),
    ],
)
def test_check_value_refuses_with_one_line(fw: Framework, measure: str, value: object, message: str) -> None:
    with pytest.raises(InputError) as caught:
        fw.measure(measure).check_value(value)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_show_puts_the_unit_where_people_expect(fw: Framework) -> None:
    assert fw.measure("retention").show(95.0) == "95 %"
    assert fw.measure("avg-purchase").show(42.5) == "£42.5"
    assert fw.measure("wait-time").show(38.25) == "38.25 seconds"


Mutation = Callable[[Data], None]

BAD: list[tuple[str, Mutation, list[str]]] = [
    ("duplicate-id", lambda d: d["measures"][1].update(id="sat-attitude"),
     ["measures[1].id: duplicate measure id 'sat-attitude' (also used at measures[0].id)"]),
    ("bad-better", lambda d: d["measures"][0].update(better="up"),
     ["measures[0].better: must be one of 'higher', 'lower', found 'up'"]),
    ("bad-source", lambda d: d["measures"][2].update(source="twitter"),
     ["measures[2].source: must be one of 'mystery_shopping', 'satisfaction_survey', 'focus_group', "
      "'operational_records', 'recovery_log', found 'twitter'"]),
    ("unknown-field", lambda d: d["measures"][0].update(target=95),
     ["measures[0].target: unknown field"]),
    ("missing-unit", lambda d: d["measures"][0].pop("unit"),
     ["measures[0].unit: is required but missing"]),
    ("text-maximum", lambda d: d["measures"][0].update(maximum="lots"),
     ["measures[0].maximum: must be a number, found 'lots'"]),
    ("empty-range", lambda d: d["measures"][6].update(minimum=10, maximum=1),
     ["measures[6].maximum: must be more than the minimum (10), found 1"]),
]


@pytest.mark.parametrize(("mutate", "expected"), [pytest.param(m, e, id=c) for c, m, e in BAD])
def test_bad_catalogue_lines(tmp_path: Path, shipped: Data, mutate: Mutation, expected: list[str]) -> None:
    data = copy.deepcopy(shipped)
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(FrameworkError) as caught:
        check_framework_file(path)
    assert caught.value.problems == [f"{path}: {line}" for line in expected]
    assert "\n" not in str(caught.value)


def test_a_consultant_can_adapt_the_catalogue(tmp_path: Path, shipped: Data) -> None:
    data = copy.deepcopy(shipped)
    data["measures"] = [
        {"id": "nps", "name": "Net promoter score", "unit": "points", "better": "higher",
         "source": "satisfaction_survey", "minimum": -100, "maximum": 100,
         "description": "Promoters minus detractors."},
    ]
    fw = load_framework(_write(tmp_path, data))
    assert [m.id for m in fw.measures] == ["nps"]
    assert fw.measure("nps").check_value("-20") == -20.0


def test_a_file_from_before_the_scorecard_still_loads(tmp_path: Path, shipped: Data) -> None:
    data = copy.deepcopy(shipped)
    del data["measures"]
    assert load_framework(_write(tmp_path, data)).measures == ()
