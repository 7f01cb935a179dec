"""The charter as Markdown, with every piece of user text escaped.

User text only ever appears inside a line (after ``1. **``, ``- Owner:``),
never at the start of one, so only the characters that act *inside* a line
need escaping: emphasis and code (``* _ ` ~``), links and images
(``[ ] !``), raw HTML and autolinks (``< >``), entities (``&``), tables
(``|``), headings (``#``) and the backslash itself.  CommonMark lets any ASCII
punctuation be escaped with a backslash, so ``<script>`` prints as text.
"""

from __future__ import annotations

import re

from workbook.charter.export.document import CharterDocument

__all__ = ["escape_markdown", "render_markdown"]

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~!&])")


def escape_markdown(text: str) -> str:
    """User text made inert in Markdown: specials backslash-escaped, one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def render_markdown(document: CharterDocument) -> str:
    e = escape_markdown
    lines = [f"# {e(document.title)}", "", f"**{e(document.organisation)}**", ""]
    if document.is_draft:
        lines += [f"> **{e(document.status)}** · {e(document.version_line)}", ""]
    else:
        lines += [f"_{e(document.status)} · {e(document.version_line)}_", ""]
    lines += [e(document.intro), ""]
    for promise in document.promises:
        lines += [
            f"{promise.number}. **{e(promise.text)}**",
            f"   - How we measure it: {e(promise.standard)}",
            f"   - Owner: {e(promise.owner)}; review by {e(promise.review)}",
            f"   - Serves: {e(promise.value)} (value), {e(promise.step)} (DIME™ step)",
            "",
        ]
    lines += ["---", "", f"_{e(document.credit)}_", ""]
    return "\n".join(lines)
