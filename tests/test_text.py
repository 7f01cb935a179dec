# ruff: noqa: RUF001 - Persian letters look like Latin ones to ruff; they are the point here
"""The one text rule (workbook.text): what is refused, what is cleaned, and what is kept as typed."""

from __future__ import annotations

import unicodedata

import pytest

from workbook.errors import InputError
from workbook.text import clean_line, clean_paragraphs, display_safe, quoted

# --- refused, with a message that says what to fix --------------------------------------------
REFUSED = [
    ("Team\u2028A", "contains an invisible line separator (U+2028); type it on one line"),
    ("Team\u2029A", "contains an invisible paragraph separator (U+2029)"),
    ("Team\x85A", "must be on one line"),  # NEL, a C1 control that ends lines
    ("Team\x9bA", "contains an invisible control character (U+009B)"),
    ("Ann\x00Lee", "contains an invisible control character (U+0000)"),
    ("\x1b[31mred", "contains an invisible control character (U+001B)"),
    ("a\x7fb", "contains an invisible control character (U+007F)"),
    ("Team\uffffA", "contains U+FFFF, which is not a character"),
    ("Team\ufdd0", "contains U+FDD0, which is not a character"),
    ("Team\U0010ffff", "contains U+10FFFF, which is not a character"),
    ("\ud800", "contains a broken character (U+D800, half of a UTF-16 pair"),
    ("Zo\udceb", "contains a broken character (U+DCEB"),
    ("abc\u202edcba", "contains an invisible text-direction control (U+202E)"),
    ("a\u2066b\u2069", "contains an invisible text-direction control (U+2066)"),
    ("\ufeffAnn", "contains a byte-order mark (U+FEFF)"),
    ("\u2060", "has no visible characters"),
    ("\u0301", "has no visible characters"),  # a combining mark with nothing to combine with
    ("\u200b\u200d\u200c", "has no visible characters"),
    ("\u3164", "has no visible characters"),  # Hangul filler: a letter that draws nothing
    ("\u2800\u2800", "has no visible characters"),  # Braille blank
    ("\U000e0020", "has no visible characters"),  # a tag character alone
    ("   ", "must not be empty"),
    ("two\nlines", "must be on one line"),
    ("cr\rline", "must be on one line"),
    ("x" * 201, "is too long (201 characters; at most 200)"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED, ids=[repr(t[:12]) for t, _ in REFUSED])
def test_a_one_line_field_refuses_with_a_clear_line(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        clean_line(text, "the team")
    assert str(caught.value).startswith("the team ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    str(caught.value).encode("utf-8")  # printable: surrogates are named, never echoed


@pytest.mark.parametrize("text", ["Team\u2028A", "x\x0by", "\ud800", "a\uffff", "a\u202eb", "\u2060", "a\x85b"])
def test_free_text_refuses_the_same(text: str) -> None:
    with pytest.raises(InputError):
        clean_paragraphs(text, "the comment")


# --- kept exactly as typed -----------------------------------------------------------------------
KEPT = [
    "👩\u200d👩\u200d👧\u200d👦",  # family: emoji joined by ZWJ
    "👨🏽\u200d💻",
    "🏳️\u200d🌈",
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # flag of Scotland: tag characters
    "\U0001fae8",  # an emoji newer than Python's Unicode tables (unassigned to Python, not refused)
    "می\u200cخواهم",  # Persian "I want": ZWNJ is spelling
    "خانه\u200cها",
    "abc\u200fdef",  # right-to-left mark: kept (unlike overrides it reorders nothing beyond itself)
    "soft\u00adhyphen",
    "word\u2060joiner",
    "x\u200bx",
    "<script>alert(1)</script>",
    "=HYPERLINK(\"http://evil.example\")",
    "'; DROP TABLE people; --",
    "Ａｃｍｅ",  # full-width letters are kept (NFC, not NFKC)
    "ﬁnance",
    "x²",
    "Z̸̢̛͓a̴l̴g̶o̵",
]


@pytest.mark.parametrize("text", KEPT, ids=[t.encode("unicode_escape").decode()[:30] for t in KEPT])
def test_joiners_emoji_scripts_and_markup_are_stored_as_typed(text: str) -> None:
    assert clean_line(text, "the name") == text
    assert clean_paragraphs(text, "the comment") == text


def test_zero_width_joiners_are_never_stripped() -> None:
    name = "Dara \u200d👩\u200d🔬 می\u200cخواهم"
    stored = clean_line(name, "the name")
    assert stored.count("\u200d") == 2 and stored.count("\u200c") == 1


# --- the documented cleaning, and only that --------------------------------------------------
def test_nfc_joins_accents_so_a_mac_and_a_pc_type_the_same_name() -> None:
    decomposed = "Zoe\u0308 A\u030angstro\u0308m"
    assert clean_line(decomposed, "the name") == "Zoë Ångström"
    assert clean_line(decomposed, "the name") == unicodedata.normalize("NFC", decomposed)


def test_trimming_and_folding_spaces() -> None:
    assert clean_line("  Ann \t\u00a0 Lee  ", "the name") == "Ann Lee"
    assert clean_line("   ", "the owner", required=False) == ""
    assert clean_paragraphs("  one  \r\n\r\n\r\n\r\n two\tthree ", "the comment") == "one\n\ntwo three"
    assert clean_paragraphs(" \n\t ", "the comment") is None


def test_a_huge_value_is_refused_before_any_work() -> None:
    with pytest.raises(InputError, match=r"is too long \(1000000 characters; at most 2000\)"):
        clean_paragraphs("x" * 1_000_000, "the comment")


# --- what outputs do with text stored before the rule ----------------------------------------------
@pytest.mark.parametrize(("stored", "shown"), [
    ("Team\u2028A", "Team A"),
    ("Team\u2029A", "Team A"),
    ("Team\uffffA", "Team\ufffdA"),
    ("Team\ud800A", "Team\ufffdA"),
    ("Ann\x00Lee\x07", "AnnLee"),
    ("a\x85b", "a b"),
    ("tab\tand\nline", "tab\tand\nline"),
    ("👩\u200d👩\u200d👧 می\u200cخواهم", "👩\u200d👩\u200d👧 می\u200cخواهم"),
])
def test_display_safe_keeps_every_output_working(stored: str, shown: str) -> None:
    assert display_safe(stored) == shown


def test_quoted_shortens_what_it_echoes_back() -> None:
    assert quoted("acme") == "'acme'"
    assert quoted("x" * 4000) == repr("x" * 37 + "...")
    assert "\\udceb" in quoted("Zo\udceb") and quoted("Zo\udceb").encode("utf-8")


def test_a_quoted_token_is_hidden_before_it_is_shortened() -> None:
    """A 43-character token cut to 37 no longer looks like a token: hide it first."""
    from workbook.text import quoted
    from workbook.tokens import HIDDEN, new_token

    token = new_token()
    while token[0] == "-" or not any(c.isupper() or c == "_" for c in token):
        token = new_token()
    shown = quoted(f"abc {token}")
    assert token[:20] not in shown and HIDDEN in shown
