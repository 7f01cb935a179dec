"""The charter as a printable document: every format renders this one model.

Building the words once (status line, dates in British English, value and
step names, "not yet chosen" for gaps in a draft) keeps Markdown, HTML, PDF
and Word saying exactly the same thing.  Nothing here is escaped: each
renderer escapes for its own format.  Every stored text passes
:func:`~workbook.text.display_safe` here, once for all four formats: a charter
stored before the text rule may hold a U+2029 (WeasyPrint stops on it) or a
U+FFFF (XML cannot hold it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from workbook.charter.records import CharterRecord, PromiseRecord, format_day
from workbook.errors import NotFoundError
from workbook.framework import Framework
from workbook.text import display_safe

if TYPE_CHECKING:
    from workbook.charter.export.logo import Logo
    from workbook.charter.results import PromiseResults
    from workbook.framework import RecoveryGuide
    from workbook.workshop.records import PlayRecord

__all__ = ["AUDIENCES", "BRAND_HEADING", "CREDIT", "DEFAULT_TITLE", "PURPOSE_HEADING", "Audience",
           "CharterDocument", "DocumentPlay", "DocumentPromise", "RecoverySection", "build_document",
           "build_recovery"]

#: ``team``: the working charter (owners, review dates, values and steps).
#: ``customers``: what customers are promised and how it is measured, nothing internal.
Audience = Literal["team", "customers"]
AUDIENCES: Final[tuple[Audience, ...]] = ("team", "customers")

DEFAULT_TITLE = "Our customer service charter"
CREDIT = ("Built with the DIME™ framework. DIME™ is a trademark of Chris Smoje (dimecustomerservice.com).")
INTRO = ("Our promises to you: what you can expect from us, how we check that we keep each promise, "
         "and who makes sure it happens.")
NOT_CHOSEN = "not yet chosen"
#: Headings of the two texts at the top of the charter (the same for the team and for customers:
#: customers are told what to expect, and how the team has agreed to deliver it).
BRAND_HEADING = "Our brand promise"
PURPOSE_HEADING = "Our common purpose"


@dataclass(frozen=True, slots=True)
class DocumentPromise:
    number: int
    text: str
    standard: str
    owner: str
    review: str
    value: str
    step: str
    #: "Calls answered within 20 seconds: at least 95 %", or None when no measure is named.
    target: str | None = None
    #: With results: "96 % · kept" / "91 % · not kept" / "no result yet" for the latest quarter.
    result: str | None = None
    kept: bool | None = None


@dataclass(frozen=True, slots=True)
class DocumentPlay:
    """One failure of the recovery playbook and its labelled lines, already chosen for the audience."""

    failure: str
    lines: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class RecoverySection:
    """The service recovery playbook printed after the promises (None in the document without one).

    For customers it says what they can expect when something goes wrong:
    what we will do, how fast and when we get back to them; never the amount
    staff may give, who follows up or the words staff are given to say.
    """

    heading: str
    intro: str
    plays: tuple[DocumentPlay, ...]
    #: The stages in order (team only: how the playbook is built).
    stages: tuple[str, ...] = ()
    #: What the follow-up asks (team only: the answers go into the recovery log).
    follow_up_questions: tuple[str, ...] = ()
    #: "Playbook of 2026-Q4" (team only).
    source: str | None = None


#: What customers read beside each part of a play: what to expect, in their words.
CUSTOMER_LABELS: Final = {"offer": "What we will do", "speed": "How fast",
                          "follow_up_when": "When we get back to you"}


@dataclass(frozen=True, slots=True)
class CharterDocument:
    organisation: str
    title: str
    intro: str
    is_draft: bool
    version: int
    status: str  # "Approved on 5 March 2027 by Dana Reid" / "DRAFT: not yet approved"
    promises: tuple[DocumentPromise, ...]
    credit: str = CREDIT
    audience: Audience = "team"
    logo: Logo | None = None
    #: The builder's first page; None (left out of every format) until the team writes it.
    brand_promise: str | None = None
    common_purpose: str | None = None
    #: With results: "Results for 2026-Q3: 7 of 8 measured promises kept." (None: no results asked for).
    results_line: str | None = None
    #: The newest quarter's service recovery playbook, or None when the team has not written one.
    recovery: RecoverySection | None = None

    @property
    def for_customers(self) -> bool:
        """True for the customer-facing charter: no owners, review dates, values, steps or approver."""
        return self.audience == "customers"

    @property
    def version_line(self) -> str:
        return f"Version {self.version}"


def _name(lookup: object, item_id: str | None) -> str:
    if not item_id:
        return NOT_CHOSEN
    try:
        return str(lookup(item_id).name)  # type: ignore[operator]
    except NotFoundError:
        return item_id


def _target(framework: Framework, promise: PromiseRecord) -> str | None:
    from workbook.charter.targets import find_measure, target_text

    if not promise.measure_id:
        return None
    try:
        measure = find_measure(framework, promise.measure_id)
    except NotFoundError:
        return f"{promise.measure_id}: {NOT_CHOSEN}"
    return f"{measure.name}: {target_text(measure, promise.target_op, promise.target_value)}"


def _limit(guide: RecoveryGuide, amount: float | None) -> str | None:
    from workbook.framework import format_number

    if amount is None:
        return None
    return "nothing without asking" if amount == 0 else f"up to {guide.currency}{format_number(amount)} without asking"


def build_recovery(guide: RecoveryGuide | None, plays: Sequence[PlayRecord], audience: Audience = "team",
                   cycle_label: str | None = None) -> RecoverySection | None:
    """The playbook's words for the team or for customers; None without a guide or without rows."""
    if guide is None or not plays:
        return None
    safe = display_safe
    fields = guide.fields
    rows: list[DocumentPlay] = []
    for play in plays:
        if audience == "customers":
            chosen = (("offer", play.offer), ("speed", play.speed), ("follow_up_when", play.follow_up_when))
            lines = tuple((CUSTOMER_LABELS[key], safe(value)) for key, value in chosen if value)
        else:
            offer = " · ".join(t for t in (play.offer, _limit(guide, play.limit)) if t)
            follow = " · ".join(t for t in (play.follow_up_by, play.follow_up_when) if t)
            team = ((fields.say.name, play.say), (fields.offer.name, offer), (fields.speed.name, play.speed),
                    (f"{fields.follow_up_by.name}, and when", follow))
            lines = tuple((label, safe(value)) for label, value in team if value)
        rows.append(DocumentPlay(safe(play.failure), lines))
    if audience == "customers":
        return RecoverySection(guide.customers_heading, guide.customers_intro, tuple(rows))
    return RecoverySection(guide.name, guide.intro, tuple(rows), stages=tuple(s.name for s in guide.stages),
                           follow_up_questions=guide.follow_up_questions,
                           source=f"This quarter's playbook ({cycle_label})" if cycle_label else None)


