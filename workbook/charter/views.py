"""HTML fragments of the charter builder: checks, coverage, evidence, versions.

Pure functions from records to :class:`~markupsafe.Markup`, so they are tested
without widgets and every piece of team text is escaped as it meets the markup
(:mod:`workbook.html`).  The
app (:mod:`workbook.apps.charter`) puts them in HTML widgets.  Colour is never
the only cue: every state also has a word ("To fix", "Added") and a symbol.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from workbook import download
from workbook.charter.checks import CheckReport, Coverage, Finding
from workbook.charter.diff import PromiseChange, compare_foundation, compare_promises, summarise
from workbook.charter.ranking import Evidence
from workbook.charter.records import CharterRecord, PromiseRecord, format_day
from workbook.charter.results import PromiseResults, QuarterResult
from workbook.errors import NotFoundError
from workbook.framework import Example, FoundationPart, Framework
from workbook.html import Markup, esc, html, join

__all__ = [
    "CHARTER_CSS",
    "charter_html",
    "checks_html",
    "coverage_html",
    "diff_html",
    "download_link_html",
    "evidence_html",
    "examples_html",
    "findings_html",
    "foundation_html",
    "reasons_html",
    "results_html",
]

CHARTER_CSS = """
<style>
.wb-charter .wb-card h3 { font-size: 1.1rem; margin: 0 0 0.3rem; }
.wb-charter textarea { font-family: inherit; min-height: 4.2rem; }
.wb-charter .widget-label { min-width: 8.5rem; }
.wb-charter .wb-card .widget-inline-hbox { max-width: 100%; }
.wb-charter caption { text-align: left; }
@media (max-width: 600px) {
  .wb-charter .widget-inline-hbox { flex-direction: column; align-items: stretch; height: auto; }
  .wb-charter .widget-inline-hbox > .widget-label { text-align: left; width: auto !important;
    min-width: 0; max-width: none; }
  .wb-charter .widget-inline-hbox > select, .wb-charter .widget-inline-hbox > input {
    flex: 0 0 auto; height: 2.2rem; }
}
.wb-findings { list-style: none; padding: 0; margin: 0.3rem 0; }
.wb-findings li { margin: 0.15rem 0; padding-left: 1.5rem; text-indent: -1.5rem; }
.wb-fix { color: #8a1c12; }
.wb-advice { color: #4a5260; }
.wb-coverage { border-collapse: collapse; margin: 0.4rem 0; font-size: 0.95rem; }
.wb-coverage th, .wb-coverage td { border: 1px solid #c9ced6; padding: 0.2rem 0.5rem; text-align: left; }
.wb-diff { border-collapse: collapse; width: 100%; font-size: 0.92rem; table-layout: fixed; }
.wb-diff th, .wb-diff td { border: 1px solid #c9ced6; padding: 0.35rem 0.5rem; vertical-align: top; }
.wb-diff td.wb-kind { font-weight: 600; }
.wb-diff .wb-added { background: #eaf6ee; }
.wb-diff .wb-removed { background: #fdf0ef; }
.wb-diff .wb-changed { background: #fff7e6; }
.wb-diff del { color: #8a1c12; }
.wb-diff ins { color: #1f6f3a; text-decoration: none; font-weight: 600; }
.wb-results { margin-bottom: 0.8rem; }
.wb-results th[scope='row'] { text-align: left; font-weight: 600; }
.wb-results th[scope='row'] .wb-muted { font-weight: normal; }
.wb-evidence li { margin: 0.1rem 0; }
.wb-version-list li { margin: 0.4rem 0; }
.wb-foundation { display: flex; flex-wrap: wrap; gap: 1rem; margin: 0.5rem 0 1rem; }
.wb-foundation-part { flex: 1 1 18rem; border-left: 4px solid #0b5cad; padding: 0.1rem 0 0.1rem 0.7rem; }
.wb-foundation-part h3 { font-size: 0.95rem; margin: 0 0 0.2rem; }
.wb-foundation-part p { margin: 0; }
.wb-examples li { margin: 0.25rem 0; }
.wb-pages .widget-button { font-weight: 600; }
.wb-pages .widget-button.wb-current { background: #0b5cad; color: #fff; border-color: #0b5cad; }
</style>
"""


def findings_html(findings: Sequence[Finding]) -> Markup:
    """A list of findings: "✗ To fix:" for blocking ones, "ⓘ Advice:" for the rest."""
    if not findings:
        return Markup()
    items = []
    for finding in findings:
        if finding.blocking:
            items.append(html("<li class='wb-fix'>✗ <strong>To fix:</strong> {}</li>", finding.message))
        else:
            items.append(html("<li class='wb-advice'>ⓘ <strong>Advice:</strong> {}</li>", finding.message))
    return html("<ul class='wb-findings'>{}</ul>", join(items))


def coverage_html(coverage: Coverage, framework: Framework) -> Markup:
    """Which promises serve each value and each step, as two small tables."""
    none_yet = Markup("<span class='wb-fix'>✗ none yet</span>")

    def table(caption: str, rows: Sequence[tuple[str, tuple[int, ...]]], name: Callable[[str], str]) -> Markup:
        body = join(
            html("<tr><td>{}</td><td>{}</td></tr>", name(item),
                 f"✓ promise {', '.join(map(str, used))}" if used else none_yet)
            for item, used in rows
        )
        return html("<table class='wb-coverage'><caption class='wb-muted'>{}</caption>"
                    "<thead><tr><th scope='col'>{}</th><th scope='col'>Served by</th></tr>"
                    "</thead><tbody>{}</tbody></table>", caption, caption.split()[0], body)

    return (table("Values (all five)", coverage.values, lambda v: framework.value(v).name)
            + table("Steps (all four)", coverage.steps, lambda s: framework.step(s).name))


def checks_html(report: CheckReport, framework: Framework, *, required: int) -> Markup:
    """The charter's checks: a one-line verdict, what blocks approval, advice and coverage."""
    blocking = report.blocking
    if blocking:
        verdict = html("<p class='wb-warn' role='status'>{} thing(s) to fix before this charter "
                       "can be approved.</p>", len(blocking))
    else:
        verdict = html("<p class='wb-ok' role='status'>✓ All checks pass: {} promises, each specific, "
                       "measured, owned and reviewed. Ready to approve.</p>", required)
    charter_wide = [f for f in report.findings if f.position is None]
    per_promise = [f for f in report.findings if f.position is not None]
    every = html("<details><summary>Every finding, promise by promise ({})</summary>{}</details>",
                 len(per_promise), findings_html(per_promise)) if per_promise else Markup()
    return (Markup("<h2>Checks</h2>") + verdict + findings_html(charter_wide) + every
            + coverage_html(report.coverage, framework))


def reasons_html(reasons: Sequence[str]) -> Markup:
    """"Your results: Innovative is your lowest value: 2.8 of 5; ...", or nothing."""
    if not reasons:
        return Markup()
    return html("<p class='wb-muted'>Your results: {}.</p>", "; ".join(reasons))


def evidence_html(evidence: Evidence, framework: Framework) -> Markup:
    """Where the team is weakest, lowest first, and where the numbers come from."""
    high = framework.scale.maximum
    parts = [Markup("<h2>Where to start</h2>")]
    if evidence.value_scores:
        ordered = sorted(evidence.value_scores.items(), key=lambda kv: kv[1])
        items = join(html("<li>{}: {:.1f} of {}</li>", framework.value(v).name, s, high) for v, s in ordered)
        parts.append(html("<p>Values, lowest first <span class='wb-muted'>({})</span>:</p>"
                          "<ol class='wb-evidence'>{}</ol>", evidence.value_source, items))
    if evidence.step_scores:
        ordered = sorted(evidence.step_scores.items(), key=lambda kv: kv[1])
        items = join(html("<li>{}: {:.1f} of {}</li>", framework.step(s).name, v, high) for s, v in ordered)
        parts.append(html("<p>DIME™ steps, lowest-rated first <span class='wb-muted'>({})"
                          "</span>:</p><ol class='wb-evidence'>{}</ol>", evidence.step_source, items))
    for note in evidence.notes:
        parts.append(html("<p class='wb-note'>{}</p>", note))
    if evidence.value_scores or evidence.step_scores:
        parts.append(Markup("<p>The starter promises are ordered to match: the ones for your weakest areas come "
                            "first, with the reason beside each.</p>"))
    return join(parts)


def _promise_block(promise: PromiseRecord, framework: Framework) -> Markup:
    def name(kind: str, item: str | None) -> str:
        if not item:
            return "not yet chosen"
        try:
            return str(framework.value(item).name if kind == "value" else framework.step(item).name)
        except NotFoundError:  # an id from another framework edition
            return item

    review = format_day(promise.review_date) if promise.review_date else "not yet set"
    target = _target_line(promise, framework)
    return (html("<strong>{}</strong><br><span>Standard: {}</span><br>", promise.text or "(no wording yet)",
                 promise.standard or "not yet written")
            + (html("<span>Measure: {}</span><br>", target) if target else Markup())
            + html("<span class='wb-muted'>Owner: {} · Review by: {} · {} · {}</span>",
                   promise.owner or "not yet chosen", review, name("value", promise.value_id),
                   name("step", promise.step_id)))


def _target_line(promise: PromiseRecord, framework: Framework) -> str | None:
    """"First-contact resolution: at least 80 %", or None for a promise that names no measure."""
    from workbook.charter.targets import find_measure, target_text

    if not promise.measure_id:
        return None
    try:
        measure = find_measure(framework, promise.measure_id)
    except NotFoundError:
        return promise.measure_id
    return f"{measure.name}: {target_text(measure, promise.target_op, promise.target_value)}"


def foundation_html(brand_promise: str | None, common_purpose: str | None) -> Markup:
    """The brand promise and common purpose as two labelled blocks ("not written yet" for gaps)."""
    not_written = Markup("<span class='wb-muted'>not written yet</span>")

    def block(label: str, text: str | None) -> Markup:
        return html("<div class='wb-foundation-part'><h3>{}</h3><p>{}</p></div>", label, text or not_written)

    return html("<div class='wb-foundation'>{}{}</div>", block("Our brand promise", brand_promise),
                block("Our common purpose", common_purpose))


def charter_html(charter: CharterRecord, framework: Framework) -> Markup:
    """One version, read-only: its brand promise and common purpose, then the promises as a numbered list."""
    items = join(html("<li>{}</li>", _promise_block(p, framework)) for p in charter.promises)
    return (foundation_html(charter.brand_promise, charter.common_purpose)
            + html("<ol class='wb-version-list'>{}</ol>", items))


def examples_html(part: FoundationPart) -> Markup:
    """A first-page prompt's good and weak examples, each with why, folded away until asked for."""
    def items(examples: Sequence[Example], mark: str) -> Markup:
        return join(html("<li>{} <q>{}</q> <span class='wb-muted'>{}</span></li>", mark, e.text, e.why)
                    for e in examples)

    return html("<details class='wb-examples'><summary>Examples of a {}</summary>"
                "<p><strong>Strong:</strong></p><ul>{}</ul>"
                "<p><strong>Weak:</strong></p><ul>{}</ul></details>",
                part.name.lower(), items(part.good, "✓"), items(part.bad, "✗"))


_KIND_WORDS = {"added": "+ Added", "removed": "- Removed", "changed": "~ Changed", "unchanged": "= Unchanged"}


def _changed_fields(change: PromiseChange, framework: Framework) -> Markup:
    """Old and new values of each changed field, struck through and inserted."""
    assert change.old is not None and change.new is not None
    rows = []
    for attribute, label in (("text", "wording"), ("standard", "standard"), ("owner", "owner"),
                             ("review_date", "review date"), ("value_id", "value"), ("step_id", "step"),
                             ("target", "measure"), ("target", "target")):
        if label not in change.fields or (attribute == "target" and label == "target" and "measure" in change.fields):
            continue
        old: object
        new: object
        if attribute == "target":
            old, new = _target_line(change.old, framework), _target_line(change.new, framework)
        else:
            old, new = getattr(change.old, attribute), getattr(change.new, attribute)
        if attribute == "review_date":
            old = format_day(old) if isinstance(old, date) else "none"
            new = format_day(new) if isinstance(new, date) else "none"
        rows.append(html("<div><em>{}:</em> <del>{}</del> → <ins>{}</ins></div>", label, old or "none", new or "none"))
    return join(rows)


def diff_html(old: CharterRecord, new: CharterRecord, framework: Framework) -> Markup:
    """Two versions side by side: every promise added, removed, changed or unchanged."""
    changes = compare_promises(old.promises, new.promises)
    foundation = compare_foundation(old, new)
    rows = [html("<tr class='wb-changed'><td class='wb-kind'>~ Changed<br><span class='wb-muted'>{}</span>"
                 "</td><td>{}</td><td>{}</td></tr>", f.label, f.old or "not written", f.new or "not written")
            for f in foundation]
    for change in changes:
        kind = esc(_KIND_WORDS[change.kind])
        if change.kind == "changed":
            kind += html("<br><span class='wb-muted'>{}</span>", ", ".join(change.fields))
        if change.moved:
            kind += html("<br><span class='wb-muted'>moved from {} to {}</span>", change.old_position,
                         change.new_position)
        if change.kind == "unchanged":  # the wording is enough to recognise it
            assert change.old is not None and change.new is not None
            left = html("<span class='wb-muted'>{}. {}</span>", change.old_position, change.old.text)
            right = html("<span class='wb-muted'>{}. {}</span>", change.new_position, change.new.text)
        else:
            left = (html("<strong>{}.</strong> {}", change.old_position, _promise_block(change.old, framework))
                    if change.old is not None else Markup())
            right = (html("<strong>{}.</strong> {}", change.new_position, _promise_block(change.new, framework))
                     if change.new is not None else Markup())
        if change.kind == "changed":
            right += html("<div class='wb-muted'>{}</div>", _changed_fields(change, framework))
        rows.append(html("<tr class='wb-{}'><td class='wb-kind'>{}</td><td>{}</td><td>{}</td></tr>",
                         change.kind, kind, left, right))
    also = html("; {} changed", " and ".join(f.label for f in foundation)) if foundation else Markup()
    return html("<p role='status'><strong>{} → {}:</strong> {}{}.</p>"
                "<table class='wb-diff'><colgroup><col style='width: 7.5rem'><col><col></colgroup>"
                "<thead><tr><th scope='col'>Change</th><th scope='col'>{}</th><th scope='col'>{}</th>"
                "</tr></thead><tbody>{}</tbody></table>",
                _first_upper(old.label), new.label, summarise(changes), also,
                _first_upper(old.label), _first_upper(new.label), join(rows))


def _first_upper(text: str) -> str:
    """"version 2 (approved 5 March 2027)" → "Version 2 (approved 5 March 2027)" (str.capitalize lowers March)."""
    return text[:1].upper() + text[1:]


def results_html(results: PromiseResults, *, quarters: int = 4) -> Markup:
    """Each measured promise kept or not in the last ``quarters`` quarters, as a table ("✓ 96 %", "✗ 75 s")."""
    shown = results.cycles[-quarters:]
    if not results.promises:
        return Markup("<h2>Kept or not</h2><p class='wb-muted'>Choose a measure and a target for a promise (“Measured "
                      "by”) to see here, quarter by quarter, whether it was kept.</p>")
    wrong_way = Markup("<br><span class='wb-warn'>▼ wrong way</span>")

    def cell(quarter: QuarterResult | None) -> Markup:
        if quarter is None or quarter.value is None:
            return Markup("<td class='wb-muted'>– no figure</td>")
        mark = "" if quarter.kept is None else ("✓ " if quarter.kept else "✗ ")
        word = "" if quarter.kept is None else (" kept" if quarter.kept else " not kept")
        cls = Markup("") if quarter.kept is None else Markup(" class='wb-ok'" if quarter.kept else " class='wb-fix'")
        return html("<td{}>{}{}{}{}</td>", cls, mark, quarter.shown, word, wrong_way if quarter.wrong_way else "")

    head = join(html("<th scope='col'>{}</th>", c) for c in shown)
    rows = join(
        html("<tr><th scope='row'>{}. {}<br><span class='wb-muted'>{}: {}</span></th>{}</tr>",
             r.position, r.text, r.measure_name, r.target, join(cell(r.quarter(c)) for c in shown))
        for r in results.promises)
    return html("<h2>Kept or not</h2><p>Each promise that names a measure, against its target, quarter by quarter "
                "(figures from the scorecard).</p>"
                "<table class='wb-diff wb-results'><colgroup><col style='width: 40%'>{}</colgroup>"
                "<thead><tr><th scope='col'>Promise</th>{}</tr></thead>"
                "<tbody>{}</tbody></table>", join(Markup("<col>") for _ in shown), head, rows)


def download_link_html(filename: str, media_type: str, data: bytes) -> Markup:
    """A link that downloads ``data`` from the page itself (a data: URL): no server, no internet."""
    return download.download_link_html(filename, media_type.split(";")[0], data)
