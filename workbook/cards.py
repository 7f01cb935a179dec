"""Printable invite cards: A4 sheets of eight, each with a person's QR code and link.

For a workshop room where links on paper beat links by mail: the consultant
prints the sheets, cuts along the dashed lines and hands each person their
card.  Each card has the person's name and team, a QR code of their personal
link (drawn by segno as SVG, offline), the link written out for those who
type it, how long the questionnaire takes (the welcome page's figure,
:func:`workbook.estimate.minutes_to_answer`), the closing date if there is
one, and one line on privacy.

The page is HTML and CSS from ``templates/cards/`` (Jinja, autoescaped),
turned into a PDF by WeasyPrint, imported only here and on first use.  Names
are clipped to their box rather than pushing the card out of shape: a card
is cut along fixed lines, so its size must never depend on what it holds.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

import jinja2
from markupsafe import Markup

from workbook.paths import templates_dir
from workbook.text import format_day

__all__ = ["CARDS_PER_PAGE", "Card", "CardSheet", "qr_svg", "render_html", "render_pdf", "shortened"]

CARDS_PER_PAGE = 8
TEMPLATE = "cards.html.j2"
STYLESHEET = "cards.css"
#: Names longer than this are set smaller so more of them fits on the card.
LONG_NAME = 32
#: What fits in each box (two lines of a long name, one of a team or organisation); longer is shortened with "…".
FITS = {"name": 56, "team": 40, "organisation": 44}
_JOINERS = {"\u200d", "\u200c"}  # a cut just after these would leave half an emoji or a broken join


def shortened(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters with "…", never inside a character sequence.

    A card is cut along fixed lines, so what does not fit is left off here
    rather than hidden under the edge of its box (where it would still be in
    the PDF's text).  The cut moves back over combining marks, variation
    selectors and joiners, so an accent or an emoji sequence is never split.
    """
    if len(text) <= limit:
        return text
    cut = limit - 1
    while cut > 1 and (unicodedata.combining(text[cut]) or 0xFE00 <= ord(text[cut]) <= 0xFE0F
                       or text[cut - 1] in _JOINERS or text[cut] in _JOINERS):
        cut -= 1
    return text[:cut].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Card:
    """One person's card. ``link`` is their personal link: it is printed, never logged."""

    name: str
    team: str
    link: str

    def __repr__(self) -> str:  # a card in a log or traceback must not carry the link
        return f"Card(name={self.name!r}, team={self.team!r})"


@dataclass(frozen=True, slots=True)
class CardSheet:
    """Everything the cards of one organisation say besides each person's own lines."""

    organisation: str
    minutes: int
    threshold: int
    closes_on: date | None
    cards: tuple[Card, ...]


def qr_svg(link: str) -> Markup:
    """The QR code of ``link`` as an SVG ``data:`` URI (error correction M, quiet zone of 4 modules)."""
    import segno

    code = segno.make(link, error="m", micro=False)
    return Markup(code.svg_data_uri(scale=1, border=4, dark="#000", light="#fff"))


@cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir() / "cards")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def _pages(cards: Sequence[Card]) -> list[list[Card]]:
    return [list(cards[i:i + CARDS_PER_PAGE]) for i in range(0, len(cards), CARDS_PER_PAGE)]


def render_html(sheet: CardSheet) -> str:
    """The sheets as one HTML page (printable from a browser too)."""
    environment = _templates()
    assert environment.loader is not None
    css, _path, _uptodate = environment.loader.get_source(environment, STYLESHEET)
    return environment.get_template(TEMPLATE).render(
        sheet=sheet, pages=_pages(sheet.cards), css=Markup(css), qr=qr_svg, long_name=LONG_NAME,
        fit=lambda text, what: shortened(text, FITS[what]),
        closes=format_day(sheet.closes_on) if sheet.closes_on else None,
    )


def render_pdf(sheet: CardSheet) -> bytes:
    """The sheets as an A4 PDF, eight cards a page."""
    from workbook.pdf import html_to_pdf

    return html_to_pdf(render_html(sheet), templates_dir() / "cards", what="invite cards",
                       instead="print the links with: workbook invites ORG --csv")
