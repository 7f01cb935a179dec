"""A promise's measure and target: which customer measure shows it is kept, and what counts as kept.

A promise may name one measure of the framework's catalogue (``measures:`` in
``data/framework.yaml``) and a target on it: an operator (``>=`` "at least" or
``<=`` "at most") and a number in the measure's unit, e.g. *calls answered by
a person within 20 seconds* ``>= 95`` %.  A quarter's value keeps the promise
when it meets the target; nothing else is guessed (no value: "no result").

The catalogue is read through :class:`MeasureLike`, the few attributes of the
framework's ``Measure`` this module needs, so the charter depends on the
shape of a measure, not on where the catalogue is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal, Protocol

from workbook.errors import InputError, NotFoundError
from workbook.framework import Framework
from workbook.text import quoted

__all__ = [
    "OP_SYMBOLS",
    "OP_WORDS",
    "TARGET_OPS",
    "MeasureLike",
    "TargetOp",
    "catalogue",
    "clean_target",
    "find_measure",
    "is_kept",
    "target_text",
    "wrong_way",
]

TargetOp = Literal[">=", "<="]
TARGET_OPS: Final[tuple[TargetOp, ...]] = (">=", "<=")
OP_WORDS: Final = {">=": "at least", "<=": "at most"}
OP_SYMBOLS: Final = {">=": "≥", "<=": "≤"}
#: What people (and browsers) may send for an operator, folded to the stored one.
_OP_ALIASES: Final = {">=": ">=", "≥": ">=", "=>": ">=", "at least": ">=", "<=": "<=", "≤": "<=", "=<": "<=",
                      "at most": "<="}


class MeasureLike(Protocol):
    """What the charter needs of a catalogue measure (the framework's ``Measure`` has all of it)."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def better(self) -> str: ...  # "higher" or "lower"

    def show(self, value: float) -> str: ...
    def check_value(self, value: object) -> float: ...


def catalogue(framework: Framework) -> Sequence[MeasureLike]:
    """The framework's customer measures, in file order (empty for a file without ``measures:``)."""
    return framework.measures


def find_measure(framework: Framework, measure_id: str) -> MeasureLike:
    """One measure by id; NotFoundError names the ones there are."""
    known = catalogue(framework)
    for measure in known:
        if measure.id == measure_id:
            return measure
    listed = ", ".join(m.id for m in known) or "none in this framework file"
    raise NotFoundError(f"unknown customer measure {quoted(measure_id)} (choose one of {listed})")


def clean_target(measure_id: object, op: object, value: object, framework: Framework,
                 where: str = "the promise") -> tuple[str | None, TargetOp | None, float | None]:
    """A promise's measure, operator and target checked together; InputError says what to fix.

    A measure may be chosen before its target (a draft is allowed to be
    incomplete: the checks advise); a target without a measure is refused,
    since nobody could tell what it counts.  The number must be one the
    measure can take (e.g. 0-100 for a percentage).
    """
    if measure_id is None or measure_id == "":
        if value not in (None, ""):
            raise InputError(f"{where}: a target needs a measure; choose the measure first")
        return None, None, None
    if not isinstance(measure_id, str):
        raise InputError(f"{where}: a measure is chosen by its id, not {measure_id!r}")
    try:
        measure = find_measure(framework, measure_id)
    except NotFoundError as error:
        raise NotFoundError(f"{where}: {error}") from None
    clean_op: TargetOp | None = None
    if op is not None and op != "":
        folded = _OP_ALIASES.get(str(op).strip().lower()) if isinstance(op, str) else None
        if folded is None:
            raise InputError(f"{where}: the target's comparison is “at least” (>=) or “at most” (<=), "
                             f"not {quoted(op)}")
        clean_op = ">=" if folded == ">=" else "<="
    if value is None or value == "":
        return measure.id, clean_op, None
    try:
        number = measure.check_value(value)
    except InputError as error:
        raise InputError(f"{where}: the target {error}") from None
    if clean_op is None:
        clean_op = ">=" if measure.better == "higher" else "<="
    return measure.id, clean_op, number


def target_text(measure: MeasureLike, op: str | None, value: float | None) -> str:
    """"at least 95 %" / "at most 3 minutes"; "no target yet" while one is missing."""
    if op is None or value is None:
        return "no target yet"
    return f"{OP_WORDS.get(op, op)} {measure.show(value)}"


def is_kept(value: float, op: str, target: float) -> bool:
    """Whether a quarter's ``value`` meets the target (the boundary counts as kept: 95 meets ">= 95")."""
    return value >= target if op == ">=" else value <= target


def wrong_way(measure: MeasureLike, op: str | None) -> bool:
    """True when the target points against the measure's better direction ("at least 5 complaints")."""
    if op is None:
        return False
    return (op == ">=") != (measure.better == "higher")
