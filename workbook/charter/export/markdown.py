"""The charter as Markdown, with every piece of user text escaped, and no more than that.

User text only ever appears inside a line (after ``1. **``, ``- Owner:``),
never at the start of one, so only what acts *inside* a line is escaped:
emphasis, code and strikethrough (``* _ ` ~``), links (``[ ]``), raw HTML and
autolinks (``<``), the backslash itself, an ``&`` that would start an entity
(``&amp;``, ``&#169;``) and ``#`` at the very end (it would close a heading).
Everything else stays as typed, so "Harbour & Vine" reads as "Harbour & Vine"
in the file, not "Harbour \\& Vine": people read the Markdown too.  CommonMark
lets any ASCII punctuation be escaped with a backslash, so ``<script>`` prints
as text.
"""

from __future__ import annotations

import re

from workbook.charter.export.document import BRAND_HEADING, PURPOSE_HEADING, CharterDocument

__all__ = ["escape_markdown", "render_markdown"]

_SPECIAL = re.compile(r"([\\`*_\[\]<~])|&(?=#?[0-9A-Za-z]+;)|#$")


def escape_markdown(text: str) -> str:
    """User text made inert in Markdown: specials backslash-escaped, one line."""
    return _SPECIAL.sub(lambda m: "\\" + m.group(0), " ".join(str(text).split()))


def render_markdown(document: CharterDocument) -> str:
    e = escape_markdown
    lines = [f"# {e(document.title)}", "", f"**{e(document.organisation)}**", ""]
    if document.is_draft:
        lines += [f"> **{e(document.status)}** · {e(document.version_line)}", ""]
    else:
        version = "" if document.for_customers else f" · {e(document.version_line)}"
        lines += [f"_{e(document.status)}{version}_", ""]
    if document.brand_promise:
        lines += [f"## {BRAND_HEADING}", "", e(document.brand_promise), ""]
    if document.common_purpose:
        lines += [f"## {PURPOSE_HEADING}", "", e(document.common_purpose), ""]
    lines += [e(document.intro), ""]
    if document.results_line:
        lines += [f"**{e(document.results_line)}**", ""]
    for promise in document.promises:
        lines += [f"{promise.number}. **{e(promise.text)}**", f"   - How we measure it: {e(promise.standard)}"]
        if promise.target:
            lines.append(f"   - Target: {e(promise.target)}")
        if promise.result:
            lines.append(f"   - Latest result: {e(promise.result)}")
        if not document.for_customers:
            lines += [f"   - Owner: {e(promise.owner)}; review by {e(promise.review)}",
                      f"   - Serves: {e(promise.value)} (value), {e(promise.step)} (DIME™ step)"]
        lines.append("")
    lines += _recovery_lines(document)
    lines += ["---", "", f"_{e(document.credit)}_", ""]
    return "\n".join(lines)


def _recovery_lines(document: CharterDocument) -> list[str]:
    """The recovery playbook after the promises: a heading, the intro, a bullet per failure."""
    section = document.recovery
    if section is None:
        return []
    e = escape_markdown
    lines = [f"## {e(section.heading)}", "", e(section.intro), ""]
    if section.source:
        lines += [f"_{e(section.source)}. Stages: {e(' → '.join(section.stages))}._", ""]
    for play in section.plays:
        lines.append(f"- **{e(play.failure)}**")
        lines += [f"  - {e(label)}: {e(value)}" for label, value in play.lines]
    lines.append("")
    if section.follow_up_questions:
        lines += ["The follow-up asks:", "", *[f"- {e(q)}" for q in section.follow_up_questions], ""]
    return lines
