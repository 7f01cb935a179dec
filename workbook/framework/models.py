"""The DIME(TM) framework as frozen, validated data.

Everything else in the workbook (questionnaires, scoring, the charter, reports)
reads the framework through these models, so the rules live here once: no blank
text, no unknown fields, ids that resolve.  The models are frozen because the
framework is reference data shared by every session; nobody should be able to
change a question halfway through a workshop.
"""

from __future__ import annotations

import re
from typing import Annotated, Final, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from workbook.errors import InputError, NotFoundError
from workbook.framework import rules
from workbook.framework.figures import Better, MeasureSource, as_number, format_number
from workbook.text import quoted

__all__ = [
    "ABOUT_ORGANISATION",
    "ABOUT_SELF",
    "ID_PATTERN",
    "LETTER_PATTERN",
    "VERSION_PATTERN",
    "CharterFoundation",
    "Example",
    "FoundationPart",
    "Framework",
    "Id",
    "Letter",
    "Measure",
    "Obstacle",
    "Practice",
    "Promise",
    "RecoveryField",
    "RecoveryFields",
    "RecoveryGuide",
    "RecoveryStage",
    "Reward",
    "Scale",
    "ScalePoint",
    "Statement",
    "Step",
    "Text",
    "Value",
    "Version",
    "version_key",
]

# At most 32 characters: ids are stored in columns of that width.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"
LETTER_PATTERN = r"^[A-Z]$"
VERSION_PATTERN = r"^[0-9]+\.[0-9]+\.[0-9]+$"

_NON_BLANK = StringConstraints(strip_whitespace=True, min_length=1)

Text = Annotated[str, _NON_BLANK]
"""Any human-readable text: surrounding whitespace is dropped and blank is refused."""

Id = Annotated[str, _NON_BLANK, StringConstraints(pattern=ID_PATTERN)]
"""A short reference such as ``A1`` or ``human-connections``: no spaces, safe in URLs and CSVs."""

Letter = Annotated[str, _NON_BLANK, StringConstraints(pattern=LETTER_PATTERN)]
"""A step's single capital letter (D, I, M, E), shown on charts."""

Version = Annotated[str, _NON_BLANK, StringConstraints(pattern=VERSION_PATTERN)]
"""``major.minor.patch``, so stored answers can say which wording they were given."""


class _Frozen(BaseModel):
    """Shared config: immutable, and a misspelt field is an error rather than silently ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ScalePoint(_Frozen):
    """One point of the rating scale, with a wording for people and one for practices."""

    value: StrictInt
    label: Text
    maturity_label: Text


class Scale(_Frozen):
    """The rating scale shared by statements and practices, so their scores compare."""

    points: tuple[ScalePoint, ...]
    dont_know_label: Text

    @property
    def values(self) -> tuple[int, ...]:
        """The allowed scores, lowest first (1..5 in the shipped file)."""
        return tuple(point.value for point in self.points)

    @property
    def minimum(self) -> int:
        return self.points[0].value

    @property
    def maximum(self) -> int:
        return self.points[-1].value

    def point(self, value: int) -> ScalePoint:
        """The point for a score; a score off the scale is the caller's input error."""
        for point in self.points:
            if point.value == value:
                return point
        span = f"{self.minimum} to {self.maximum}"
        raise InputError(f"score {value} is not on the scale (use {span})")

    def label(self, value: int) -> str:
        """The wording for a score on a personal statement."""
        return self.point(value).label

    def maturity_label(self, value: int) -> str:
        """The wording for a score on a team practice."""
        return self.point(value).maturity_label


class Practice(_Frozen):
    """An observable team behaviour that a team rates for maturity on the scale."""

    id: Id
    name: Text
    text: Text


class Step(_Frozen):
    """One of the four DIME steps: a relationship to improve, and how to see progress."""

    id: Id
    number: StrictInt
    letter: Letter
    name: Text
    #: Why the step has its letter, e.g. "human connections in every Interaction" for I:
    #: the names alone leave a newcomer asking why Human connections is not "H".
    letter_for: Text
    relationship: Text
    purpose: Text
    practices: tuple[Practice, ...]
    prompts: tuple[Text, ...]
    reward: Id


ABOUT_SELF: Final = "self"
ABOUT_ORGANISATION: Final = "organisation"


