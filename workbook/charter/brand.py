"""Does a promise serve the brand promise?  A gentle prompt, never a rule.

The framework sees the charter as the written form of a team's common
purpose, and the common purpose as the inside way of keeping the brand
promise made outside.  So each promise should help keep the brand promise
(or the common purpose that delivers it).  A machine cannot judge that; it
can notice a promise that has *nothing* in common with either, and ask the
team about it.

How "serves" is judged (:func:`serves`): each text becomes a set of
*concepts* (content words, lightly stemmed, with filler, vague, number and
time words left out: "every day" is no common ground) and a set of *themes*
(:data:`THEMES`: speed, knowing the customer, putting things right, keeping
in touch, expertise, the product itself, price and value, ease, listening
and improving).  A
promise serves when it shares at least one concept or one theme with the
brand promise or the common purpose.  One shared idea is enough on purpose:
the check should speak up only when a promise is plainly about something
else (a car park, when the brand promise is fresh bread and known names),
so a team is not taught to ignore it.  Nothing is said while the brand
promise is still unwritten.
"""

from __future__ import annotations

import re
from typing import Final

from workbook.charter.checks import _LIGHT, _MEASURE, _VAGUE_WORDS, _stem

__all__ = ["THEMES", "concepts", "serves", "shared_ideas", "themes"]

#: Ideas a brand promise and a service promise often share in different words.
#: Keys are themes (as shown to the team); a text's words match as written or lightly stemmed
#: ("answers" -> "answer"), the vocabulary as listed (stemming it would turn "caring" into "car").
THEMES: Final[dict[str, frozenset[str]]] = {
    "speed": frozenset({
        "quick", "quickly", "fast", "prompt", "promptly", "wait", "waiting", "queue", "delay", "late",
        "punctual", "swift", "speedy", "rapid", "instant", "immediately", "same-day", "next-day", "on-time",
        "within", "spot", "hang", "hold", "minute", "second", "hour",
    }),
    "knowing the customer": frozenset({
        "friendly", "friend", "name", "know", "personal", "personally", "individual", "human", "person",
        "smile", "greet", "welcome", "warm", "care", "caring", "kind", "polite", "courteous", "respect", "face",
        "remember", "regular", "familiar", "relationship", "listen", "note", "notes", "history", "someone",
        "consultant", "adviser", "advisor",
    }),
    "putting things right": frozenset({
        "problem", "complaint", "complain", "mistake", "wrong", "error", "fault", "fix", "resolve", "sort",
        "solve", "settle", "apologise", "apology", "sorry", "guarantee", "refund", "replace", "right",
        "owns", "ownership", "responsibility", "responsible", "accountable",
    }),
    "keeping in touch": frozenset({
        "call", "phone", "telephone", "ring", "email", "message", "answer", "reply", "respond", "tell",
        "inform", "update", "explain", "contact", "talk", "speak", "letter", "chat", "publish",
    }),
    "expertise": frozenset({
        "expert", "expertise", "advice", "advise", "knowledge", "knowledgeable", "skill", "skilled", "train",
        "training", "learn", "qualified", "accurate", "correct",
    }),
    "the product": frozenset({
        "fresh", "quality", "product", "bake", "baked", "bread", "produce", "stock", "range", "craft",
        "ingredient", "food", "meal", "repair", "delivery", "deliver", "order", "goods",
    }),
    "price and value": frozenset({"price", "value", "fair", "cheap", "cost", "money", "afford", "pay", "bill",
                                  "charge", "free", "refund", "quote", "quoted"}),
    "ease": frozenset({"easy", "simple", "convenient", "hassle", "effort", "anywhere", "online", "website",
                       "app", "channel", "twice"}),
    "listening and improving": frozenset({
        "feedback", "view", "survey", "improve", "change", "better", "review", "ask", "listen", "suggestion",
        "idea",
    }),
}
_WORDS = re.compile(r"[a-z][a-z'-]*")


def _words(text: str) -> list[str]:
    return [w.strip("'-").removesuffix("'s") for w in _WORDS.findall(text.lower())]


def concepts(text: str | None) -> frozenset[str]:
    """The content words of ``text``, stemmed, without filler or vague words."""
    if not text:
        return frozenset()
    return frozenset(_stem(w) for w in _words(text)
                     if w and w not in _LIGHT and w not in _VAGUE_WORDS and not _MEASURE.fullmatch(w))


def themes(text: str | None) -> frozenset[str]:
    """The :data:`THEMES` that ``text`` touches (filler words count here: "time", "within")."""
    if not text:
        return frozenset()
    words = {w for w in _words(text) if w}
    words |= {_stem(w) for w in words}
    return frozenset(theme for theme, vocabulary in THEMES.items() if words & vocabulary)


def shared_ideas(promise: str, *anchors: str | None) -> tuple[str, ...]:
    """What ``promise`` has in common with any of ``anchors``: shared themes first, then shared words."""
    mine_concepts, mine_themes = concepts(promise), themes(promise)
    their_concepts = frozenset().union(*(concepts(a) for a in anchors))
    their_themes = frozenset().union(*(themes(a) for a in anchors))
    return tuple(sorted(mine_themes & their_themes)) + tuple(sorted(mine_concepts & their_concepts))


def serves(promise: str, brand_promise: str | None, common_purpose: str | None = None) -> bool:
    """True when the promise shares a concept or a theme with the brand promise or the common purpose.

    True as well while there is nothing to compare (no brand promise written, or
    an empty promise): the check stays quiet rather than guess.
    """
    if not (brand_promise or "").strip() or not promise.strip():
        return True
    return bool(shared_ideas(promise, brand_promise, common_purpose))
