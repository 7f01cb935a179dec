"""HTML fragments of the charter builder: checks, coverage, evidence, versions.

Pure functions from records to HTML strings, so they are tested without
widgets and every piece of team text is escaped in one place (``_e``).  The
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
from workbook.text import esc

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


def findings_html(findings: Sequence[Finding]) -> str:
    """A list of findings: "✗ To fix:" for blocking ones, "ⓘ Advice:" for the rest."""
    if not findings:
        return ""
    items = []
    for finding in findings:
        if finding.blocking:
            items.append(f"<li class='wb-fix'>✗ <strong>To fix:</strong> {esc(finding.message)}</li>")
        else:
            items.append(f"<li class='wb-advice'>ⓘ <strong>Advice:</strong> {esc(finding.message)}</li>")
    return f"<ul class='wb-findings'>{''.join(items)}</ul>"


def coverage_html(coverage: Coverage, framework: Framework) -> str:
    """Which promises serve each value and each step, as two small tables."""
    def table(caption: str, rows: Sequence[tuple[str, tuple[int, ...]]], name: Callable[[str], str]) -> str:
        body = "".join(
            f"<tr><td>{esc(name(item))}</td><td>"
            + (f"✓ promise {', '.join(map(str, used))}" if used else "<span class='wb-fix'>✗ none yet</span>")
            + "</td></tr>"
            for item, used in rows
        )
        return (f"<table class='wb-coverage'><caption class='wb-muted'>{esc(caption)}</caption>"
                f"<thead><tr><th scope='col'>{esc(caption.split()[0])}</th><th scope='col'>Served by</th></tr>"
                f"</thead><tbody>{body}</tbody></table>")

    return (table("Values (all five)", coverage.values, lambda v: framework.value(v).name)
            + table("Steps (all four)", coverage.steps, lambda s: framework.step(s).name))


def checks_html(report: CheckReport, framework: Framework, *, required: int) -> str:
    """The charter's checks: a one-line verdict, what blocks approval, advice and coverage."""
    blocking = report.blocking
    if blocking:
        verdict = (f"<p class='wb-warn' role='status'>{len(blocking)} thing(s) to fix before this charter "
                   "can be approved.</p>")
    else:
        verdict = (f"<p class='wb-ok' role='status'>✓ All checks pass: {required} promises, each specific, "
                   "measured, owned and reviewed. Ready to approve.</p>")
    charter_wide = [f for f in report.findings if f.position is None]
    per_promise = [f for f in report.findings if f.position is not None]
    return (
        "<h2>Checks</h2>" + verdict + findings_html(charter_wide)
        + (f"<details><summary>Every finding, promise by promise ({len(per_promise)})</summary>"
           f"{findings_html(per_promise)}</details>" if per_promise else "")
        + coverage_html(report.coverage, framework)
    )


def reasons_html(reasons: Sequence[str]) -> str:
    """"Your results: Innovative is your lowest value: 2.8 of 5; ...", or nothing."""
    if not reasons:
        return ""
    return f"<p class='wb-muted'>Your results: {esc('; '.join(reasons))}.</p>"


def evidence_html(evidence: Evidence, framework: Framework) -> str:
    """Where the team is weakest, lowest first, and where the numbers come from."""
    high = framework.scale.maximum
    parts = ["<h2>Where to start</h2>"]
    if evidence.value_scores:
        ordered = sorted(evidence.value_scores.items(), key=lambda kv: kv[1])
        items = "".join(f"<li>{esc(framework.value(v).name)}: {s:.1f} of {high}</li>" for v, s in ordered)
        parts.append(f"<p>Values, lowest first <span class='wb-muted'>({esc(evidence.value_source)})</span>:</p>"
                     f"<ol class='wb-evidence'>{items}</ol>")
    if evidence.step_scores:
        ordered = sorted(evidence.step_scores.items(), key=lambda kv: kv[1])
        items = "".join(f"<li>{esc(framework.step(s).name)}: {v:.1f} of {high}</li>" for s, v in ordered)
        parts.append(f"<p>DIME™ steps, lowest-rated first <span class='wb-muted'>({esc(evidence.step_source)})"
                     f"</span>:</p><ol class='wb-evidence'>{items}</ol>")
    for note in evidence.notes:
        parts.append(f"<p class='wb-note'>{esc(note)}</p>")
    if evidence.value_scores or evidence.step_scores:
        parts.append("<p>The starter promises are ordered to match: the ones for your weakest areas come "
                     "first, with the reason beside each.</p>")
    return "".join(parts)