def version_key(version: str) -> tuple[int, ...]:
    """``"1.10.0"`` as ``(1, 10, 0)``, so editions compare as numbers and not as text."""
    return tuple(int(part) for part in version.split("."))


class Statement(_Frozen):
    """One item of the assessment; ``reverse`` items score high for poor behaviour.

    ``about`` says whose behaviour is rated: the respondent's own ("I ...",
    the default, which every value score is made of) or the organisation's
    ("In this organisation, people ..."), which is scored apart so that the
    two can be compared without moving the value scores.  ``since`` is the
    framework edition that first asked the statement: a response begun under
    an earlier edition is complete without it, and its cycle reports exactly
    as it did (see :meth:`Framework.edition`).
    """

    id: Id
    text: Text
    reverse: StrictBool = False
    about: Literal["self", "organisation"] = "self"
    since: Version | None = None

    @property
    def about_organisation(self) -> bool:
        return self.about == ABOUT_ORGANISATION


class Value(_Frozen):
    """One of the A-E-I-O-U values, asked of everyone, with statements that show it."""

    id: Id
    name: Text
    meaning: Text
    statements: tuple[Statement, ...]

    @property
    def self_statements(self) -> tuple[Statement, ...]:
        """The "I ..." statements: the only ones a value score is made of."""
        return tuple(s for s in self.statements if not s.about_organisation)

    @property
    def organisation_statements(self) -> tuple[Statement, ...]:
        """The "In this organisation, people ..." statements (none in editions before 1.1.0)."""
        return tuple(s for s in self.statements if s.about_organisation)


class Promise(_Frozen):
    """A starter charter promise: what customers read, tied to a value, a step and a standard."""

    id: Id
    text: Text
    value: Id
    step: Id
    standard: Text
    #: Optional: the customer measure (``measures:`` id) that shows the promise is kept, and its
    #: target, offered to the team with the starter ("at least" 95 on calls answered in 20 s).
    measure: Id | None = None
    target_op: Literal[">=", "<="] | None = None
    target: Number | None = None


class Example(_Frozen):
    """A worked example for a prompt: the text and why it is good or weak."""

    text: Text
    why: Text


class FoundationPart(_Frozen):
    """One half of the charter's first page (the brand promise or the common purpose)."""

    name: Text
    question: Text
    prompt: Text
    good: Annotated[tuple[Example, ...], Field(min_length=1)]
    bad: Annotated[tuple[Example, ...], Field(min_length=1)]


class CharterFoundation(_Frozen):
    """What the team writes before any promise: the brand promise (outside) and common purpose (inside)."""

    brand_promise: FoundationPart
    common_purpose: FoundationPart


class RecoveryStage(_Frozen):
    """One of the three stages of service recovery (seed 004): acknowledge, resolve, follow up."""

    id: Id
    name: Text
    summary: Text


class RecoveryField(_Frozen):
    """One column of the recovery playbook, with the stage it serves, a prompt and examples."""

    name: Text
    #: The stage (``stages:`` id) this column belongs to; None for the failure itself.
    stage: Id | None = None
    question: Text
    prompt: Text
    good: Annotated[tuple[Example, ...], Field(min_length=1)]
    bad: Annotated[tuple[Example, ...], Field(min_length=1)]


class RecoveryFields(_Frozen):
    """The playbook's columns, fixed because the store has a column for each."""

    failure: RecoveryField
    say: RecoveryField
    offer: RecoveryField
    limit: RecoveryField
    speed: RecoveryField
    follow_up_by: RecoveryField
    follow_up_when: RecoveryField


class RecoveryGuide(_Frozen):
    """How the team builds its service recovery playbook, and how customers are told about it.

    ``step`` is the workshop step whose page holds the playbook (positive
    memories in the shipped file); ``currency`` is printed before the amount
    staff may give; ``customers_heading`` and ``customers_intro`` head the
    playbook in the customers' charter, which leaves out amounts and owners.
    """

    name: Text
    step: Id
    intro: Text
    currency: Text
    customers_heading: Text
    customers_intro: Text
    follow_up_questions: Annotated[tuple[Text, ...], Field(min_length=1)]
    stages: Annotated[tuple[RecoveryStage, ...], Field(min_length=1)]
    fields: RecoveryFields

    def stage(self, stage_id: str | None) -> RecoveryStage | None:
        """The stage a field belongs to (None for the failure, or an id the rules already refused)."""
        return next((s for s in self.stages if s.id == stage_id), None)


