"""The checks a charter must pass before it is approved, shown as the team writes.

A charter is "more than words on a poster" only if every promise is specific,
measurable, owned and reviewed, and the ten together cover the whole of the
DIME™ approach.  :func:`check_charter` is pure (no database, no widgets): the
app shows its findings live, and the store refuses approval while any finding
is *blocking*.

Blocking (approval refused):

* ``count``             - not exactly :data:`REQUIRED_PROMISES` promises;
* ``empty_text``        - a promise with no words for customers;
* ``vague``             - a vague word (:data:`VAGUE_PHRASES`, e.g. "promptly",
                          "strive") while neither the promise nor its standard
                          holds a measure (a number, a time or a quantity, see
                          :func:`has_measure`);
* ``missing_standard``, ``missing_owner``, ``missing_review_date``;
* ``review_date_past``  - a review date before today;
* ``missing_value``, ``missing_step`` - a promise tied to no value or step;
* ``duplicate``         - two promises whose texts are at least
                          :data:`DUPLICATE_CUTOFF` similar (:func:`similarity`);
* ``value_not_covered``, ``step_not_covered`` - one of the five values or the
                          four steps is served by no promise.

Advice (shown, never blocking): ``unmeasured_standard`` (a standard with no
number, time or quantity), ``long_text`` (more than :data:`LONG_TEXT` characters)
and ``distant_review`` (a review more than a year away).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from difflib import SequenceMatcher
from typing import Final, Literal

from workbook.charter.records import PromiseRecord
from workbook.framework import Framework

__all__ = [
    "DUPLICATE_CUTOFF",
    "LONG_TEXT",
    "REQUIRED_PROMISES",
    "REVIEW_WITHIN",
    "VAGUE_PHRASES",
    "CheckReport",
    "Coverage",
    "Finding",
    "Severity",
    "check_charter",
    "check_promise",
    "has_measure",
    "near_duplicates",
    "similarity",
    "vague_phrases",
]

Severity = Literal["blocking", "advice"]

#: An approved DIME™ charter has exactly ten promises.
REQUIRED_PROMISES: Final = 10
#: Two promise texts at least this similar (0-1, see :func:`similarity`) are
#: near-duplicates.  Calibrated so that "We will reply to your email within two
#: working hours" and "We reply to every email within 2 working hours" (0.92)
#: are caught, while no two of the framework's ten starter promises (at most
#: 0.48) are.
DUPLICATE_CUTOFF: Final = 0.75
#: Customers read a promise at a glance; longer texts get a word of advice.
LONG_TEXT: Final = 200
#: A review further away than this gets a word of advice: review at least yearly.
REVIEW_WITHIN: Final = timedelta(days=366)

#: Words that sound like a promise but cannot be checked without a measure.
#: Longer phrases first, so "as soon as possible" is reported rather than "soon".
VAGUE_PHRASES: Final = (
    "as soon as possible", "as quickly as possible", "wherever possible", "whenever possible",
    "where possible", "if possible", "in due course", "do our best", "second to none",
    "world-class", "world class", "first-class", "first class", "high-quality", "high quality",
    "best in class", "best-in-class", "aim to", "try to", "strive", "endeavour", "endeavor",
    "promptly", "prompt", "quickly", "quick", "speedy", "swiftly", "swift", "fast", "shortly", "soon",
    "timely", "asap", "best", "excellent", "exceptional", "outstanding", "superb", "great", "seamless",
    "efficiently", "reasonable", "appropriate", "regularly", "excellence",
)
_VAGUE = re.compile(r"\b(" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in VAGUE_PHRASES) + r")\b",
                    re.IGNORECASE)

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    "sixty|ninety|hundred|thousand|half|once|twice|dozen"
)
_TIME_WORDS = (
    r"seconds?|minutes?|hours?|days?|weeks?|fortnights?|months?|quarters?|years?|"
    r"daily|weekly|fortnightly|monthly|quarterly|annually|yearly|same[\s-]day|next[\s-]day|overnight|"
    r"first\s+(?:contact|call|visit|time|day|week|month)|per\s+cent|percent"
)
_MEASURE = re.compile(rf"\d|%|\b(?:{_NUMBER_WORDS}|{_TIME_WORDS})\b", re.IGNORECASE)

_WORD = re.compile(r"[a-z0-9£%]+")
#: Filler words left out when comparing promises ("ll" is what is left of "we'll").
_STOPWORDS: Final = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "ll", "of", "on", "or",
    "our", "ours", "so", "that", "the", "their", "this", "to", "us", "we", "will", "with", "you", "your", "yours",
})
_DIGITS: Final = {w: str(i) for i, w in enumerate(
    ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"))}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing to fix (blocking) or consider (advice); ``position`` is 1-based, None for the charter."""

    code: str
    severity: Severity
    message: str
    position: int | None = None

    @property
    def blocking(self) -> bool:
        return self.severity == "blocking"


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which promises (1-based positions) serve each value and each step, in framework order."""

    values: tuple[tuple[str, tuple[int, ...]], ...]
    steps: tuple[tuple[str, tuple[int, ...]], ...]

    @property
    def missing_values(self) -> tuple[str, ...]:
        return tuple(v for v, used in self.values if not used)

    @property
    def missing_steps(self) -> tuple[str, ...]:
        return tuple(s for s, used in self.steps if not used)


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Every finding for a charter, and its coverage of the values and steps."""

    findings: tuple[Finding, ...]
    coverage: Coverage

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.blocking)

    @property
    def advice(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.blocking)

    @property
    def ready(self) -> bool:
        """True when nothing blocks approval."""
        return not self.blocking

    def for_promise(self, position: int) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.position == position)

    def codes(self) -> set[str]:
        return {f.code for f in self.findings}