def _promise_block(promise: PromiseRecord, framework: Framework) -> str:
    def name(kind: str, item: str | None) -> str:
        if not item:
            return "not yet chosen"
        try:
            return str(framework.value(item).name if kind == "value" else framework.step(item).name)
        except NotFoundError:  # an id from another framework edition
            return item

    review = format_day(promise.review_date) if promise.review_date else "not yet set"
    target = _target_line(promise, framework)
    return (f"<strong>{esc(promise.text or '(no wording yet)')}</strong><br>"
            f"<span>Standard: {esc(promise.standard or 'not yet written')}</span><br>"
            + (f"<span>Measure: {esc(target)}</span><br>" if target else "") +
            f"<span class='wb-muted'>Owner: {esc(promise.owner or 'not yet chosen')} · Review by: {esc(review)} · "
            f"{esc(name('value', promise.value_id))} · {esc(name('step', promise.step_id))}</span>")


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


def foundation_html(brand_promise: str | None, common_purpose: str | None) -> str:
    """The brand promise and common purpose as two labelled blocks ("not written yet" for gaps)."""
    def block(label: str, text: str | None) -> str:
        shown = esc(text) if text else "<span class='wb-muted'>not written yet</span>"
        return f"<div class='wb-foundation-part'><h3>{esc(label)}</h3><p>{shown}</p></div>"

    return ("<div class='wb-foundation'>" + block("Our brand promise", brand_promise)
            + block("Our common purpose", common_purpose) + "</div>")


def charter_html(charter: CharterRecord, framework: Framework) -> str:
    """One version, read-only: its brand promise and common purpose, then the promises as a numbered list."""
    items = "".join(f"<li>{_promise_block(p, framework)}</li>" for p in charter.promises)
    return foundation_html(charter.brand_promise, charter.common_purpose) + f"<ol class='wb-version-list'>{items}</ol>"


def examples_html(part: FoundationPart) -> str:
    """A first-page prompt's good and weak examples, each with why, folded away until asked for."""
    def items(examples: Sequence[Example], mark: str) -> str:
        return "".join(f"<li>{mark} <q>{esc(e.text)}</q> <span class='wb-muted'>{esc(e.why)}</span></li>"
                       for e in examples)

    return (f"<details class='wb-examples'><summary>Examples of a {esc(part.name.lower())}</summary>"
            f"<p><strong>Strong:</strong></p><ul>{items(part.good, '✓')}</ul>"
            f"<p><strong>Weak:</strong></p><ul>{items(part.bad, '✗')}</ul></details>")


_KIND_WORDS = {"added": "+ Added", "removed": "- Removed", "changed": "~ Changed", "unchanged": "= Unchanged"}


def _changed_fields(change: PromiseChange, framework: Framework) -> str:
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
        rows.append(f"<div><em>{esc(label)}:</em> <del>{esc(old or 'none')}</del> → <ins>{esc(new or 'none')}</ins>"
                    "</div>")
    return "".join(rows)


