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
                          "strive") in the promise while the promise itself
                          holds no measure (a number, a time or a quantity, see
                          :func:`has_measure`), or in a standard with no
                          measure.  The customer reads the promise, not the
                          standard: "We answer promptly" stays vague however
                          well its standard is measured;
* ``missing_standard``, ``missing_owner``, ``missing_review_date``;
* ``review_date_past``  - a review date before today;
* ``missing_value``, ``missing_step`` - a promise tied to no value or step;
* ``duplicate``         - two promises whose texts are at least
                          :data:`DUPLICATE_CUTOFF` similar (:func:`similarity`),
                          or which make the same promise in other words
                          (:func:`same_meaning`: "answer your call promptly"
                          and "answer your call within 20 seconds");
* ``value_not_covered``, ``step_not_covered`` - one of the five values or the
                          four steps is served by no promise.

Advice (shown, never blocking): ``unmeasured_standard`` (a standard with no
number, time or quantity), ``long_text`` (more than :data:`LONG_TEXT` characters),
``distant_review`` (a review more than a year away), ``missing_brand_promise``
and ``missing_common_purpose`` (the builder's first page is still empty),
``off_brand`` (a promise with nothing in common with the brand promise or the
common purpose, see :func:`workbook.charter.brand.serves`: a question for the
team, since only they can say whether it serves), ``no_target`` (a measure
chosen without a target) and ``target_direction`` (a target that points the
wrong way for its measure, e.g. "at least" on waiting time).
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
    "same_meaning",
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


#: Words that name the same thing in a promise, folded to one concept, so that
#: "reply to your email" and "answer your message" compare as equal.
_CONCEPTS: Final = {
    **dict.fromkeys(("answer", "reply", "respond", "response", "repli"), "answer"),
    **dict.fromkeys(("call", "phone", "telephone", "ring", "phonecall"), "call"),
    **dict.fromkeys(("email", "e-mail", "mail", "message", "messag", "enquiry", "enquiri", "inquiry",
                     "query", "queri"), "message"),
    **dict.fromkeys(("complaint", "complain", "problem", "issue", "mistake", "wrong", "error", "fault"),
                    "problem"),
    **dict.fromkeys(("fix", "resolve", "resolv", "solve", "solv", "settle", "settl", "sort", "right"), "fix"),
    **dict.fromkeys(("greet", "welcome", "welcom", "hello"), "greet"),
    **dict.fromkeys(("train", "training", "coach"), "train"),
    **dict.fromkeys(("feedback", "views", "view", "opinion", "survey"), "feedback"),
    **dict.fromkeys(("personal", "personally", "personalli"), "personal"),
    **dict.fromkeys(("remember", "recall", "note", "notes", "record"), "remember"),
    **dict.fromkeys(("refund", "money", "reimburse"), "refund"),
}
#: Words that carry no promise of their own once filler words are gone.
_LIGHT: Final = _STOPWORDS | frozenset({
    "all", "also", "always", "any", "back", "been", "being", "can", "customer", "customers", "did", "do", "does",
    "each", "every", "everyone", "get", "got", "had", "has", "have", "how", "i", "if", "into", "its", "just",
    "least", "less", "make", "may", "me", "more", "most", "my", "never", "no", "not", "only", "out", "same",
    "than", "them", "then", "there", "they", "thing", "things", "time", "under", "up", "very", "was", "were",
    "what", "when", "whether", "which", "who", "within", "working", "business", "would", "put", "something",
})
_VAGUE_WORDS: Final = frozenset(w for phrase in VAGUE_PHRASES for w in phrase.replace("-", " ").split())
#: Where one promise ends and another begins: sentence marks and joining words, not commas ("if you
#: complain, we put it right" is one promise; "answer your call, and tell you our name" is two).
_CLAUSE_BREAK = re.compile(r"[;:.!?]|\s(?:and|but|or|while)\s|\s[-–—]\s", re.IGNORECASE)


def _stem(word: str) -> str:
    """A light English stem, enough for "answers", "answered", "replies", "calling"."""
    for suffix, keep in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: len(word) - len(suffix)] + keep
    return word


def _concepts(clause: str) -> frozenset[str]:
    """What a clause promises: its content words as concepts, without measures, vague or filler words."""
    out = set()
    for word in re.findall(r"[a-z][a-z'-]*", clause.lower()):
        word = word.strip("'-").removesuffix("'s")
        if not word or word in _LIGHT or word in _VAGUE_WORDS or _MEASURE.fullmatch(word):
            continue
        out.add(_CONCEPTS.get(word) or _CONCEPTS.get(_stem(word)) or _stem(word))
    return frozenset(out)


def _clauses(text: str) -> list[frozenset[str]]:
    """Each clause's concepts; a clause of fewer than two concepts says too little to compare."""
    return [c for c in dict.fromkeys(_concepts(part) for part in _CLAUSE_BREAK.split(text)) if len(c) >= 2]


def same_meaning(a: str, b: str) -> tuple[str, ...]:
    """The concepts two promises share when one makes the same promise as the other in other words.

    Each text is cut into clauses at sentence marks and joining words ("we
    will answer your call within 20 seconds" / "the person who answers will
    tell you their name"); a clause becomes the set of what it is about, with
    synonyms folded ("reply", "respond" = answer; "phone", "ring" = call;
    "email", "message" = message), and measures, vague and filler words left
    out.  Two clauses make the same promise when they share at least two
    concepts, at least three quarters of the smaller and half of the larger:
    "We will answer your call promptly" and "We will answer your call within
    20 seconds" share {answer, call}, while "answer your call within 20
    seconds" is not the same promise as "give you the same accurate answer
    whether you visit, phone or email", which only mentions answers and calls
    among much else.
    Returns the shared concepts, sorted (empty: not the same promise).
    """
    best: frozenset[str] = frozenset()
    for x in _clauses(a):
        for y in _clauses(b):
            shared = x & y
            if (len(shared) >= 2 and len(shared) >= 0.75 * min(len(x), len(y))
                    and len(shared) >= 0.5 * max(len(x), len(y)) and len(shared) > len(best)):
                best = shared
    return tuple(sorted(best))