def build_document(charter: CharterRecord, organisation: str, framework: Framework, *,
                   audience: Audience = "team", logo: Logo | None = None,
                   results: PromiseResults | None = None, playbook: Sequence[PlayRecord] = (),
                   playbook_cycle: str | None = None) -> CharterDocument:
    """The words of the printed charter for one version of it, for the team or for customers.

    The customer version leaves out who owns each promise, when it is reviewed,
    which value and step it serves and who approved it: that is the team's
    working detail.  Customers still see how each promise is measured, which
    is what makes it a promise rather than a slogan.
    """
    safe = display_safe
    promises = tuple(
        DocumentPromise(
            number=i,
            text=safe(p.text) or "(no wording yet)",
            standard=safe(p.standard) if p.standard else NOT_CHOSEN,
            owner=safe(p.owner) if p.owner else NOT_CHOSEN,
            review=format_day(p.review_date) if p.review_date else NOT_CHOSEN,
            value=safe(_name(framework.value, p.value_id)),
            step=safe(_name(framework.step, p.step_id)),
            target=_target(framework, p),
            result=results.latest_text(i) if results is not None else None,
            kept=results.latest_kept(i) if results is not None else None,
        )
        for i, p in enumerate(charter.promises, start=1)
    )
    if charter.is_draft:
        status = "DRAFT: not yet approved"
    elif audience == "customers":
        status = f"Since {format_day(charter.approved_at.date())}" if charter.approved_at else "Our current promises"
    else:
        when = f" on {format_day(charter.approved_at.date())}" if charter.approved_at else ""
        by = f" by {safe(charter.approved_by)}" if charter.approved_by else ""
        status = f"Approved{when}{by}"
    return CharterDocument(organisation=safe(organisation), title=safe(charter.title) or DEFAULT_TITLE, intro=INTRO,
                           is_draft=charter.is_draft, version=charter.number, status=status, promises=promises,
                           audience=audience, logo=logo,
                           brand_promise=safe(charter.brand_promise) if charter.brand_promise else None,
                           common_purpose=safe(charter.common_purpose) if charter.common_purpose else None,
                           results_line=results.summary_line() if results is not None else None,
                           recovery=build_recovery(framework.recovery, playbook, audience, playbook_cycle))
