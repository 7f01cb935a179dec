"""Cleaning text typed by people before it is stored.

Names, team names and comments come from CSV files and browser forms.  They are
stored as plain text (every output escapes them for its own format), but
control characters, stray whitespace and absurd lengths are refused or tidied
here, once, so that every entry point behaves the same.
"""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import date

from workbook.errors import InputError

__all__ = ["clean_line", "clean_paragraphs", "esc", "format_day", "slugify"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_SLUG_STRIP = re.compile(r"[^a-z0-9]+")


def clean_line(value: object, field: str, *, max_length: int = 200, required: bool = True) -> str:
    """One line of text: trimmed, inner runs of spaces folded, no control characters.

    Bidirectional-override characters are removed too: they can make a name
    display as something else in a report (the "Trojan source" trick).
    """
    text = "" if value is None else str(value)
    text = unicodedata.normalize("NFC", text)
    if "\n" in text or "\r" in text:
        raise InputError(f"{field} must be on one line")
    text = _SPACES.sub(" ", _CONTROL.sub("", text)).strip()
    if required and not text:
        raise InputError(f"{field} must not be empty")
    if len(text) > max_length:
        raise InputError(f"{field} is too long ({len(text)} characters; at most {max_length})")
    return text


def clean_paragraphs(value: object, field: str, *, max_length: int = 2000) -> str | None:
    """Free text such as a comment: line breaks kept, control characters removed.

    Returns None for text that is empty after cleaning, so "no comment" is
    stored one way only.
    """
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", _CONTROL.sub("", line)).strip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not text:
        return None
    if len(text) > max_length:
        raise InputError(f"{field} is too long ({len(text)} characters; at most {max_length})")
    return text


def slugify(name: str) -> str:
    """A URL- and file-safe id from a name: ``Harbour & Vine Ltd`` → ``harbour-vine-ltd``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return _SLUG_STRIP.sub("-", ascii_name.lower()).strip("-")[:63].strip("-")


def format_day(day: date) -> str:
    """A date as people write it in British English: ``31 March 2027`` (everywhere the workbook prints one)."""
    return f"{day.day} {day:%B %Y}"


def esc(text: object) -> str:
    """Escape text from users (names, comments, promises) for HTML; one helper for every page and export."""
    return html.escape(str(text), quote=True)