class Obstacle(_Frozen):
    """A known obstacle on the service journey, with signs to spot it early."""

    id: Id
    name: Text
    description: Text
    signs: tuple[Text, ...]
    threatens: tuple[Id, ...]


class Reward(_Frozen):
    """A reward of exceptional service; each step earns exactly one."""

    id: Id
    name: Text
    description: Text
    step: Id


Number = Annotated[float, Strict()]
"""A plain YAML number (``95`` or ``2.5``); quoted text or true/false is refused rather than guessed at."""


class Measure(_Frozen):
    """A customer-side measure watched quarter by quarter on the scorecard.

    ``minimum`` and ``maximum`` bound the values a team may enter, so a typo
    (120 % or a negative count) is caught when it is typed, not when a trend
    looks odd three quarters later.  A ``%`` measure is capped at 100 unless
    the file says otherwise.
    """

    id: Id
    name: Text
    unit: Text
    better: Better
    source: MeasureSource
    description: Text
    minimum: Number = 0
    maximum: Number | None = None

    @property
    def highest(self) -> float | None:
        """The largest value allowed, or None when there is no upper bound."""
        if self.maximum is not None:
            return self.maximum
        return 100.0 if self.unit == "%" else None

    def show(self, value: float) -> str:
        """A value with its unit, the way the scorecard prints it: ``95 %``, ``£42.5``, ``38 seconds``, ``23``."""
        number = format_number(value)
        if self.unit in {"£", "$", "€"}:
            return f"{self.unit}{number}"
        if self.unit == "count":  # "23 complaints" reads well; "23 count" does not, and the measure names the thing
            return number
        return f"{number} {self.unit}"

    def check_value(self, value: object) -> float:
        """``value`` as a float when it is a finite number in range, else a one-line InputError.

        The browser and CSV files both send text, so text holding a number is
        accepted; anything else says what this measure expects.
        """
        if self.unit == "%" and isinstance(value, str):
            value = value.strip().removesuffix("%")
        number = as_number(value)
        if number is None:
            raise InputError(f"{self.name}: {quoted(str(value).strip())} is not a number; {self._expects()}")
        highest = self.highest
        if number < self.minimum or (highest is not None and number > highest):
            raise InputError(f"{self.name}: {format_number(number)} is out of range; {self._expects()}")
        if self.unit == "count" and number != int(number):
            raise InputError(f"{self.name}: {format_number(number)} is not a whole number; a count has none")
        return number

    def _expects(self) -> str:
        low = format_number(self.minimum)
        highest = self.highest
        if highest is None:
            return f"enter a number of at least {low} ({self.unit})"
        return f"enter a number from {low} to {format_number(highest)} ({self.unit})"