def near_duplicates(promises: Sequence[PromiseRecord],
                    cutoff: float = DUPLICATE_CUTOFF) -> list[tuple[int, int, float]]:
    """Pairs of 1-based positions whose texts are at least ``cutoff`` similar, or the same promise in other words.

    The score is the letters' :func:`similarity`; a pair found only by
    :func:`same_meaning` carries its (lower) similarity too.
    """
    pairs = []
    for i in range(len(promises)):
        for j in range(i + 1, len(promises)):
            if promises[i].text.strip() and promises[j].text.strip():
                score = similarity(promises[i].text, promises[j].text)
                if score >= cutoff or same_meaning(promises[i].text, promises[j].text):
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
    vague = vague_phrases(promise.text) if not has_measure(promise.text) else []
    if vague:
        words = ", ".join(f"“{w}”" for w in vague)
        block("vague", f"Promise {position} says {words} with no number, time or quantity: say how much "
                       "or how soon, e.g. “within 2 working hours”. Customers read the promise, not its standard.")
    elif (vague := vague_phrases(promise.standard)) and not has_measure(promise.standard):
        words = ", ".join(f"“{w}”" for w in vague)
        block("vague", f"The standard of promise {position} says {words} with no number, time or quantity: "
                       "say what is measured and what counts as kept, e.g. “95% within 20 seconds”.")
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


def _foundation_findings(promises: Sequence[PromiseRecord], brand_promise: str | None,
                         common_purpose: str | None) -> list[Finding]:
    """Advice about the first page, and about promises that share nothing with it."""
    from workbook.charter.brand import serves  # brand builds on this module's word lists

    out: list[Finding] = []
    if not (brand_promise or "").strip():
        out.append(Finding("missing_brand_promise", "advice",
                           "Write your brand promise on the first page: what customers are told to expect. "
                           "Each promise should help keep it."))
    if not (common_purpose or "").strip():
        out.append(Finding("missing_common_purpose", "advice",
                           "Write your common purpose on the first page: what the team commits to, inside, "
                           "so that the brand promise is kept."))
    for position, promise in enumerate(promises, start=1):
        if not serves(promise.text, brand_promise, common_purpose):
            out.append(Finding("off_brand", "advice",
                               f"Promise {position} has nothing in common with your brand promise or common "
                               "purpose: does it help keep the brand promise? If it does, say how in its "
                               "wording; if not, is it one of your ten?", position))
    return out


def _target_findings(promises: Sequence[PromiseRecord], framework: Framework) -> list[Finding]:
    """Advice on measures and targets: a measure with no target, a target pointing the wrong way."""
    from workbook.charter.targets import find_measure, wrong_way
    from workbook.errors import NotFoundError

    out: list[Finding] = []
    for position, promise in enumerate(promises, start=1):
        if not promise.measure_id:
            continue
        try:
            measure = find_measure(framework, promise.measure_id)
        except NotFoundError:
            out.append(Finding("no_target", "advice", f"Promise {position} names a measure this framework "
                                                      "file does not have: choose one from the list.", position))
            continue
        if promise.target_op is None or promise.target_value is None:
            out.append(Finding("no_target", "advice",
                               f"Promise {position} is measured by {measure.name} but has no target yet: say "
                               "what counts as kept, e.g. “at least 95”.", position))
        elif wrong_way(measure, promise.target_op):
            better = "higher" if measure.better == "higher" else "lower"
            out.append(Finding("target_direction", "advice",
                               f"The target of promise {position} is "
                               f"“{'at least' if promise.target_op == '>=' else 'at most'}”, but for "
                               f"{measure.name} {better} is better: is that the way round you mean?", position))
    return out


def check_charter(promises: Sequence[PromiseRecord], framework: Framework, *, today: date,
                  brand_promise: str | None = None, common_purpose: str | None = None) -> CheckReport:
    """Every finding for a charter, blocking first; ``today`` decides which review dates have passed.

    ``brand_promise`` and ``common_purpose`` (the builder's first page) only
    ever add advice: a charter may be approved without them.
    """
    findings: list[Finding] = []
    count = len(promises)
    if count != REQUIRED_PROMISES:
        change = (f"add {REQUIRED_PROMISES - count}" if count < REQUIRED_PROMISES
                  else f"remove {count - REQUIRED_PROMISES}")
        findings.append(Finding("count", "blocking", f"A charter has exactly {REQUIRED_PROMISES} promises; "
                                                     f"this one has {count} ({change})."))
    for position, promise in enumerate(promises, start=1):
        findings.extend(check_promise(promise, position, today=today))
    for first, second, score in near_duplicates(promises):
        shared = same_meaning(promises[first - 1].text, promises[second - 1].text) if score < DUPLICATE_CUTOFF else ()
        about = f" (both are about {' and '.join(shared)})" if shared else ""
        findings.append(Finding("duplicate", "blocking",
                                f"Promises {first} and {second} say almost the same thing{about}: merge them or "
                                "make one of them about something else.", second))
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
    findings.extend(_foundation_findings(promises, brand_promise, common_purpose))
    findings.extend(_target_findings(promises, framework))
    ordered = sorted(findings, key=lambda f: (not f.blocking, f.position or 0))
    return CheckReport(tuple(ordered), coverage)