def vague_phrases(text: str | None) -> list[str]:
    """The vague phrases in ``text``, lower-cased, in order of appearance, each once."""
    if not text:
        return []
    found = (re.sub(r"\s+", " ", m.group(1).lower()) for m in _VAGUE.finditer(text))
    return list(dict.fromkeys(found))


def has_measure(text: str | None) -> bool:
    """True when ``text`` holds a number, a percentage, a time or a frequency.

    "Within 2 working hours", "95%", "every quarter", "twice a year" and "at
    first contact" are measures; "every customer", "always" and "fast" are not.
    """
    return bool(text) and _MEASURE.search(text or "") is not None


def _tokens(text: str) -> list[str]:
    words = _WORD.findall(text.lower())
    return [_DIGITS.get(w, w) for w in words if w not in _STOPWORDS]


def similarity(a: str, b: str) -> float:
    """How alike two promise texts are, from 0 (nothing shared) to 1 (the same).

    Both texts are lower-cased, number words become digits ("two" = "2") and
    filler words ("we", "will", "your", ...) are dropped.  The result is the
    larger of the overlap of their word *sets* (Jaccard: catches re-ordered
    wording) and :class:`difflib.SequenceMatcher`'s ratio of the word
    *sequences* (catches small edits).
    """
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0
    sa, sb = set(ta), set(tb)
    jaccard = len(sa & sb) / len(sa | sb)
    sequence = SequenceMatcher(None, " ".join(ta), " ".join(tb), autojunk=False).ratio()
    return max(jaccard, sequence)


def near_duplicates(promises: Sequence[PromiseRecord],
                    cutoff: float = DUPLICATE_CUTOFF) -> list[tuple[int, int, float]]:
    """Pairs of 1-based positions whose texts are at least ``cutoff`` similar."""
    pairs = []
    for i in range(len(promises)):
        for j in range(i + 1, len(promises)):
            if promises[i].text.strip() and promises[j].text.strip():
                score = similarity(promises[i].text, promises[j].text)
                if score >= cutoff:
                    pairs.append((i + 1, j + 1, score))
    return pairs