class Framework(_Frozen):
    """The whole framework file, checked as a unit so every reference resolves."""

    id: Id
    version: Version
    name: Text
    credit: Text
    scale: Scale
    steps: tuple[Step, ...]
    values: tuple[Value, ...]
    promises: tuple[Promise, ...]
    #: Optional, so a framework file adapted before the charter's first page existed still loads.
    charter_foundation: CharterFoundation | None = None
    obstacles: tuple[Obstacle, ...]
    rewards: tuple[Reward, ...]
    #: Optional, so a framework file adapted before the scorecard existed still loads.
    measures: tuple[Measure, ...] = ()
    #: Optional, so a framework file adapted before the recovery playbook existed still loads.
    recovery: RecoveryGuide | None = None

    @model_validator(mode="after")
    def _whole_file_rules(self) -> Self:
        """Counts, unique ids and cross-references (see ``rules``) must hold for any Framework."""
        problems = rules.check(self.model_dump())
        if problems:
            lines = [f"{rules.format_loc(loc)}: {message}" for loc, message in problems]
            raise PydanticCustomError(
                "framework_rules",
                "{summary}",
                {"summary": "; ".join(lines), "problems": lines},
            )
        return self

    # --- lookups: unknown ids raise NotFoundError so callers need no None checks ---

    @property
    def statements(self) -> tuple[Statement, ...]:
        """Every statement a respondent is asked, value by value, in file order."""
        return tuple(statement for value in self.values for statement in value.statements)

    @property
    def dime_letters(self) -> str:
        """One sentence saying what each letter of DIME™ stands for, for a newcomer's first screen."""
        steps = "; ".join(f"{s.letter}, {s.letter_for}" for s in self.steps)
        return f"DIME™ is named after its four steps: {steps}."

    @property
    def self_statements(self) -> tuple[Statement, ...]:
        """The statements about oneself, value by value: what the value scores count."""
        return tuple(statement for value in self.values for statement in value.self_statements)

    @property
    def organisation_statements(self) -> tuple[Statement, ...]:
        """The statements about the organisation, value by value (scored on their own)."""
        return tuple(statement for value in self.values for statement in value.organisation_statements)

    def edition(self, version: str) -> Framework:
        """This framework as it was asked in edition ``version``: without the statements added since.

        A response keeps the edition it was begun under (stored with it), so an
        older cycle is completed, scored and reported on exactly the statements its
        people were given, and under that version number.  Texts are today's:
        an edition only ever adds statements, it never rewords one.  A version at
        or after this file's own gives this framework unchanged.
        """
        wanted = version_key(_check_version(version))
        if wanted >= version_key(self.version):
            return self
        values = tuple(
            value.model_copy(update={"statements": tuple(
                s for s in value.statements if s.since is None or version_key(s.since) <= wanted)})
            for value in self.values
        )
        return self.model_copy(update={"version": version, "values": values})

    @property
    def practices(self) -> tuple[Practice, ...]:
        """Every practice, step by step, in file order."""
        return tuple(practice for step in self.steps for practice in step.practices)

    def value(self, value_id: str) -> Value:
        for value in self.values:
            if value.id == value_id:
                return value
        raise _unknown("value", value_id, [v.id for v in self.values])

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise _unknown("step", step_id, [s.id for s in self.steps])

    def statement(self, statement_id: str) -> Statement:
        return self._statement_and_value(statement_id)[0]

    def value_of_statement(self, statement_id: str) -> Value:
        """The value a statement belongs to, so scores can be grouped by value."""
        return self._statement_and_value(statement_id)[1]

    def practice(self, practice_id: str) -> Practice:
        return self._practice_and_step(practice_id)[0]

    def step_of_practice(self, practice_id: str) -> Step:
        """The step a practice belongs to, so maturity can be grouped by step."""
        return self._practice_and_step(practice_id)[1]

    def promise(self, promise_id: str) -> Promise:
        for promise in self.promises:
            if promise.id == promise_id:
                return promise
        raise _unknown("promise", promise_id, [p.id for p in self.promises])

    def obstacle(self, obstacle_id: str) -> Obstacle:
        for obstacle in self.obstacles:
            if obstacle.id == obstacle_id:
                return obstacle
        raise _unknown("obstacle", obstacle_id, [o.id for o in self.obstacles])

    def reward(self, reward_id: str) -> Reward:
        for reward in self.rewards:
            if reward.id == reward_id:
                return reward
        raise _unknown("reward", reward_id, [r.id for r in self.rewards])

    def measure(self, measure_id: str) -> Measure:
        for measure in self.measures:
            if measure.id == measure_id:
                return measure
        raise _unknown("measure", measure_id, [m.id for m in self.measures])

    def _statement_and_value(self, statement_id: str) -> tuple[Statement, Value]:
        for value in self.values:
            for statement in value.statements:
                if statement.id == statement_id:
                    return statement, value
        raise _unknown("statement", statement_id, [s.id for s in self.statements])

    def _practice_and_step(self, practice_id: str) -> tuple[Practice, Step]:
        for step in self.steps:
            for practice in step.practices:
                if practice.id == practice_id:
                    return practice, step
        raise _unknown("practice", practice_id, [p.id for p in self.practices])


def _check_version(version: object) -> str:
    if not isinstance(version, str) or re.match(VERSION_PATTERN, version) is None:
        raise InputError(f"the framework version {quoted(str(version))} must look like 1.0.0")
    return version


def _unknown(kind: str, wanted: str, known: list[str]) -> NotFoundError:
    """A one-line NotFoundError that lists the ids that do exist, so the fix is obvious."""
    listed = ", ".join(known)
    return NotFoundError(f"unknown {kind} id {quoted(wanted)} in the framework (known: {listed})")
