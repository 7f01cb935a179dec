"""Whole-file rules for the framework: counts, unique ids and cross-references.

Pydantic checks each field on its own; these rules need the whole file at once
(does a promise's ``value`` name a value that exists?).  They run on plain
YAML-shaped data rather than on the models so that the loader can apply them
even when some fields are broken: a consultant then sees a typo in a text *and*
a dangling reference in the same run, instead of fixing one problem per run.

Anything that is not the expected shape is skipped silently here, because the
field-level validation already reports it; that keeps every mistake to one line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

__all__ = [
    "ORGANISATION_STATEMENTS_PER_VALUE",
    "PRACTICES_PER_STEP",
    "PROMISE_COUNT",
    "STATEMENTS_PER_VALUE",
    "VALUE_IDS",
    "Loc",
    "Problem",
    "check",
    "format_loc",
]

Loc = tuple[str | int, ...]
"""Where a problem is, as a path of field names and list indexes."""

Problem = tuple[Loc, str]
"""One problem: where it is and what is wrong, in plain English."""

VALUE_IDS: tuple[str, ...] = ("A", "E", "I", "O", "U")
STEP_COUNT = 4
PROMISE_COUNT = 10
OBSTACLE_COUNT = 5
REWARD_COUNT = 4
PRACTICES_PER_STEP = (4, 6)
STATEMENTS_PER_VALUE = (4, 6)
# Statements about the organisation ("In this organisation, people ..."), besides
# those about oneself: a few per value keep the questionnaire short on a phone.
ORGANISATION_STATEMENTS_PER_VALUE = (0, 3)
# Exactly 1 to 5: answers and workshop ratings are stored with a database
# CHECK of 1..5, so an adapted scale of another length could not be saved.
SCALE_POINTS = (5, 5)


def format_loc(loc: Loc) -> str:
    """Render a location the way people read it: ``values[2].statements[4].text``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def check(data: object) -> list[Problem]:
    """Every whole-file problem in ``data`` (a parsed framework file), in file order."""
    if not isinstance(data, Mapping):
        return []
    problems: list[Problem] = []
    problems += _check_scale(data.get("scale"))
    step_ids = _ids(data.get("steps"))
    value_ids = _ids(data.get("values"))
    reward_ids = _ids(data.get("rewards"))
    problems += _check_steps(data.get("steps"), reward_ids)
    problems += _check_values(data.get("values"))
    problems += _check_editions(data.get("values"), data.get("version"))
    problems += _check_promises(data.get("promises"), data.get("values"), value_ids, step_ids)
    problems += _check_obstacles(data.get("obstacles"), step_ids)
    problems += _check_rewards(data.get("rewards"), data.get("steps"), step_ids)
    problems += _check_shared_ids(data.get("steps"), data.get("values"), data.get("promises"))
    problems += _check_measures(data.get("measures"))
    problems += _check_promise_targets(data.get("promises"))
    problems += _check_recovery(data.get("recovery"), step_ids)
    return problems


def _check_shared_ids(steps: object, values: object, promises: object) -> list[Problem]:
    """Statement, practice and promise ids must not collide with one another.

    Answers, workshop ratings and charter promises are stored and reported by
    id; one id naming two things would let their scores mix silently.
    """
    owners: dict[str, str] = {}
    for index, value in _maps(values):
        for s_index, statement in _maps(value.get("statements")):
            ident = _text(statement.get("id"))
            if ident is not None:
                owners.setdefault(ident, f"values[{index}].statements[{s_index}]")
    problems: list[Problem] = []
    practices: dict[str, str] = {}  # duplicates among practices are reported by _check_steps
    for index, step in _maps(steps):
        for p_index, practice in _maps(step.get("practices")):
            ident = _text(practice.get("id"))
            if ident is not None and ident in owners:
                loc: Loc = ("steps", index, "practices", p_index, "id")
                problems.append((loc, f"practice id '{ident}' is also the id of {owners[ident]}; use another id"))
            elif ident is not None:
                practices.setdefault(ident, f"steps[{index}].practices[{p_index}]")
    owners = {**practices, **owners}
    for index, promise in _maps(promises):
        ident = _text(promise.get("id"))
        if ident is not None and ident in owners:
            problems.append((("promises", index, "id"),
                             f"promise id '{ident}' is also the id of {owners[ident]}; use another id"))
    return problems


# --- tolerant readers -------------------------------------------------------


def _seq(raw: object) -> Sequence[object] | None:
    """The list at ``raw``, or None when it is not a list (reported elsewhere)."""
    if isinstance(raw, Sequence) and not isinstance(raw, str | bytes):
        return raw
    return None