def check_promise(promise: PromiseRecord, position: int, *, today: date) -> list[Finding]:
    """The findings for one promise on its own (duplicates and coverage need the charter)."""
    out: list[Finding] = []

    def block(code: str, message: str) -> None:
        out.append(Finding(code, "blocking", message, position))

    def advise(code: str, message: str) -> None:
        out.append(Finding(code, "advice", message, position))

    text = promise.text.strip()
    if not text:
        block("empty_text", f"Promise {position} has no text yet: write what customers can expect.")
    vague = vague_phrases(f"{promise.text} {promise.standard or ''}")
    if vague and not (has_measure(promise.text) or has_measure(promise.standard)):
        words = ", ".join(f"“{w}”" for w in vague)
        block("vague", f"Promise {position} says {words} with no number, time or quantity: say how much "
                       "or how soon, e.g. “within 2 working hours”.")
    if not promise.standard:
        block("missing_standard", f"Promise {position} needs a standard: how will you measure that it is kept?")
    elif not has_measure(promise.standard):
        advise("unmeasured_standard", f"The standard of promise {position} has no number, time or quantity: "
                                      "how will you know it was met?")
    if not promise.owner:
        block("missing_owner", f"Promise {position} needs an owner: who makes sure it is kept?")
    if promise.review_date is None:
        block("missing_review_date", f"Promise {position} needs a review date.")
    elif promise.review_date < today:
        block("review_date_past", f"The review date of promise {position} ({promise.review_date:%d/%m/%Y}) "
                                  "has passed: choose a date in the future.")
    elif promise.review_date - today > REVIEW_WITHIN:
        advise("distant_review", f"Promise {position} is next reviewed more than a year from now: "
                                 "review every promise at least once a year.")
    if not promise.value_id:
        block("missing_value", f"Promise {position} needs the value it serves.")
    if not promise.step_id:
        block("missing_step", f"Promise {position} needs the DIME™ step it belongs to.")
    if len(text) > LONG_TEXT:
        advise("long_text", f"Promise {position} is {len(text)} characters long: customers read a promise at "
                            f"a glance, so try to keep it under {LONG_TEXT}.")
    return out


def check_charter(promises: Sequence[PromiseRecord], framework: Framework, *, today: date) -> CheckReport:
    """Every finding for a charter, blocking first; ``today`` decides which review dates have passed."""
    findings: list[Finding] = []
    count = len(promises)
    if count != REQUIRED_PROMISES:
        change = (f"add {REQUIRED_PROMISES - count}" if count < REQUIRED_PROMISES
                  else f"remove {count - REQUIRED_PROMISES}")
        findings.append(Finding("count", "blocking", f"A charter has exactly {REQUIRED_PROMISES} promises; "
                                                     f"this one has {count} ({change})."))
    for position, promise in enumerate(promises, start=1):
        findings.extend(check_promise(promise, position, today=today))
    for first, second, _score in near_duplicates(promises):
        findings.append(Finding("duplicate", "blocking",
                                f"Promises {first} and {second} say almost the same thing: merge them or make "
                                "one of them about something else.", second))
    coverage = Coverage(
        values=tuple((v.id, tuple(i for i, p in enumerate(promises, 1) if p.value_id == v.id))
                     for v in framework.values),
        steps=tuple((s.id, tuple(i for i, p in enumerate(promises, 1) if p.step_id == s.id))
                    for s in framework.steps),
    )
    for value_id in coverage.missing_values:
        name = framework.value(value_id).name
        findings.append(Finding("value_not_covered", "blocking",
                                f"No promise serves the value {name} yet: tie at least one promise to it."))
    for step_id in coverage.missing_steps:
        name = framework.step(step_id).name
        findings.append(Finding("step_not_covered", "blocking",
                                f"No promise belongs to the step {name} yet: tie at least one promise to it."))
    ordered = sorted(findings, key=lambda f: (not f.blocking, f.position or 0))
    return CheckReport(tuple(ordered), coverage)