def diff_html(old: CharterRecord, new: CharterRecord, framework: Framework) -> str:
    """Two versions side by side: every promise added, removed, changed or unchanged."""
    changes = compare_promises(old.promises, new.promises)
    foundation = compare_foundation(old, new)
    rows = [f"<tr class='wb-changed'><td class='wb-kind'>~ Changed<br><span class='wb-muted'>{esc(f.label)}</span>"
            f"</td><td>{esc(f.old or 'not written')}</td><td>{esc(f.new or 'not written')}</td></tr>"
            for f in foundation]
    for change in changes:
        kind = _KIND_WORDS[change.kind]
        if change.kind == "changed":
            kind += f"<br><span class='wb-muted'>{esc(', '.join(change.fields))}</span>"
        if change.moved:
            kind += f"<br><span class='wb-muted'>moved from {change.old_position} to {change.new_position}</span>"
        if change.kind == "unchanged":  # the wording is enough to recognise it
            assert change.old is not None and change.new is not None
            left = f"<span class='wb-muted'>{change.old_position}. {esc(change.old.text)}</span>"
            right = f"<span class='wb-muted'>{change.new_position}. {esc(change.new.text)}</span>"
        else:
            left = (f"<strong>{change.old_position}.</strong> {_promise_block(change.old, framework)}"
                    if change.old is not None else "")
            right = (f"<strong>{change.new_position}.</strong> {_promise_block(change.new, framework)}"
                     if change.new is not None else "")
        if change.kind == "changed":
            right += f"<div class='wb-muted'>{_changed_fields(change, framework)}</div>"
        rows.append(f"<tr class='wb-{change.kind}'><td class='wb-kind'>{kind}</td><td>{left}</td>"
                    f"<td>{right}</td></tr>")
    return (f"<p role='status'><strong>{esc(_first_upper(old.label))} → {esc(new.label)}:</strong> "
            f"{esc(summarise(changes))}"
            + (f"; {esc(' and '.join(f.label for f in foundation))} changed" if foundation else "") + ".</p>"
            "<table class='wb-diff'><colgroup><col style='width: 7.5rem'><col><col></colgroup>"
            "<thead><tr><th scope='col'>Change</th>"
            f"<th scope='col'>{esc(_first_upper(old.label))}</th><th scope='col'>{esc(_first_upper(new.label))}</th>"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _first_upper(text: str) -> str:
    """"version 2 (approved 5 March 2027)" → "Version 2 (approved 5 March 2027)" (str.capitalize lowers March)."""
    return text[:1].upper() + text[1:]


def results_html(results: PromiseResults, *, quarters: int = 4) -> str:
    """Each measured promise kept or not in the last ``quarters`` quarters, as a table ("✓ 96 %", "✗ 75 s")."""
    shown = results.cycles[-quarters:]
    if not results.promises:
        return ("<h2>Kept or not</h2><p class='wb-muted'>Choose a measure and a target for a promise (“Measured "
                "by”) to see here, quarter by quarter, whether it was kept.</p>")

    def cell(quarter: QuarterResult | None) -> str:
        if quarter is None or quarter.value is None:
            return "<td class='wb-muted'>– no figure</td>"
        mark = "" if quarter.kept is None else ("✓ " if quarter.kept else "✗ ")
        word = "" if quarter.kept is None else (" kept" if quarter.kept else " not kept")
        cls = "" if quarter.kept is None else (" class='wb-ok'" if quarter.kept else " class='wb-fix'")
        trend = "<br><span class='wb-warn'>▼ wrong way</span>" if quarter.wrong_way else ""
        return f"<td{cls}>{mark}{esc(quarter.shown)}{esc(word)}{trend}</td>"

    head = "".join(f"<th scope='col'>{esc(c)}</th>" for c in shown)
    rows = "".join(
        f"<tr><th scope='row'>{r.position}. {esc(r.text)}<br><span class='wb-muted'>{esc(r.measure_name)}: "
        f"{esc(r.target)}</span></th>{''.join(cell(r.quarter(c)) for c in shown)}</tr>"
        for r in results.promises)
    return ("<h2>Kept or not</h2><p>Each promise that names a measure, against its target, quarter by quarter "
            "(figures from the scorecard).</p>"
            f"<table class='wb-diff wb-results'><thead><tr><th scope='col'>Promise</th>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def download_link_html(filename: str, media_type: str, data: bytes) -> str:
    """A link that downloads ``data`` from the page itself (a data: URL): no server, no internet."""
    return download.download_link_html(filename, media_type.split(";")[0], data)