def _maps(raw: object) -> Iterator[tuple[int, Mapping[str, object]]]:
    """The (index, mapping) entries of a list, skipping malformed entries."""
    for index, item in enumerate(_seq(raw) or ()):
        if isinstance(item, Mapping):
            yield index, item


def _text(raw: object) -> str | None:
    """A stripped, non-empty string, or None (a blank is reported elsewhere)."""
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    return None


def _int(raw: object) -> int | None:
    """An integer that is not a bool, or None."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    return None


def _ids(raw: object) -> list[str]:
    """The readable ids of the entries of a list, in order."""
    return [i for _, item in _maps(raw) if (i := _text(item.get("id"))) is not None]


def _unknown(loc: Loc, kind: str, ident: str, known: Sequence[str]) -> Problem:
    """A dangling reference, listing what it could have been."""
    return loc, f"unknown {kind} '{ident}' (known: {', '.join(known) if known else 'none'})"


def _count(loc: Loc, raw: object, low: int, high: int | None, noun: str) -> list[Problem]:
    """A count problem when the list at ``loc`` has the wrong number of entries."""
    items = _seq(raw)
    if items is None:
        return []
    found = len(items)
    if low <= found and (high is None or found <= high):
        return []
    if high == low:
        rule = f"exactly {low}"
    elif high is None:
        rule = f"at least {low}"
    else:
        rule = f"{low} to {high}"
    return [(loc, f"must have {rule} {noun}, found {found}")]


def _duplicates(entries: Sequence[tuple[Loc, str | None]], what: str) -> list[Problem]:
    """One problem per repeated id (or letter), pointing back to its first use."""
    first: dict[str, Loc] = {}
    problems: list[Problem] = []
    for loc, ident in entries:
        if ident is None:
            continue
        if ident in first:
            where = format_loc(first[ident])
            problems.append((loc, f"duplicate {what} '{ident}' (also used at {where})"))
        else:
            first[ident] = loc
    return problems


# --- the rules, one function per top-level section ----------------------------


def _check_scale(scale: object) -> list[Problem]:
    if not isinstance(scale, Mapping):
        return []
    points = scale.get("points")
    problems = _count(("scale", "points"), points, SCALE_POINTS[0], SCALE_POINTS[1], "points")
    for index, point in _maps(points):
        value = _int(point.get("value"))
        if value is not None and value != index + 1:
            problems.append(
                (
                    ("scale", "points", index, "value"),
                    f"must be {index + 1} (points count up from 1 with no gaps), found {value}",
                )
            )
    return problems


def _check_steps(steps: object, reward_ids: Sequence[str]) -> list[Problem]:
    problems = _count(("steps",), steps, STEP_COUNT, STEP_COUNT, "steps")
    step_entries: list[tuple[Loc, str | None]] = []
    letter_entries: list[tuple[Loc, str | None]] = []
    practice_entries: list[tuple[Loc, str | None]] = []
    reward_owner: dict[str, str] = {}
    low, high = PRACTICES_PER_STEP
    for index, step in _maps(steps):
        here: Loc = ("steps", index)
        step_id = _text(step.get("id"))
        step_entries.append(((*here, "id"), step_id))
        letter_entries.append(((*here, "letter"), _text(step.get("letter"))))
        number = _int(step.get("number"))
        if number is not None and number != index + 1:
            problems.append(
                (
                    (*here, "number"),
                    f"must be {index + 1} (steps are numbered 1 to {STEP_COUNT} in order), "
                    f"found {number}",
                )
            )
        problems += _count((*here, "practices"), step.get("practices"), low, high, "practices")
        problems += _count((*here, "prompts"), step.get("prompts"), 1, None, "prompt")
        for p_index, practice in _maps(step.get("practices")):
            p_loc: Loc = (*here, "practices", p_index, "id")
            practice_entries.append((p_loc, _text(practice.get("id"))))
        reward = _text(step.get("reward"))
        if reward is None:
            continue
        if reward not in reward_ids:
            problems.append(_unknown((*here, "reward"), "reward", reward, reward_ids))
        elif reward in reward_owner:
            owner = reward_owner[reward]
            message = f"reward '{reward}' is already the reward of step '{owner}'"
            problems.append(((*here, "reward"), message))
        else:
            reward_owner[reward] = step_id or f"steps[{index}]"
    problems += _duplicates(step_entries, "step id")
    problems += _duplicates(letter_entries, "letter")
    problems += _duplicates(practice_entries, "practice id")
    return problems


def _check_values(values: object) -> list[Problem]:
    problems: list[Problem] = []
    entries = list(_maps(values))
    found = [_text(value.get("id")) for _, value in entries]
    items = _seq(values)
    if items is not None:
        if None not in found and len(found) == len(items):
            if tuple(found) != VALUE_IDS:
                shown = ", ".join(i for i in found if i is not None) or "none"
                problems.append(
                    (
                        ("values",),
                        f"must be exactly the five values {', '.join(VALUE_IDS)} in that order, "
                        f"found {shown}",
                    )
                )
        else:
            problems += _count(("values",), values, len(VALUE_IDS), len(VALUE_IDS), "values")
    statement_entries: list[tuple[Loc, str | None]] = []
    low, high = STATEMENTS_PER_VALUE
    org_low, org_high = ORGANISATION_STATEMENTS_PER_VALUE
    for index, value in entries:
        here: Loc = ("values", index, "statements")
        listed = _seq(value.get("statements"))
        if listed is not None:
            about_org = [s for s in listed if isinstance(s, Mapping) and s.get("about") == "organisation"]
            own = [s for s in listed if not (isinstance(s, Mapping) and s.get("about") == "organisation")]
            problems += _count(here, own, low, high, "statements about oneself")
            problems += _count(here, about_org, org_low, org_high, "statements about the organisation")
        for s_index, statement in _maps(value.get("statements")):
            statement_entries.append(((*here, s_index, "id"), _text(statement.get("id"))))
    problems += _duplicates(statement_entries, "statement id")
    return problems


def _check_editions(values: object, version: object) -> list[Problem]:
    """A statement's ``since`` may not be later than the file's own version.

    Such a statement would be asked of nobody (every response is begun under
    the file's version or an earlier one), so it is a typo, not a plan.
    """
    current = _version(version)
    if current is None:
        return []
    problems: list[Problem] = []
    for index, value in _maps(values):
        for s_index, statement in _maps(value.get("statements")):
            since = _version(statement.get("since"))
            if since is not None and since > current:
                problems.append((("values", index, "statements", s_index, "since"),
                                 f"must not be later than the framework's version {version}, "
                                 f"found {statement.get('since')}"))
    return problems


def _version(raw: object) -> tuple[int, ...] | None:
    """``"1.2.0"`` as (1, 2, 0); None for anything else (reported by the field checks)."""
    if not isinstance(raw, str):
        return None
    parts = raw.strip().split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)


def _check_promises(
    promises: object, values: object, value_ids: Sequence[str], step_ids: Sequence[str]
) -> list[Problem]:
    problems = _count(("promises",), promises, PROMISE_COUNT, PROMISE_COUNT, "promises")
    entries: list[tuple[Loc, str | None]] = []
    covered_values: set[str] = set()
    covered_steps: set[str] = set()
    for index, promise in _maps(promises):
        here: Loc = ("promises", index)
        entries.append(((*here, "id"), _text(promise.get("id"))))
        value = _text(promise.get("value"))
        if value is not None:
            if value in value_ids:
                covered_values.add(value)
            else:
                problems.append(_unknown((*here, "value"), "value", value, value_ids))
        step = _text(promise.get("step"))
        if step is not None:
            if step in step_ids:
                covered_steps.add(step)
            else:
                problems.append(_unknown((*here, "step"), "step", step, step_ids))
    problems += _duplicates(entries, "promise id")
    if _seq(promises) is None:
        return problems
    names = {i: _text(v.get("name")) for _, v in _maps(values) if (i := _text(v.get("id")))}
    for value_id in value_ids:
        if value_id not in covered_values:
            label = f" ({names[value_id]})" if names.get(value_id) else ""
            problems.append((("promises",), f"no promise covers value '{value_id}'{label}"))
    for step_id in step_ids:
        if step_id not in covered_steps:
            problems.append((("promises",), f"no promise covers step '{step_id}'"))
    return problems


def _check_obstacles(obstacles: object, step_ids: Sequence[str]) -> list[Problem]:
    problems = _count(("obstacles",), obstacles, OBSTACLE_COUNT, OBSTACLE_COUNT, "obstacles")
    entries: list[tuple[Loc, str | None]] = []
    for index, obstacle in _maps(obstacles):
        here: Loc = ("obstacles", index)
        entries.append(((*here, "id"), _text(obstacle.get("id"))))
        problems += _count((*here, "signs"), obstacle.get("signs"), 1, None, "sign")
        threatens = obstacle.get("threatens")
        problems += _count((*here, "threatens"), threatens, 1, None, "step")
        seen: set[str] = set()
        for t_index, raw in enumerate(_seq(threatens) or ()):
            step = _text(raw)
            if step is None:
                continue
            if step not in step_ids:
                problems.append(_unknown((*here, "threatens", t_index), "step", step, step_ids))
            elif step in seen:
                problems.append(((*here, "threatens", t_index), f"names '{step}' more than once"))
            seen.add(step)
    problems += _duplicates(entries, "obstacle id")
    return problems


def _check_rewards(rewards: object, steps: object, step_ids: Sequence[str]) -> list[Problem]:
    problems = _count(("rewards",), rewards, REWARD_COUNT, REWARD_COUNT, "rewards")
    entries: list[tuple[Loc, str | None]] = []
    reward_ids = _ids(rewards)
    reward_of_step = {
        i: _text(step.get("reward")) for _, step in _maps(steps) if (i := _text(step.get("id")))
    }
    for index, reward in _maps(rewards):
        here: Loc = ("rewards", index)
        reward_id = _text(reward.get("id"))
        entries.append(((*here, "id"), reward_id))
        step = _text(reward.get("step"))
        if step is None:
            continue
        if step not in step_ids:
            problems.append(_unknown((*here, "step"), "step", step, step_ids))
            continue
        named = reward_of_step.get(step)
        # A step naming an unknown reward is reported on the step; say it only once.
        if reward_id is not None and named in reward_ids and named != reward_id:
            problems.append(
                (
                    (*here, "step"),
                    f"step '{step}' names '{named}' as its reward, not '{reward_id}' "
                    "(each step earns exactly one reward)",
                )
            )
    problems += _duplicates(entries, "reward id")
    return problems


def _number(raw: object) -> float | None:
    """An int or float that is not a bool, or None (a wrong type is reported elsewhere)."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    return None


def _check_measures(measures: object) -> list[Problem]:
    """Measure ids are unique, and each measure's range is one a value can fall in.

    Values are stored and imported by measure id, so two measures sharing an id
    would mix their quarters; a range with nothing in it would refuse every value.
    """
    problems: list[Problem] = []
    entries: list[tuple[Loc, str | None]] = []
    for index, measure in _maps(measures):
        here: Loc = ("measures", index)
        entries.append(((*here, "id"), _text(measure.get("id"))))
        low = _number(measure.get("minimum", 0))
        high = _number(measure.get("maximum"))
        if high is None and _text(measure.get("unit")) == "%":
            high = 100.0
        if low is not None and high is not None and low >= high:
            problems.append(((*here, "maximum"),
                             f"must be more than the minimum ({low:g}), found {high:g}"))
    problems += _duplicates(entries, "measure id")
    return problems


def _check_promise_targets(promises: object) -> list[Problem]:
    """A starter's target needs both a measure and a comparison.

    The measure itself may be missing from the catalogue: a consultant who
    replaces the catalogue should not have to edit the starters too; such a
    starter is offered without its measure (``workbook.apps.charter.starter_record``).
    """
    problems: list[Problem] = []
    for index, promise in _maps(promises):
        here: Loc = ("promises", index)
        measure = _text(promise.get("measure"))
        has_target = promise.get("target") is not None
        if has_target and (measure is None or promise.get("target_op") is None):
            problems.append(((*here, "target"), "a target needs a measure and a target_op (>= or <=)"))
    return problems


def _check_recovery(recovery: object, step_ids: Sequence[str]) -> list[Problem]:
    """The playbook's page is a step that exists, its stage ids are unique and every field's stage is one of them."""
    if not isinstance(recovery, Mapping):
        return []
    problems: list[Problem] = []
    step = _text(recovery.get("step"))
    if step is not None and step not in step_ids:
        problems.append(_unknown(("recovery", "step"), "step", step, step_ids))
    stages = list(_maps(recovery.get("stages")))
    problems += _duplicates([(("recovery", "stages", i, "id"), _text(s.get("id"))) for i, s in stages], "stage id")
    stage_ids = list(dict.fromkeys(i for i in (_text(s.get("id")) for _, s in stages) if i is not None))
    fields = recovery.get("fields")
    if isinstance(fields, Mapping):
        for name, field in fields.items():
            stage = _text(field.get("stage")) if isinstance(field, Mapping) else None
            if stage is not None and stage not in stage_ids:
                problems.append(_unknown(("recovery", "fields", str(name), "stage"), "stage", stage, stage_ids))
    return problems
