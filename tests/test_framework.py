"""The DIME(TM) framework: shipped content, models, and the loader's error lines.

The bad-file table builds each broken file from the shipped YAML (load, mutate,
dump), so the tests keep working when the wording changes, and asserts the exact
problem lines a consultant would read.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from workbook.errors import FrameworkError, InputError, NotFoundError, WorkbookError
from workbook.framework import (
    VALUE_IDS,
    Framework,
    Practice,
    Statement,
    check_framework_file,
    load_framework,
)
from workbook.paths import framework_file

STEP_IDS = ["deliberate-culture", "human-connections", "positive-memories", "brand-experiences"]
REWARD_IDS = ["return-on-people", "repeat-business", "recommendations", "recognition"]
OBSTACLE_IDS = ["alignment", "credibility", "resources", "clarity", "disconnected"]

Data = dict[str, Any]


@pytest.fixture(scope="module")
def fw() -> Framework:
    return load_framework()


@pytest.fixture
def shipped() -> Data:
    """A fresh, mutable copy of the shipped file's data."""
    data = yaml.safe_load(framework_file().read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _all_texts(fw: Framework) -> list[str]:
    texts: list[str] = [fw.name, fw.credit]
    for step in fw.steps:
        texts += [step.name, step.purpose, *step.prompts]
        texts += [t for p in step.practices for t in (p.name, p.text)]
    for value in fw.values:
        texts += [value.meaning, *(s.text for s in value.statements)]
    texts += [t for p in fw.promises for t in (p.text, p.standard)]
    for obstacle in fw.obstacles:
        texts += [obstacle.name, obstacle.description, *obstacle.signs]
    texts += [t for r in fw.rewards for t in (r.name, r.description)]
    return texts


# --- the shipped content ---------------------------------------------------


def test_top_level_identity_and_credit(fw: Framework) -> None:
    assert fw.id == "dime-aeiou"
    assert fw.version == "1.1.0"
    assert "DIME™" in fw.name
    assert "DIME™" in fw.credit
    assert "Chris Smoje" in fw.credit
    assert "dimecustomerservice.com" in fw.credit
    assert "trademark" in fw.credit


def test_scale_runs_one_to_five_with_distinct_labels(fw: Framework) -> None:
    assert fw.scale.values == (1, 2, 3, 4, 5)
    assert (fw.scale.minimum, fw.scale.maximum) == (1, 5)
    labels = [p.label for p in fw.scale.points]
    maturity = [p.maturity_label for p in fw.scale.points]
    assert labels == ["Never", "Rarely", "Sometimes", "Usually", "Always"]
    assert len(set(maturity)) == 5
    assert fw.scale.dont_know_label == "Don't know"
    assert fw.scale.dont_know_label not in labels + maturity


def test_four_steps_spell_dime(fw: Framework) -> None:
    assert [s.id for s in fw.steps] == STEP_IDS
    assert [s.number for s in fw.steps] == [1, 2, 3, 4]
    assert "".join(s.letter for s in fw.steps) == "DIME"
    assert [s.reward for s in fw.steps] == REWARD_IDS
    assert len({s.relationship for s in fw.steps}) == 4


@pytest.mark.parametrize("index", range(4))
def test_each_step_has_practices_and_prompts(fw: Framework, index: int) -> None:
    step = fw.steps[index]
    assert 4 <= len(step.practices) <= 6
    prefix = "".join(word[0] for word in step.id.split("-")).upper()
    assert [p.id for p in step.practices] == [
        f"{prefix}{n}" for n in range(1, len(step.practices) + 1)
    ]
    assert 3 <= len(step.prompts) <= 5
    assert all(prompt.endswith("?") for prompt in step.prompts)
    assert 1 <= step.purpose.count(".") <= 2  # one or two sentences


def test_values_are_aeiou_in_order(fw: Framework) -> None:
    assert VALUE_IDS == ("A", "E", "I", "O", "U")
    assert [v.id for v in fw.values] == list(VALUE_IDS)
    assert [v.name for v in fw.values] == [
        "Accountable",
        "Energetic",
        "Innovative",
        "Optimistic",
        "Unique",
    ]
    assert all(v.meaning.count(".") == 1 and v.meaning.endswith(".") for v in fw.values)


@pytest.mark.parametrize("value_id", VALUE_IDS)
def test_each_value_has_first_person_statements_with_some_reversed(
    fw: Framework, value_id: str
) -> None:
    value = fw.value(value_id)
    own = value.self_statements
    assert 4 <= len(own) <= 6
    assert [s.id for s in own] == [f"{value_id}{n}" for n in range(1, len(own) + 1)]
    assert all(s.text.startswith("I ") and s.about == "self" and s.since is None for s in own)
    reversed_ids = [s.id for s in own if s.reverse]
    assert 1 <= len(reversed_ids) <= 2, reversed_ids


@pytest.mark.parametrize("value_id", VALUE_IDS)
def test_each_value_has_two_statements_about_the_organisation_asked_since_1_1_0(
    fw: Framework, value_id: str
) -> None:
    value = fw.value(value_id)
    about_org = value.organisation_statements
    assert [s.id for s in about_org] == [f"{value_id}O1", f"{value_id}O2"]
    assert all(s.text.startswith("In this organisation, people ") and s.about_organisation for s in about_org)
    assert all(s.since == "1.1.0" for s in about_org)
    # They come after the statements about oneself, as the questionnaire asks them.
    assert list(value.statements) == [*value.self_statements, *about_org]


def test_reverse_items_are_the_ones_that_describe_poor_service(fw: Framework) -> None:
    # Pins the exact reverse-worded items so a flag cannot silently move.
    assert [s.id for s in fw.self_statements if s.reverse] == ["A4", "E3", "I3", "O3", "U3", "U5"]
    assert [s.id for s in fw.organisation_statements if s.reverse] == ["AO2", "EO2", "OO2"]


def test_ten_promises_cover_every_value_and_step(fw: Framework) -> None:
    assert [p.id for p in fw.promises] == [f"P{n:02d}" for n in range(1, 11)]
    assert {p.value for p in fw.promises} == set(VALUE_IDS)
    assert {p.step for p in fw.promises} == set(STEP_IDS)


@pytest.mark.parametrize("index", range(10))
def test_each_promise_is_in_the_we_voice_and_measurable(fw: Framework, index: int) -> None:
    promise = fw.promises[index]
    assert re.search(r"\b[Ww]e\b", promise.text), promise.text
    assert re.search(r"\d", promise.standard), f"no number in standard: {promise.standard}"
    vague = ("promptly", "asap", "as soon as possible", "in a timely", "quickly")
    for word in vague:
        assert word not in promise.text.lower()
        assert word not in promise.standard.lower()


def test_obstacles(fw: Framework) -> None:
    assert [o.id for o in fw.obstacles] == OBSTACLE_IDS
    for obstacle in fw.obstacles:
        assert 3 <= len(obstacle.signs) <= 4
        assert obstacle.threatens
        assert set(obstacle.threatens) <= set(STEP_IDS)


def test_rewards_map_one_to_one_onto_steps(fw: Framework) -> None:
    assert [r.id for r in fw.rewards] == REWARD_IDS
    assert [r.step for r in fw.rewards] == STEP_IDS
    for step in fw.steps:
        assert fw.reward(step.reward).step == step.id


def test_every_reference_resolves(fw: Framework) -> None:
    for promise in fw.promises:
        assert fw.value(promise.value).id == promise.value
        assert fw.step(promise.step).id == promise.step
    for step in fw.steps:
        assert fw.reward(step.reward).id == step.reward
    for reward in fw.rewards:
        assert fw.step(reward.step).id == reward.step
    for obstacle in fw.obstacles:
        for step_id in obstacle.threatens:
            assert fw.step(step_id).id == step_id


def test_no_text_is_repeated(fw: Framework) -> None:
    texts = [t.casefold() for t in _all_texts(fw)]
    repeated = {t for t in texts if texts.count(t) > 1}
    assert not repeated


def test_british_spelling(fw: Framework) -> None:
    american = re.compile(r"\b(organiz\w*|behavior\w*|color\w*|center|favor\w*|program)\b")
    for text in _all_texts(fw):
        assert not american.search(text.lower()), text


# --- the models ------------------------------------------------------------


def test_lookup_helpers(fw: Framework) -> None:
    assert fw.value("O").name == "Optimistic"
    assert fw.step("positive-memories").letter == "M"
    assert fw.statement("U3").reverse is True
    assert fw.statement("A1").reverse is False
    assert fw.value_of_statement("I4").id == "I"
    assert fw.practice("BE2").name == "One voice"
    assert fw.step_of_practice("BE2").id == "brand-experiences"
    assert fw.promise("P06").value == "I"
    assert fw.obstacle("clarity").name == "Lack of clarity"
    assert fw.reward("recommendations").step == "positive-memories"


def test_statements_and_practices_are_flattened_in_file_order(fw: Framework) -> None:
    assert len(fw.statements) == 35
    assert len(fw.self_statements) == 25
    assert [s.id for s in fw.statements[:8]] == ["A1", "A2", "A3", "A4", "A5", "AO1", "AO2", "E1"]
    assert fw.self_statements[-1].id == "U5"
    assert fw.statements[-1].id == "UO2"
    assert all(isinstance(s, Statement) for s in fw.statements)
    assert len(fw.practices) == 20
    assert (fw.practices[0].id, fw.practices[-1].id) == ("DC1", "BE5")
    assert all(isinstance(p, Practice) for p in fw.practices)


@pytest.mark.parametrize(
    ("method", "known_hint"),
    [
        ("value", "known: A, E, I, O, U"),
        ("step", "known: deliberate-culture, human-connections"),
        ("statement", "known: A1, A2"),
        ("value_of_statement", "known: A1, A2"),
        ("practice", "known: DC1, DC2"),
        ("step_of_practice", "known: DC1, DC2"),
        ("promise", "known: P01, P02"),
        ("obstacle", "known: alignment, credibility"),
        ("reward", "known: return-on-people, repeat-business"),
    ],
)
def test_unknown_ids_raise_not_found(fw: Framework, method: str, known_hint: str) -> None:
    with pytest.raises(NotFoundError) as caught:
        getattr(fw, method)("Z9")
    message = str(caught.value)
    assert "'Z9'" in message
    assert known_hint in message
    assert "\n" not in message


def test_lookups_are_case_sensitive(fw: Framework) -> None:
    with pytest.raises(NotFoundError):
        fw.value("a")


def test_scale_point_lookup(fw: Framework) -> None:
    assert fw.scale.label(1) == "Never"
    assert fw.scale.maturity_label(5) == "Second nature"
    with pytest.raises(InputError, match=r"score 6 is not on the scale \(use 1 to 5\)"):
        fw.scale.point(6)


def test_models_are_frozen(fw: Framework) -> None:
    with pytest.raises(ValidationError):
        fw.id = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        fw.values[0].statements[0].text = "changed"  # type: ignore[misc]
    assert isinstance(fw.values, tuple)
    assert hash(fw.values[0].statements[0]) == hash(fw.statement("A1"))


def test_models_strip_whitespace_and_refuse_blanks_and_extras() -> None:
    assert Statement(id=" A9 ", text="  I smile.  ").model_dump() == {
        "id": "A9",
        "text": "I smile.",
        "reverse": False,
        "about": "self",
        "since": None,
    }
    with pytest.raises(ValidationError):
        Statement(id="A9", text="   ")
    with pytest.raises(ValidationError):
        Statement.model_validate({"id": "A9", "text": "I smile.", "weight": 2})
    with pytest.raises(ValidationError):
        Statement.model_validate({"id": "A9", "text": "I smile.", "reverse": "yes"})


def test_framework_built_in_python_still_checks_cross_references(shipped: Data) -> None:
    shipped["promises"][0]["step"] = "nowhere"
    with pytest.raises(ValidationError, match=r"promises\[0\]\.step: unknown step 'nowhere'"):
        Framework.model_validate(shipped)


def test_framework_round_trips_through_model_dump(fw: Framework) -> None:
    assert Framework.model_validate(fw.model_dump()) == fw


# --- the loader ------------------------------------------------------------


def test_default_load_is_cached(fw: Framework) -> None:
    assert load_framework() is fw
    assert load_framework(framework_file()) is fw
    assert load_framework(str(framework_file())) is fw


def test_explicit_path_is_cached_until_the_file_changes(
    tmp_path: Path, shipped: Data, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "copy.yaml"
    target.write_text(yaml.safe_dump(shipped, allow_unicode=True), encoding="utf-8")
    first = load_framework("copy.yaml")
    assert load_framework("copy.yaml") is first
    shipped["version"] = "1.2.0"
    target.write_text(yaml.safe_dump(shipped, allow_unicode=True), encoding="utf-8")
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    second = load_framework("copy.yaml")
    assert second.version == "1.2.0"
    assert first.version == "1.1.0"


def test_check_framework_file_returns_the_framework(fw: Framework) -> None:
    assert check_framework_file(framework_file()) == fw


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    target = tmp_path / "bom.yaml"
    target.write_bytes(b"\xef\xbb\xbf" + framework_file().read_bytes())
    assert check_framework_file(target).id == "dime-aeiou"


def test_missing_default_style_path_via_load_framework(tmp_path: Path) -> None:
    missing = tmp_path / "gone.yaml"
    with pytest.raises(FrameworkError) as caught:
        load_framework(missing)
    assert caught.value.problems == [f"{missing}: no such file"]
    assert isinstance(caught.value, WorkbookError)


Mutation = Callable[[Data], None]


def _rename(section: dict[str, Any], old: str, new: str) -> None:
    section[new] = section.pop(old)


def _extra_statement(data: Data) -> None:
    for n in (6, 7):
        data["values"][0]["statements"].append({"id": f"A{n}", "text": f"I do thing {n}."})


def _swap_first_values(data: Data) -> None:
    values = data["values"]
    values[0], values[1] = values[1], values[0]


def _move_culture_promises(data: Data) -> None:
    for promise in data["promises"]:
        if promise["step"] == "deliberate-culture":
            promise["step"] = "brand-experiences"


def _several(data: Data) -> None:
    data["values"][2]["statements"][4]["text"] = ""
    data["promises"][3]["value"] = "X"
    data["colour"] = "blue"


# (case id, mutation, exact problem lines after "my.yaml: ")
BAD_FILES: list[tuple[str, Mutation, list[str]]] = [
    (
        "empty-text",
        lambda d: d["values"][2]["statements"][4].update(text="   "),
        ["values[2].statements[4].text: must not be empty"],
    ),
    (
        "null-text",
        lambda d: d["promises"][0].update(standard=None),
        ["promises[0].standard: must not be empty"],
    ),
    (
        "blank-prompt",
        lambda d: d["steps"][3]["prompts"].__setitem__(1, " "),
        ["steps[3].prompts[1]: must not be empty"],
    ),
    (
        "unknown-field",
        lambda d: _rename(d["steps"][0], "practices", "praktices"),
        ["steps[0].practices: is required but missing", "steps[0].praktices: unknown field"],
    ),
    ("unknown-top-field", lambda d: d.update(colour="blue"), ["colour: unknown field"]),
    (
        "number-as-field-name",
        lambda d: d["steps"][0].update({1: "x"}),
        ["steps[0].1: unknown field (field names are words, not numbers or true/false)"],
    ),
    (
        "missing-field",
        lambda d: d["obstacles"][2].pop("signs"),
        ["obstacles[2].signs: is required but missing"],
    ),
    (
        "too-few-promises",
        lambda d: d["promises"].pop(),
        ["promises: must have exactly 10 promises, found 9"],
    ),
    (
        "too-few-practices",
        lambda d: d["steps"][1].update(practices=d["steps"][1]["practices"][:3]),
        ["steps[1].practices: must have 4 to 6 practices, found 3"],
    ),
    (
        "too-many-statements",
        _extra_statement,
        ["values[0].statements: must have 4 to 6 statements about oneself, found 7"],
    ),
    (
        "too-few-steps",
        lambda d: d["steps"].pop(),
        [
            "steps: must have exactly 4 steps, found 3",
            "promises[5].step: unknown step 'brand-experiences' "
            "(known: deliberate-culture, human-connections, positive-memories)",
            "promises[7].step: unknown step 'brand-experiences' "
            "(known: deliberate-culture, human-connections, positive-memories)",
            "promises[8].step: unknown step 'brand-experiences' "
            "(known: deliberate-culture, human-connections, positive-memories)",
            "obstacles[0].threatens[1]: unknown step 'brand-experiences' "
            "(known: deliberate-culture, human-connections, positive-memories)",
            "obstacles[3].threatens[1]: unknown step 'brand-experiences' "
            "(known: deliberate-culture, human-connections, positive-memories)",
            "obstacles[4].threatens[1]: unknown step 'brand-experiences' "
            "(known: deliberate-culture, human-connections, positive-memories)",
            "rewards[3].step: unknown step 'brand-experiences' "
            "(known: deliberate-culture, human-connections, positive-memories)",
        ],
    ),
    (
        "values-out-of-order",
        _swap_first_values,
        [
            "values: must be exactly the five values A, E, I, O, U in that order, "
            "found E, A, I, O, U"
        ],
    ),
    (
        "bad-promise-value",
        lambda d: d["promises"][3].update(value="X"),
        ["promises[3].value: unknown value 'X' (known: A, E, I, O, U)"],
    ),
    (
        "value-not-covered",
        lambda d: d["promises"][5].update(value="A"),
        ["promises: no promise covers value 'I' (Innovative)"],
    ),
    (
        "step-not-covered",
        _move_culture_promises,
        ["promises: no promise covers step 'deliberate-culture'"],
    ),
    (
        "bad-step-reward",
        lambda d: d["steps"][0].update(reward="money"),
        [
            "steps[0].reward: unknown reward 'money' "
            "(known: return-on-people, repeat-business, recommendations, recognition)"
        ],
    ),
    (
        "reward-points-at-wrong-step",
        lambda d: d["rewards"][0].update(step="human-connections"),
        [
            "rewards[0].step: step 'human-connections' names 'repeat-business' as its reward, "
            "not 'return-on-people' (each step earns exactly one reward)"
        ],
    ),
    (
        "two-steps-one-reward",
        lambda d: d["steps"][1].update(reward="return-on-people"),
        [
            "steps[1].reward: reward 'return-on-people' is already the reward of step "
            "'deliberate-culture'",
            "rewards[1].step: step 'human-connections' names 'return-on-people' as its reward, "
            "not 'repeat-business' (each step earns exactly one reward)",
        ],
    ),
    (
        "bad-threatens",
        lambda d: d["obstacles"][1].update(threatens=["culture", "human-connections"]),
        [
            "obstacles[1].threatens[0]: unknown step 'culture' (known: deliberate-culture, "
            "human-connections, positive-memories, brand-experiences)"
        ],
    ),
    (
        "threatens-twice",
        lambda d: d["obstacles"][1].update(threatens=["human-connections"] * 2),
        ["obstacles[1].threatens[1]: names 'human-connections' more than once"],
    ),
    (
        "duplicate-statement-id",
        lambda d: d["values"][1]["statements"][0].update(id="A1"),
        [
            "values[1].statements[0].id: duplicate statement id 'A1' "
            "(also used at values[0].statements[0].id)"
        ],
    ),
    (
        "duplicate-practice-id-across-steps",
        lambda d: d["steps"][3]["practices"][0].update(id="DC1"),
        [
            "steps[3].practices[0].id: duplicate practice id 'DC1' "
            "(also used at steps[0].practices[0].id)"
        ],
    ),
    (
        "practice-id-shared-with-a-statement",
        lambda d: d["steps"][3]["practices"][0].update(id="E1"),
        [
            "steps[3].practices[0].id: practice id 'E1' is also the id of "
            "values[1].statements[0]; use another id"
        ],
    ),
    (
        "duplicate-promise-id",
        lambda d: d["promises"][9].update(id="P01"),
        ["promises[9].id: duplicate promise id 'P01' (also used at promises[0].id)"],
    ),
    (
        "duplicate-step-letter",
        lambda d: d["steps"][2].update(letter="D"),
        ["steps[2].letter: duplicate letter 'D' (also used at steps[0].letter)"],
    ),
    (
        "step-number-out-of-order",
        lambda d: d["steps"][1].update(number=3),
        ["steps[1].number: must be 2 (steps are numbered 1 to 4 in order), found 3"],
    ),
    (
        "scale-gap",
        lambda d: d["scale"]["points"][2].update(value=4),
        ["scale.points[2].value: must be 3 (points count up from 1 with no gaps), found 4"],
    ),
    (
        "scale-blank-label",
        lambda d: d["scale"]["points"][0].update(label=""),
        ["scale.points[0].label: must not be empty"],
    ),
    (
        "scale-one-point",
        lambda d: d["scale"].update(points=d["scale"]["points"][:1]),
        ["scale.points: must have exactly 5 points, found 1"],
    ),
    (
        "scale-value-not-a-number",
        lambda d: d["scale"]["points"][2].update(value="three"),
        ["scale.points[2].value: must be a whole number, found 'three'"],
    ),
    (
        "version-as-number",
        lambda d: d.update(version=1.0),
        ["version: must be text, found the number 1.0 (put it in quotes)"],
    ),
    (
        "id-with-space",
        lambda d: d["promises"][0].update(id="P 1"),
        [
            "promises[0].id: must be an id made of letters, digits, '-' or '_' with no spaces, "
            "found 'P 1'"
        ],
    ),
    (
        "lower-case-letter",
        lambda d: d["steps"][1].update(letter="i"),
        ["steps[1].letter: must be a single capital letter, found 'i'"],
    ),
    (
        "reverse-not-boolean",
        lambda d: d["values"][0]["statements"][0].update(reverse="yes"),
        ["values[0].statements[0].reverse: must be true or false, found 'yes'"],
    ),
    (
        "list-where-mapping-expected",
        lambda d: d.update(scale=["Never", "Always"]),
        ["scale: must be a mapping of fields (name: value), found a list"],
    ),
    (
        "text-where-list-expected",
        lambda d: d["obstacles"][0].update(signs="people shout"),
        ["obstacles[0].signs: must be a list, found 'people shout'"],
    ),
    (
        "several-at-once-in-file-order",
        _several,
        [
            "values[2].statements[4].text: must not be empty",
            "promises[3].value: unknown value 'X' (known: A, E, I, O, U)",
            "colour: unknown field",
        ],
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [pytest.param(m, e, id=case) for case, m, e in BAD_FILES],
)
def test_bad_file_problem_lines(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    shipped: Data,
    mutate: Mutation,
    expected: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    data = copy.deepcopy(shipped)
    mutate(data)
    Path("my.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    with pytest.raises(FrameworkError) as caught:
        check_framework_file("my.yaml")
    assert caught.value.problems == [f"my.yaml: {line}" for line in expected]
    message = str(caught.value)
    assert "\n" not in message
    if len(expected) == 1:
        assert message == f"my.yaml: {expected[0]}"
    else:
        assert message == f"my.yaml: {len(expected)} problems found; first: {expected[0]}"
    # load_framework reports the same lines (nothing broken is ever cached).
    with pytest.raises(FrameworkError) as again:
        load_framework("my.yaml")
    assert again.value.problems == caught.value.problems


# (case id, raw file bytes, exact problem line after "my.yaml: ")
BAD_BYTES: list[tuple[str, bytes, str]] = [
    (
        "yaml-syntax-flow",
        b'id: dime\nname: [unclosed\nversion: "1"\n',
        "line 3, column 8: expected ',' or ']', but got ':'",
    ),
    (
        "yaml-syntax-indent",
        b"id: dime\n  name: x\n",
        "line 2, column 7: mapping values are not allowed here",
    ),
    (
        "yaml-tab",
        b"id: dime\n\tname: x\n",
        "line 2, column 1: found character '\\t' that cannot start any token",
    ),
    ("control-character", b"id: a\x07b\n", "line 1, column 6: unacceptable character #x0007"),
    (
        "top-level-list",
        b"- id: dime\n- version: 1\n",
        "the top level must be a mapping of fields (id:, version:, steps:, ...), found a list",
    ),
    (
        "top-level-text",
        b"just some words\n",
        "the top level must be a mapping of fields (id:, version:, steps:, ...), "
        "found 'just some words'",
    ),
    ("empty", b"", "the file is empty"),
    ("whitespace-only", b"  \n\n", "the file is empty"),
    ("comments-only", b"# nothing here yet\n", "the file is empty (only comments or blank lines)"),
    (
        "latin-1",
        "id: café\n".encode("latin-1"),
        "is not UTF-8 text (byte 0xe9 at offset 7); save it as UTF-8",
    ),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a binary file, not YAML text"),
    ("utf-16", "id: dime\n".encode("utf-16"), "is saved as UTF-16; save it as UTF-8 text instead"),
]


@pytest.mark.parametrize(
    ("content", "expected"),
    [pytest.param(c, e, id=case) for case, c, e in BAD_BYTES],
)
def test_unreadable_file_problem_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("my.yaml").write_bytes(content)
    with pytest.raises(FrameworkError) as caught:
        check_framework_file("my.yaml")
    assert caught.value.problems == [f"my.yaml: {expected}"]
    assert str(caught.value) == f"my.yaml: {expected}"


def test_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FrameworkError) as caught:
        check_framework_file("nope.yaml")
    assert caught.value.problems == ["nope.yaml: no such file"]
    assert str(caught.value) == "nope.yaml: no such file"


def test_folder_instead_of_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("adir").mkdir()
    with pytest.raises(FrameworkError) as caught:
        check_framework_file("adir")
    assert caught.value.problems == ["adir: is a folder, not a file"]


def test_every_problem_line_has_the_documented_shape(tmp_path: Path, shipped: Data) -> None:
    """Break many things at once: every line is ``file: dotted.path: message``."""
    for value in shipped["values"]:
        value["statements"][0]["text"] = ""
        value["statements"][1]["id"] = "A1"
    for step in shipped["steps"]:
        step["reward"] = "nothing"
    shipped["promises"] = shipped["promises"][:4]
    target = tmp_path / "broken.yaml"
    target.write_text(yaml.safe_dump(shipped, allow_unicode=True), encoding="utf-8")
    with pytest.raises(FrameworkError) as caught:
        check_framework_file(target)
    problems = caught.value.problems
    assert len(problems) >= 15
    shape = re.compile(rf"^{re.escape(str(target))}: [a-z_]+(\[\d+\]|\.[a-z_]+)*: \S.*$")
    for line in problems:
        assert shape.match(line), line
    assert len(set(problems)) == len(problems)
    assert str(caught.value).startswith(f"{target}: {len(problems)} problems found; first: ")


def test_a_scale_other_than_1_to_5_is_refused_because_it_could_not_be_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shipped: Data
) -> None:
    monkeypatch.chdir(tmp_path)
    data = copy.deepcopy(shipped)
    data["scale"]["points"].append({"value": 6, "label": "Beyond", "maturity_label": "Beyond"})
    Path("my.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(FrameworkError) as caught:
        check_framework_file("my.yaml")
    assert caught.value.problems == ["my.yaml: scale.points: must have exactly 5 points, found 6"]


def test_an_id_longer_than_its_column_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   shipped: Data) -> None:
    monkeypatch.chdir(tmp_path)
    data = copy.deepcopy(shipped)
    data["values"][0]["statements"][0]["id"] = "A" * 33
    Path("my.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(FrameworkError) as caught:
        check_framework_file("my.yaml")
    assert any(p.startswith("my.yaml: values[0].statements[0].id:") for p in caught.value.problems)


# --- editions: statements added later, and the organisation's statements --------


def test_edition_1_0_0_is_the_framework_before_the_organisation_statements(fw: Framework) -> None:
    old = fw.edition("1.0.0")
    assert old.version == "1.0.0"
    assert [s.id for s in old.statements] == [s.id for s in fw.self_statements]
    assert old.organisation_statements == ()
    # Everything else is the same framework: same texts, same promises.
    assert old.steps == fw.steps and old.promises == fw.promises and old.scale == fw.scale
    assert fw.edition("1.1.0") is fw and fw.edition("2.0.0") is fw
    assert fw.edition("1.0.0").edition("1.1.0").version == "1.0.0"  # an edition cannot grow back


def test_edition_compares_versions_as_numbers_not_text(shipped: Data) -> None:
    shipped["version"] = "1.10.0"
    shipped["values"][0]["statements"][5]["since"] = "1.9.0"
    fw = Framework.model_validate(shipped)
    assert "AO1" in {s.id for s in fw.edition("1.9.0").statements}
    assert "AO1" not in {s.id for s in fw.edition("1.2.0").statements}


def test_an_edition_must_be_a_version(fw: Framework) -> None:
    with pytest.raises(InputError, match=r"must look like 1\.0\.0"):
        fw.edition("latest")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["values"][0]["statements"].extend(
            {"id": f"AX{n}", "about": "organisation", "text": "In this organisation, people x."} for n in (1, 2)),
         "values[0].statements: must have 0 to 3 statements about the organisation, found 4"),
        (lambda d: d["values"][1]["statements"][5].update(since="1.2.0"),
         "values[1].statements[5].since: must not be later than the framework's version 1.1.0, found 1.2.0"),
        (lambda d: d["values"][1]["statements"][5].update(about="team"),
         "values[1].statements[5].about"),
    ],
    ids=["too-many-about-organisation", "since-after-version", "unknown-about"],
)
def test_organisation_statement_rules(tmp_path: Path, shipped: Data, change: Any, expected: str) -> None:
    change(shipped)
    target = tmp_path / "my.yaml"
    target.write_text(yaml.safe_dump(shipped, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(FrameworkError) as caught:
        check_framework_file(target)
    assert any(p.startswith(f"{target}: {expected}") for p in caught.value.problems), caught.value.problems
