"""At least 1,000 hostile strings, each with what the text rule must do with it.

``data/strings.json`` holds the hand-written ones (markup, formulas, SQL,
scripts, emoji, RTL, ...; JSON so that lone surrogates and NUL can be written
down); :func:`hostile_strings` adds systematic ones: every C0 and C1 control,
every noncharacter, every format (Cf) character, whitespace and combining marks
alone and inside a name, surrogates, and every markup payload behind every
spreadsheet formula prefix.  The list is the same on every run.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

__all__ = ["ACCEPT", "EITHER", "REFUSE", "HostileString", "hostile_strings", "sample"]

Expect = Literal["accept", "refuse", "either"]
ACCEPT: Expect = "accept"
REFUSE: Expect = "refuse"
EITHER: Expect = "either"
DATA = Path(__file__).with_name("data") / "strings.json"
#: Format characters the rule refuses even inside text: direction overrides and isolates, the BOM.
_REFUSED_INSIDE = {*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF}


@dataclass(frozen=True)
class HostileString:
    """One string: what it is (``kind``) and what the rule must do with it in a one-line field."""

    text: str
    kind: str
    expect: Expect

    def __str__(self) -> str:  # for test ids and reports: printable, short
        shown = self.text if len(self.text) <= 40 else self.text[:37] + "..."
        return f"{self.kind}:{shown.encode('unicode_escape', 'backslashreplace').decode('ascii')}"


def _curated() -> list[HostileString]:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    return [HostileString(item["text"], item["kind"], item["expect"]) for item in raw]


def _systematic() -> list[HostileString]:
    out: list[HostileString] = []
    for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]:
        character = chr(code)
        if character in "\t":
            out.append(HostileString(f"Ann{character}Lee", "c0-tab", ACCEPT))
        elif character in "\n\r":
            out.append(HostileString(f"Ann{character}Lee", "c0-newline", EITHER))
        else:
            out.append(HostileString(f"Ann{character}Lee", "control-inside", REFUSE))
        out.append(HostileString(character, "control-alone", REFUSE))  # a tab alone is empty: refused too
    for code in [*range(0xFDD0, 0xFDF0), *(p * 0x10000 + 0xFFFE for p in range(17)),
                 *(p * 0x10000 + 0xFFFF for p in range(17))]:
        out.append(HostileString(f"Team {chr(code)}", "noncharacter-inside", REFUSE))
    for code in (0xD800, 0xDB7F, 0xDB80, 0xDBFF, 0xDC00, 0xDC80, 0xDCFF, 0xDFFF):
        out.append(HostileString(f"Na{chr(code)}me", "surrogate-inside", REFUSE))
        out.append(HostileString(chr(code), "surrogate-alone", REFUSE))
    for code in range(0x110000):
        if unicodedata.category(chr(code)) != "Cf" or (0xE0000 <= code <= 0xE007F and code % 16):
            continue  # tags: a few of them are enough
        character = chr(code)
        out.append(HostileString(character, "format-alone", REFUSE))
        inside = REFUSE if code in _REFUSED_INSIDE else ACCEPT
        out.append(HostileString(f"Ann{character}Lee", "format-inside", inside))
    for code in range(0x110000):
        if unicodedata.category(chr(code)) == "Zs":
            out.append(HostileString(chr(code) * 2, "space-alone", REFUSE))
            out.append(HostileString(f"Ann{chr(code)}Lee", "space-inside", ACCEPT))
    marks = [c for c in range(0x0300, 0x0370)] + [0x0591, 0x05B0, 0x064B, 0x0670, 0x093C, 0x0E31, 0x20D0, 0x20E3,
                                                   0xFE0F, 0xFE20, 0x1AB0, 0x1DC0]
    for code in marks:
        out.append(HostileString(chr(code), "mark-alone", REFUSE))
        out.append(HostileString(f"e{chr(code)}", "mark-on-letter", ACCEPT))
    payloads = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "HYPERLINK(\"http://evil.example\")",
                "cmd|' /C calc'!A0", "SUM(1+1)*cmd|'/C calc'!A0", "1+1"]
    for prefix in ("=", "+", "-", "@", "\t", " =", "\u00a0=", "\uff1d", "'=", "\"="):
        for payload in payloads:
            out.append(HostileString(prefix + payload, "formula-prefix", ACCEPT))
    for length in (1, 2, 63, 64, 99, 100, 101, 119, 120, 121, 199, 200, 201, 299, 300, 301, 320, 321, 399, 400, 401,
                   499, 500, 501, 999, 1000, 1001, 1999, 2000, 2001, 3999, 4000, 4001):
        out.append(HostileString("x" * length, "length", EITHER))
        out.append(HostileString("ش" * length, "length-rtl", EITHER))
    return out


@cache
def hostile_strings() -> tuple[HostileString, ...]:
    """Every hostile string, curated first, without repeats."""
    seen: set[str] = set()
    out: list[HostileString] = []
    for case in [*_curated(), *_systematic()]:
        if case.text not in seen:
            seen.add(case.text)
            out.append(case)
    return tuple(out)


def sample(size: int, seed: int = 2026) -> tuple[HostileString, ...]:
    """A deterministic slice: every kind at least once, then an even spread of the rest."""
    cases = hostile_strings()
    first_of_kind = list({case.kind: case for case in reversed(cases)}.values())
    chosen = {case.text: case for case in first_of_kind}
    step = max(1, len(cases) // max(1, size - len(chosen)))
    for case in cases[seed % step::step]:
        if len(chosen) >= size:
            break
        chosen.setdefault(case.text, case)
    return tuple(chosen.values())


if __name__ == "__main__":  # pragma: no cover - a quick look at the corpus
    everything = hostile_strings()
    kinds: dict[str, int] = {}
    for case in everything:
        kinds[case.kind] = kinds.get(case.kind, 0) + 1
    print(f"{len(everything)} strings in {len(kinds)} kinds", file=sys.stdout)
    for kind, count in sorted(kinds.items()):
        print(f"  {kind}: {count}")
