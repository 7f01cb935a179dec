"""The one rule for text typed by people, applied before anything is stored.

Names, team names, emails, comments, evidence, actions, promises, standards
and owners come from CSV files, browser forms (where a crafted message can
send any string, even ``"\\ud800"``) and the command line.  Every store entry
point passes them through :func:`clean_line` (one-line fields) or
:func:`clean_paragraphs` (free text), so every entry point behaves the same.

The rule, in order:

1. **Refused, with one line that says what to fix** (an :class:`InputError`):

   * a lone UTF-16 surrogate (U+D800-U+DFFF): not a character at all;
   * Unicode noncharacters (U+FDD0-U+FDEF and U+xFFFE/U+xFFFF in every plane);
   * control characters: C0 (U+0000-U+001F) and DEL, except a tab (folded
     into a space, below) and a line break in free text; C1 (U+0080-U+009F,
     e.g. NEL U+0085);
   * the line and paragraph separators U+2028/U+2029 (they break JavaScript
     and Vega-Lite), and in one-line fields any line break;
   * bidirectional embeddings, overrides and isolates (U+202A-U+202E,
     U+2066-U+2069): invisible, and they make text display as something else
     ("Trojan source").  The marks U+200E/U+200F/U+061C are kept;
   * the byte-order mark U+FEFF: inside text it is a leftover of joining
     files (its old use as a "zero-width no-break space" is U+2060's now);
   * text made only of invisible characters: spaces, format characters (Cf,
     e.g. U+2060, U+FEFF), combining marks with nothing to combine with, or
     blank-looking letters such as the Hangul filler U+3164.

2. **Cleaned, and only this** (so what is stored equals what was typed
   except for these steps):

   * Unicode NFC normalisation.  Chosen over NFKC, which would rewrite what
     people typed (full-width letters, ligatures, superscripts); NFC only
     joins a letter and its accent into the one code point most keyboards
     produce, so "Zoë" typed on a Mac (decomposed) and on Windows (composed)
     are the same name, team and email;
   * leading and trailing whitespace trimmed; inside a line, runs of spaces,
     tabs and no-break spaces folded into one space;
   * free text: ``\\r\\n`` and ``\\r`` become ``\\n`` and more than one blank
     line becomes one.

Zero-width joiners and non-joiners (U+200D, U+200C) are kept: emoji
sequences and scripts such as Persian need them, and every output escapes
text for its own format anyway.  :func:`display_safe` is the other half of
the rule: what an *output* does with text stored before this rule existed.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Final

from workbook.errors import InputError

__all__ = [
    "LINE_BREAKS",
    "clean_line",
    "clean_paragraphs",
    "display_safe",
    "format_day",
    "quoted",
    "refuse_broken",
    "slugify",
]

#: Characters that end a line somewhere (str.splitlines()), besides \n itself.
LINE_BREAKS: Final = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NONCHARACTER = re.compile(
    "[\ufdd0-\ufdef" + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}"
                               for plane in range(17)) + "]"
)
#: C0 controls except tab and line feed, DEL and the C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SEPARATOR = re.compile(r"[\u2028\u2029]")
_BIDI_CONTROL = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_BOM = "\ufeff"
_SPACES = re.compile(r"[ \t\u00a0]+")
_SLUG_STRIP = re.compile(r"[^a-z0-9]+")
#: Letters and symbols that draw nothing: a "name" made of them looks empty.
_BLANK_LOOKING: Final = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")
#: Categories a visible character belongs to (Cn included: emoji newer than Python's tables).
_VISIBLE: Final = frozenset({"L", "N", "P", "S"})
#: Far longer than any field allows (evidence: 4,000): refused before any work is done on it.
_HARD_LIMIT: Final = 20_000


def _code(character: str) -> str:
    return f"U+{ord(character):04X}"


def refuse_broken(text: str, field: str) -> None:
    """Refuse what is never text anywhere: lone surrogates and noncharacters (InputError).

    Checked first, so that the message names the real problem and no later
    step (normalising, the database driver) ever sees such a string.
    """
    if (found := _SURROGATE.search(text)) is not None:
        raise InputError(
            f"{field} contains a broken character ({_code(found.group())}, half of a UTF-16 pair, "
            "often from a bad copy and paste or a non-UTF-8 terminal); type it again"
        )
    if (found := _NONCHARACTER.search(text)) is not None:
        raise InputError(f"{field} contains {_code(found.group())}, which is not a character; remove it")


def _refuse(text: str, field: str, *, multiline: bool) -> None:
    """Raise InputError for the first thing in ``text`` the rule refuses (see the module docstring)."""
    refuse_broken(text, field)
    if (found := _SEPARATOR.search(text)) is not None:
        raise InputError(
            f"{field} contains an invisible {'line' if found.group() == chr(0x2028) else 'paragraph'} "
            f"separator ({_code(found.group())}); "
            + ("use an ordinary line break instead" if multiline else "type it on one line")
        )
    if not multiline and ("\n" in text or "\r" in text or "\x85" in text):
        raise InputError(f"{field} must be on one line")
    if (found := _CONTROL.search(text)) is not None:
        raise InputError(f"{field} contains an invisible control character ({_code(found.group())}); remove it")
    if _BOM in text:
        raise InputError(f"{field} contains a byte-order mark (U+FEFF), often left by joining two files; remove it")
    if (found := _BIDI_CONTROL.search(text)) is not None:
        raise InputError(
            f"{field} contains an invisible text-direction control ({_code(found.group())}) that can make it "
            "display as something else; remove it"
        )


def _visible(text: str) -> bool:
    """Whether anything in ``text`` draws a glyph of its own."""
    return any(
        (character not in _BLANK_LOOKING and unicodedata.category(character)[0] in _VISIBLE)
        or unicodedata.category(character) in ("Co", "Cn")
        for character in text
    )


def _checked_length(text: str, field: str, max_length: int, *, early: bool = False) -> None:
    """Refuse text longer than ``max_length``; ``early``: only absurd lengths, before any cleaning."""
    if len(text) > (max(max_length * 2, _HARD_LIMIT) if early else max_length):
        raise InputError(f"{field} is too long ({len(text)} characters; at most {max_length})")


def _as_text(value: object) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def clean_line(value: object, field: str, *, max_length: int = 200, required: bool = True) -> str:
    """One line of text (a name, a team, an owner) under the module's rule.

    Returns ``""`` for nothing typed when ``required`` is false.
    """
    text = _as_text(value)
    _checked_length(text, field, max_length, early=True)
    if "\r\n" in text or "\n" in text:  # said first: "one line" is the fix, whatever else is there
        refuse_broken(text, field)
        raise InputError(f"{field} must be on one line")
    _refuse(text, field, multiline=False)
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    if not text:
        if required:
            raise InputError(f"{field} must not be empty")
        return ""
    if not _visible(text):
        raise InputError(f"{field} has no visible characters (only spaces or invisible marks); type a real value")
    _checked_length(text, field, max_length)
    return text


def clean_paragraphs(value: object, field: str, *, max_length: int = 2000) -> str | None:
    """Free text (a comment, notes of evidence) under the module's rule: line breaks kept.

    Returns None for text that is empty after trimming, so "no comment" is
    stored one way only.
    """
    if value is None:
        return None
    text = _as_text(value)
    _checked_length(text, field, max_length, early=True)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    _refuse(text, field, multiline=True)
    text = unicodedata.normalize("NFC", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not text:
        return None
    if not _visible(text):
        raise InputError(f"{field} has no visible characters (only spaces or invisible marks); type real text")
    _checked_length(text, field, max_length)
    return text


_UNSAFE_OUTPUT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]|"
                            + _NONCHARACTER.pattern)


def display_safe(text: object) -> str:
    """Text that any output (Vega-Lite, XML, JSON in a script) can carry, whatever was stored.

    Databases written before the cleaning rule may hold characters it now
    refuses; vl-convert fails on U+2028 and aborts the whole process on
    U+FFFF or a C0 control, and XML 1.0 cannot hold them at all.  Line and
    paragraph separators become a space, other controls disappear and
    surrogates and noncharacters become U+FFFD (the replacement character),
    so a reader sees that something was there.  Everything else, including
    ZWJ and ZWNJ, is left exactly as it is.
    """
    raw = _as_text(text)
    if not _UNSAFE_OUTPUT.search(raw):
        return raw
    return _UNSAFE_OUTPUT.sub(_replacement, raw)


def _replacement(match: re.Match[str]) -> str:
    character = match.group()
    if character in LINE_BREAKS:
        return " "
    if unicodedata.category(character) == "Cc":
        return ""
    return "\ufffd"


def quoted(value: object, limit: int = 40) -> str:
    """A value a person typed, quoted for an error message: ``'Acme'``, long ones shortened.

    An error names what was wrong, but echoing 4,000 characters back would
    bury what to fix; escapes (``repr``) keep invisible characters visible.
    """
    if isinstance(value, str):  # before shortening: a cut token no longer looks like one
        from workbook.tokens import hide_tokens

        value = hide_tokens(value)
    text = repr(value if not isinstance(value, str) or len(value) <= limit else value[: limit - 3] + "...")
    return re.sub(r"[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", text)


def slugify(name: str) -> str:
    """A URL- and file-safe id from a name: ``Harbour & Vine Ltd`` → ``harbour-vine-ltd``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return _SLUG_STRIP.sub("-", ascii_name.lower()).strip("-")[:63].strip("-")


def format_day(day: date) -> str:
    """A date as people write it in British English: ``31 March 2027`` (everywhere the workbook prints one)."""
    return f"{day.day} {day:%B %Y}"

