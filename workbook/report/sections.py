"""One function per report section; the notebook calls them in order.

Each function takes the :class:`~workbook.report.model.Report` and returns a
:class:`Section` (or ``None`` when the section has nothing to show, e.g. every
results section of an organisation with too few answers).  As the last
expression of a notebook cell a Section displays itself twice: as HTML (what
the report shows) and as plain text (what the notebook test compares and a
reader of the raw notebook sees).

Every number comes from the Report's anonymity-checked results; every piece
of text that came from a person (names, comments) is escaped here, by building
every fragment with :func:`workbook.html.html` (so HTML is ``Markup``).  Charts are
static SVG (:mod:`workbook.charts`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbook.html import Markup, html, join
from workbook.report.model import Report, load_report
from workbook.report.tables import table_html

if TYPE_CHECKING:

    from workbook.report.hooks import Fragment

__all__ = [
    "RECORD_MIMETYPE",
    "Record",
    "Section",
    "agreement",
    "charter",
    "comments",
    "cover",
    "executive_summary",
    "holds",
    "leaders_and_staff",
    "load",
    "method",
    "obstacles",
    "quarter_at_a_glance",
    "rating_distribution",
    "record",
    "report_title",
    "self_and_organisation",
    "statements_by_team",
    "trends",
    "values_profile",
    "warm_up",
    "workshop",
]

#: The mimetype of the report's last output: what the batch reads to list the report.
RECORD_MIMETYPE = "application/vnd.workbook.report+json"
CREDIT = "DIME™ is a trademark of Chris Smoje (dimecustomerservice.com)."


@dataclass(frozen=True)
class Section:
    """A rendered report section: ``html`` for the report, ``text`` for the notebook."""

    id: str
    html: Markup
    text: str

    def _repr_html_(self) -> str:
        return self.html

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text)


@dataclass(frozen=True)
class Record:
    """The facts the batch needs about a report (status, names, counts), as the last output."""

    data: dict[str, Any]

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {RECORD_MIMETYPE: self.data, "text/plain": f"Report recorded: {self.data['status']}"}


# --------------------------------------------------------------------------- helpers
def _paragraphs(texts: Iterable[str], cls: str = "") -> Markup:
    attr = html(' class="{}"', cls) if cls else Markup()
    return join(html("<p{}>{}</p>", attr, t) for t in texts)


def _notes(notes: Iterable[str]) -> Markup:
    unique = list(dict.fromkeys(n for n in notes if n))
    if not unique:
        return Markup()
    items = join(html("<li>{}</li>", n) for n in unique)
    return html('<aside class="wb-notes" aria-label="About the figures"><ul>{}</ul></aside>', items)


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], caption: str = "",
           numeric: Sequence[int] = (), long: bool = False) -> Markup:
    """An HTML table; a ``long`` one may break across pages (its header repeats), others may not."""
    return table_html(headers, rows, caption=caption, numeric=numeric,
                      classes="wb-table wb-long" if long else "wb-table")


def _plain(report: Report, notes: Iterable[str], *, teams: bool = False) -> list[str]:
    """Where figures were combined or hidden: one plain line; the notes in full go to the method appendix.

    With ``teams``, the line names the teams behind 'Other teams' (a reader needs
    that to read the columns); otherwise it only says that something was held back.
    """
    from workbook.anonymity import POOL_LABEL

    if not any(notes):
        return []
    if teams and report.by_team.groups.empty:
        return ["Results are not shown by team, to keep answers anonymous; the method appendix says why."]
    merged = report.by_team.merged_groups if teams else ()
    if merged:
        return [f"'{POOL_LABEL}' combines {_list(merged)}, to keep answers anonymous; the method appendix "
                "gives the rules."]
    return ["Some figures are combined or hidden to keep answers anonymous; the method appendix gives the rules."]


def _text_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [list(map(str, headers)), *[[str(c) for c in r] for r in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells)


def _section(report: Report, section_id: str, title: str, body_html: Markup, body_text: Sequence[str],
             *, new_page: bool = True) -> Section:
    classes = "wb-section wb-new-page" if new_page else "wb-section"
    html_out = html('<section class="{}" id="{}"><h2>{}</h2>{}</section>', classes, section_id, title, body_html)
    text = "\n".join([title, "=" * len(title), *[t for t in body_text if t]])
    return Section(section_id, html_out, text)


def _number(x: float) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.1f}"


def _chart(chart: Any) -> Markup:
    from workbook.charts import chart_html

    return chart_html(chart)


def _merged_sentence(report: Report) -> str:
    from workbook.anonymity import POOL_LABEL

    merged = report.by_team.merged_groups
    if not merged:
        return ""
    return f"'{POOL_LABEL}' combines {_list(merged)}."


def _list(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _statement_label(report: Report, statement_id: str, reverse: bool) -> str:
    """``U3* I give every customer the same scripted answer, ...``: whole (the table wraps it, never cuts it)."""
    return f"{statement_id}{'*' if reverse else ''} {report.statement_texts.get(statement_id, '')}".strip()


def _as_of(report: Report) -> str:
    if report.data_as_of is None:
        return "no submitted answers yet"
    moment = report.data_as_of
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


# --------------------------------------------------------------------------- sections
def load(organisation: str, cycle: str | None = None, threshold: int | None = None,
         comment_threshold: int | None = None, db: str | None = None) -> Report:
    """Read the organisation's data for the report (see :func:`workbook.report.model.load_report`)."""
    return load_report(organisation, cycle=cycle, threshold=threshold, comment_threshold=comment_threshold, db=db)


def holds(report: Report) -> tuple[str, ...]:
    """What this report holds, for its title: the values assessment, then the workshop, charter and quarter if there.

    The workshop and the charter count as the sections do (anything entered, a
    charter with promises), the quarter once a customer measure has a figure for
    it, so the title never promises a part that says "not run yet".
    """
    parts = ["values assessment"]
    store = report.store
    if store is None or not report.enough:
        return tuple(parts)
    from workbook.charter.repository import charter_for_report
    from workbook.measures.scorecard import scorecard
    from workbook.workshop.repository import Workshop

    if not Workshop(store).state(report.cycle.id).is_empty:
        parts.append("workshop")
    charter_record = charter_for_report(store, report.organisation.id)
    if charter_record is not None and charter_record.promises:
        parts.append("charter")
    card = scorecard(store, report.organisation.id, report.framework)
    if report.cycle.label in card.cycles and any(line.point(report.cycle.label).value is not None
                                                 for line in card.lines):
        parts.append("quarter at a glance")
    return tuple(parts)


def report_title(parts: Sequence[str]) -> str:
    """``Values assessment, workshop, charter and quarter at a glance``; alone, ``Values assessment report``."""
    if len(parts) == 1:
        return f"{parts[0].capitalize()} report"
    text = _list(list(parts))
    return text[0].upper() + text[1:]


def cover(report: Report) -> Section:
    """The title block: the organisation's name, what the report holds, the cycle and the framework credit."""
    name = report.organisation.name
    title = report_title(holds(report))
    body = html('<header class="wb-cover"><p class="wb-kicker">{}</p><h1>{}</h1>'
                '<p class="wb-subtitle">The A-E-I-O-U service values · assessment cycle {}</p>'
                '<p class="wb-byline">Built on the DIME™ customer service framework. {}</p></header>',
                title, name, report.cycle.label, CREDIT)
    text = "\n".join([f"{title}: {name}", f"Assessment cycle {report.cycle.label}", CREDIT])
    return Section("cover", body, text)


def _privacy_line(report: Report) -> str:
    """One plain sentence on how anonymity is kept; the rules in full are in the method appendix."""
    from workbook.anonymity import POOL_LABEL

    merged = report.by_team.merged_groups
    pooled = f" Smaller teams are shown together as '{POOL_LABEL}' ({_list(merged)})." if merged else ""
    return (f"To keep answers anonymous, no group of fewer than {report.threshold} people is shown and comments "
            f"come only from groups of at least {report.comment_threshold}.{pooled} The method appendix explains "
            "the rules in full.")


def _privacy_details(report: Report) -> list[str]:
    """Every note on what was combined, hidden or not counted yet (the method appendix lists them)."""
    if not report.enough:
        return list(report.release_notes)
    notes = [*report.plan.notes, *report.by_team.notes, _merged_sentence(report), *report.by_role.notes,
             *report.overall.notes, *report.statements_by_team.notes, *report.statements_overall.notes,
             *report.gaps.notes, *report.selected_comments.notes, *report.release_notes]
    return list(dict.fromkeys(n for n in notes if n))


def executive_summary(report: Report) -> Section:
    """Plain sentences from the data, three next steps and how anonymity was kept."""
    summary = report.summary
    sentences = [*summary.sentences, *_trend_sentences(report)]
    body = _paragraphs(sentences)
    text = list(sentences)
    if summary.next_steps:
        steps = join(html("<li>{}</li>", s) for s in summary.next_steps)
        body += html("<h3>Three recommended next steps</h3><ol class='wb-steps'>{}</ol>", steps)
        text += ["", "Three recommended next steps:", *[f"{i}. {s}" for i, s in enumerate(summary.next_steps, 1)]]
    if report.enough:
        privacy = _privacy_line(report)
        body += Markup("<h3>How anonymity is protected</h3>") + _paragraphs([privacy])
        text += ["", "How anonymity is protected:", privacy]
    elif report.release_notes:
        body += _notes(report.release_notes)
        text += ["", *report.release_notes]
    return _section(report, "summary", "Summary", body, text, new_page=False)


def values_profile(report: Report) -> Section | None:
    """The A-E-I-O-U profile: a radar of everyone (and leaders and staff), with a table."""
    import pandas as pd

    from workbook.charts import values_radar_chart

    if not report.enough:
        return None
    names = report.value_names
    lo, hi = report.scale
    rows: list[dict[str, object]] = []
    series = [("All respondents", report.overall.table[report.overall.table["shown"]])]
    roles = report.by_role.table
    if not roles.empty:
        series += [("Leaders", roles[(roles["group"] == "leader") & roles["shown"]]),
                   ("Staff", roles[(roles["group"] == "staff") & roles["shown"]])]
    for label, table in series:
        rows += [{"series": label, "value": names[str(r["value_id"])], "score": float(r["mean"])}
                 for r in table.to_dict("records")]
    data = pd.DataFrame(rows, columns=["series", "value", "score"])
    described = "; ".join(
        f"{label}: " + ", ".join(f"{r['value']} {r['score']:.1f}"
                                 for r in data[data["series"] == label].to_dict("records"))
        for label, _ in series)
    chart = values_radar_chart(
        data, title="Average rating per value", scale=(lo, hi), series_order=[s for s, _ in series],
        value_order=[names[v] for v in report.value_order],
        description=f"Radar chart of the average rating of each value, from {lo} at the centre to {hi} at the "
                    f"edge. {described}.")
    table_rows = [
        (names[str(r["value_id"])], _number(float(r["mean"])) if r["shown"] else "–",
         r["agreement"] if r["shown"] else "hidden", "" if not r["shown"] else int(r["n_people"]))
        for r in report.overall.table.to_dict("records")
    ]
    headers = ("Value", f"Average ({lo}–{hi})", "Agreement", "People")
    intro = (f"How often people say they live each value, on a scale from {lo} "
             f"({report.framework.scale.label(lo)}) to {hi} ({report.framework.scale.label(hi)}). "
             "Further from the centre is better.")
    body = (_paragraphs([intro]) + _chart(chart) + _table(headers, table_rows, numeric=(1, 3))
            + _notes(_plain(report, [*report.overall.notes, *report.by_role.notes])))
    return _section(report, "values", "Values profile", body,
                    [intro, str(chart.description), _text_table(headers, table_rows),
                     *_plain(report, [*report.overall.notes, *report.by_role.notes])])


def _trend_sentences(report: Report) -> list[str]:
    """The summary's sentences on the biggest real improvement and decline (none without trends)."""
    from workbook.report.trends_view import trend_sentences

    if not report.enough or report.store is None:
        return []
    return trend_sentences(report.trends, report.value_names)


def _trend_method(report: Report) -> list[tuple[str, str]]:
    from workbook.report.trends_view import rule_sentence

    if not report.enough or report.store is None or not report.trends.shown:
        return []
    return [("Trends", rule_sentence())]


def trends(report: Report) -> Section | None:
    """Each value (everyone and each group shown) and each step over the cycles, with the rule's verdict.

    Shown only when this cycle and at least one earlier one have results
    (:attr:`workbook.report.trends.Trends.shown`).  Two charts (everyone's
    values, the workshop's steps), then the tables of this cycle against the
    last one.
    """
    if not report.enough or report.store is None or not report.trends.shown:
        return None
    trend = report.trends
    previous = trend.previous
    assert previous is not None
    body = [_paragraphs([_trends_intro(report)])]
    text = [_trends_intro(report)]
    chart = _values_trend_chart(report)
    if chart is not None:
        body.append(_chart(chart))
        text.append(str(chart.description))
    body_part, text_part = _value_trend_tables(report)
    body.append(body_part)
    text += text_part
    steps_html, steps_text = _step_trends(report)
    body.append(steps_html)
    text += steps_text
    from workbook.report.trends_view import RULE_SENTENCE

    body.append(_notes([RULE_SENTENCE]))
    text.append(RULE_SENTENCE)
    return _section(report, "trends", "Trends", join(body), text)


def _trends_intro(report: Report) -> str:
    trend = report.trends
    labels = trend.labels
    missing = [c.label for c in trend.cycles if not c.enough]
    line = (f"How the results moved over {len(labels)} assessment cycles ({labels[0]} to {labels[-1]}), "
            f"comparing this cycle ({labels[-1]}) with the one before ({labels[-2]}). Each cycle's figures "
            "are the ones its own report shows.")
    if missing:
        line += f" Too few answers to show anything for {_list(missing)}."
    return line


def _values_trend_chart(report: Report) -> Any:
    import pandas as pd

    from workbook.charts import trend_chart

    trend = report.trends
    names = report.value_names
    rows = [{"cycle": label, "series": names[t.value_id], "score": f.mean}
            for t in trend.values if t.kind == "everyone"
            for label, f in zip(trend.labels, t.figures, strict=True) if f is not None]
    if not rows:
        return None
    data = pd.DataFrame(rows, columns=["cycle", "series", "score"])
    described = "; ".join(
        f"{names[v]}: " + ", ".join(f"{r['cycle']} {r['score']:.1f}" for r in rows if r["series"] == names[v])
        for v in report.value_order if any(r["series"] == names[v] for r in rows))
    lo, hi = report.scale
    return trend_chart(data, title="Average rating per value, everyone, by cycle", cycle_order=list(trend.labels),
                       scale=(lo, hi), series_order=[names[v] for v in report.value_order if names[v] in
                                                     set(data["series"])],
                       description=f"Line chart of everyone's average rating of each value per cycle. {described}.")


def _value_trend_tables(report: Report) -> tuple[Markup, list[str]]:
    from workbook.report.trends_view import value_rows

    trend = report.trends
    previous = trend.previous
    assert previous is not None
    headers = ("Who", "Value", previous.label, trend.current.label, "Change (95 % interval)", "Verdict")
    rows = value_rows(trend, report.value_names)
    html_out = html("<h3>Values: this cycle against the last</h3>{}", _table(headers, rows, numeric=(2, 3), long=True))
    return html_out, ["", "Values: this cycle against the last", _text_table(headers, rows)]


def _step_trends(report: Report) -> tuple[Markup, list[str]]:
    import pandas as pd

    from workbook.charts import trend_chart
    from workbook.report.trends_view import step_rows

    trend = report.trends
    intro = "The DIME™ steps workshop: the team's average maturity rating of each step's practices, per cycle."
    if not trend.steps:
        line = "No workshop has rated the DIME™ steps yet, so there is no maturity trend."
        return _paragraphs([line], "wb-pending"), ["", line]
    labels = list(trend.labels)
    rows = [{"cycle": label, "series": s.name, "score": m} for s in trend.steps
            for label, m in zip(labels, s.means, strict=True) if m is not None]
    data = pd.DataFrame(rows, columns=["cycle", "series", "score"])
    lo, hi = report.scale
    described = "; ".join(f"{s.name}: " + ", ".join(f"{r['cycle']} {r['score']:.1f}" for r in rows
                                                    if r["series"] == s.name) for s in trend.steps)
    chart = trend_chart(data, title="Average maturity per DIME™ step, by cycle", cycle_order=labels, scale=(lo, hi),
                        score_title="Average maturity", series_order=[s.name for s in trend.steps],
                        description=f"Line chart of each step's average maturity rating per cycle. {described}.")
    pair = ""
    if trend.step_pair is None:
        pair = "Only one workshop has been run, so no change is called yet."
    elif trend.step_pair != (len(labels) - 2, len(labels) - 1):
        first, second = (labels[i] for i in trend.step_pair)
        pair = (f"The change compares the last two workshops run ({first} and {second}); this cycle's "
                "workshop has not been run yet." if not trend.current.workshop else
                f"The change compares the last two workshops run ({first} and {second}).")
    headers = ("Step", *labels, "Change", "Verdict")
    table_rows = step_rows(trend)
    html_out = (Markup("<h3>DIME™ step maturity</h3>") + _paragraphs([intro]) + _chart(chart)
                + _table(headers, table_rows, numeric=tuple(range(1, len(labels) + 1)))
                + _paragraphs([pair] if pair else []))
    return html_out, ["", "DIME™ step maturity", intro, str(chart.description), _text_table(headers, table_rows), pair]


def leaders_and_staff(report: Report) -> Section | None:
    """Leaders minus staff per value; or why the two groups are not compared."""
    import pandas as pd

    from workbook.charts import gap_chart

    if not report.enough:
        return None
    title = "Leaders and staff"
    table = report.gaps.table
    if table.empty:
        notes = list(report.gaps.notes) or ["Leaders and staff are not compared in this report."]
        return _section(report, "gaps", title, _paragraphs(notes), notes)
    names = report.value_names
    shown = table[table["gap"].notna()]
    data = pd.DataFrame({"value": [names[str(v)] for v in shown["value_id"]], "gap": shown["gap"].astype(float)})
    described = ", ".join(f"{v} {g:+.1f}" for v, g in zip(data["value"], data["gap"], strict=True))
    chart = gap_chart(data, title="Leaders' average minus staff's average", value_order=list(data["value"]),
                      description=f"Bar chart of leaders' average minus staff's average for each value: {described}.")
    rows = [(names[str(r["value_id"])], _number(float(r["leader_mean"])), _number(float(r["staff_mean"])),
             "–" if math.isnan(float(r["gap"])) else f"{float(r['gap']):+.1f}")
            for r in table.to_dict("records")]
    headers = ("Value", "Leaders", "Staff", "Difference")
    n_leaders = next((int(x) for x in table["n_leaders"].dropna()), 0)
    n_staff = next((int(x) for x in table["n_staff"].dropna()), 0)
    intro = (f"Leaders ({n_leaders}) and staff ({n_staff}) answered the same statements about themselves. "
             "A bar to the right means leaders rate the value higher than staff do; large differences are "
             "worth talking about openly.")
    body = (_paragraphs([_gap_line(report), intro]) + _chart(chart)
            + _table(headers, rows, numeric=(1, 2, 3)) + _notes(_plain(report, report.gaps.notes)))
    return _section(report, "gaps", title, body,
                    [_gap_line(report), intro, str(chart.description), _text_table(headers, rows)])


def self_and_organisation(report: Report) -> Section | None:
    """How people rate themselves against how they rate the organisation, per value.

    Absent (``None``) for a cycle whose framework edition asked nothing about the
    organisation, so older cycles report exactly as before.
    """
    import pandas as pd

    from workbook.anonymity import OVERALL_LABEL
    from workbook.charts import value_profile_chart

    gaps = report.self_and_organisation
    if gaps is None:
        return None
    title = "How we rate ourselves and the organisation"
    names = report.value_names
    lo, hi = report.scale
    table = gaps.table
    notes = list(gaps.notes)
    if gaps.empty:
        lines = ["Too few people rated the statements about the organisation to compare them with how people "
                 "rate themselves.", *notes]
        return _section(report, "organisation", title, _paragraphs(lines[:1]) + _notes(notes), lines)
    everyone = table[(table["group"] == OVERALL_LABEL) & table["shown"]]
    own, theirs = "About ourselves", "About the organisation"
    data = pd.DataFrame(
        [{"series": own, "value": names[str(r["value_id"])], "score": float(r["self_mean"])}
         for r in everyone.to_dict("records")]
        + [{"series": theirs, "value": names[str(r["value_id"])], "score": float(r["organisation_mean"])}
           for r in everyone.to_dict("records")],
        columns=["series", "value", "score"])
    described = "; ".join(f"{names[str(r['value_id'])]}: ourselves {float(r['self_mean']):.1f}, the organisation "
                          f"{float(r['organisation_mean']):.1f}" for r in everyone.to_dict("records"))
    chart = value_profile_chart(
        data, title="Everyone: ourselves and the organisation", scale=(lo, hi),
        scale_title=f"Average rating ({lo} = {report.framework.scale.label(lo)}, "
                    f"{hi} = {report.framework.scale.label(hi)})",
        series_order=[own, theirs],
        value_order=[names[v] for v in report.value_order if v in set(everyone["value_id"])],
        description=f"Dot plot of everyone's average rating of themselves and of the organisation per value. "
                    f"{described}.")
    # Two narrow tables rather than one wide one, so that they fit a phone: the differences by group,
    # then the averages behind them ("ourselves · the organisation").
    labels = {OVERALL_LABEL: "Everyone", "leader": "Leaders", "staff": "Staff"}
    groups = list(dict.fromkeys(str(g) for g in table["group"]))
    cells = {(str(r["group"]), str(r["value_id"])): r for r in table.to_dict("records")}
    order = [v for v in report.value_order if any((g, v) in cells for g in groups)]

    def cell(group: str, value: str, what: str) -> str:
        r = cells.get((group, value))
        if r is None or not r["shown"]:
            return "–"
        if what == "gap":
            return f"{float(r['gap']):+.1f}"
        return f"{_number(float(r['self_mean']))} · {_number(float(r['organisation_mean']))}"

    headers = ("Value", *[labels.get(g, g) for g in groups])
    gap_rows = [(names[v], *[cell(g, v, "gap") for g in groups]) for v in order]
    mean_rows = [(names[v], *[cell(g, v, "means") for g in groups]) for v in order]
    numeric = tuple(range(1, len(headers)))
    tables = (_table(headers, gap_rows, "Difference: ourselves minus the organisation", numeric=numeric)
              + _table(headers, mean_rows, "Averages: ourselves · the organisation", numeric=numeric))
    intro = ("Besides the statements about themselves (\"I ...\"), everyone rated a few about the organisation "
             "(\"In this organisation, people ...\"). The difference is ourselves minus the organisation: above "
             "zero, people see the value in their own work more than around them, which points to the "
             "organisation (or to a blind spot); below zero, they rate the organisation higher than themselves. "
             "The value scores elsewhere in this report count only the statements about oneself.")
    body = _paragraphs([intro]) + _chart(chart) + tables + _notes(_plain(report, notes))
    return _section(report, "organisation", title, body,
                    [intro, str(chart.description), "Difference: ourselves minus the organisation",
                     _text_table(headers, gap_rows), "Averages: ourselves · the organisation",
                     _text_table(headers, mean_rows), *_plain(report, notes)])


def _gap_line(report: Report) -> str:
    from workbook.report.summary import gap_sentence

    return gap_sentence(report.summary_inputs)


def _statement_order(report: Report) -> list[str]:
    """Statements value by value (framework order), each value's weakest first by everyone's score.

    Scores are after flipping, so "weakest" means least lived, whichever way a
    statement is worded; a statement hidden for everyone comes last in its value.
    """
    table = report.statements_overall.table
    rank = {v: i for i, v in enumerate(report.value_order)}
    keyed = [(rank.get(str(r["value_id"]), 99), 0 if r["shown"] else 1,
              float(r["mean"]) if r["shown"] else 0.0, i, str(r["statement_id"]))
             for i, r in enumerate(table.to_dict("records"))]
    return [k[-1] for k in sorted(keyed)]


def statements_by_team(report: Report) -> Section | None:
    """Every statement's average for everyone and each shown team, as a heatmap table coloured by what is good.

    A cell's colour is its score after flipping (blue: the value is lived), but
    it prints the average answer people gave to the statement as worded, so a
    reverse-worded one ("I give every customer the same scripted answer") reads
    1.5, "rarely", in blue rather than 4.5 beside words that say the opposite.
    Labels are whole, never cut.  An HTML table, not a chart
    (:mod:`workbook.report.heatmap` says why).
    """
    import pandas as pd

    from workbook.report.heatmap import HeatCell, heatmap_table

    if not report.enough:
        return None
    lo, hi = report.scale
    overall = report.statements_overall.table
    teams = report.by_team
    frames = [overall]
    if not teams.groups.empty:
        frames.append(report.statements_by_team.table)
    cells = pd.concat(frames, ignore_index=True)
    labels = {s: _statement_label(report, s, bool(r))
              for s, r in zip(overall["statement_id"].astype(str), overall["reverse"], strict=True)}
    groups = list(dict.fromkeys(cells["group"].astype(str)))
    rows = [labels[s] for s in _statement_order(report)]
    heat: dict[tuple[str, str], HeatCell | None] = {}
    for statement, group, mean, reverse, shown in zip(
            cells["statement_id"].astype(str).tolist(), cells["group"].astype(str).tolist(), cells["mean"].tolist(),
            cells["reverse"].tolist(), cells["shown"].tolist(), strict=True):
        given = lo + hi - float(mean) if bool(reverse) else float(mean)
        heat[(labels[statement], group)] = HeatCell(float(mean), _number(given)) if bool(shown) else None
    hidden = sum(cell is None for cell in heat.values())
    table = heatmap_table(heat, caption="Average answer per statement", rows=rows, groups=groups, scale=(lo, hi),
                          key_title=f"Colour: how well the value is lived ({hi} = best)")
    example = next((s for s in report.framework.statements if s.reverse), None)
    reverse_note = (f" * marks a reverse-worded statement, such as “{example.text.rstrip('.')}”: there a low answer "
                    "is the good one, so it shows a low number in blue." if example is not None else "")
    intro = (f"Each row is one statement, each column a group of people; each cell is the average answer, from "
             f"{lo} ({report.framework.scale.label(lo)}) to {hi} ({report.framework.scale.label(hi)}). Blue means "
             "the value is well lived, orange shows where to look first; within each value the weakest statement "
             f"comes first.{reverse_note}")
    notes = _plain(report, [*report.statements_by_team.notes, *report.by_team.notes,
                            *report.statements_overall.notes], teams=True)
    if hidden:
        notes.append("A grey cell with a dash is hidden: too few people in that group rated the statement.")
    text_rows = [[r, *[heat[(r, g)].text if heat.get((r, g)) is not None else "–"  # type: ignore[union-attr]
                       for g in groups]] for r in rows]
    body = _paragraphs([intro]) + table + _notes(notes)
    return _section(report, "statements", "Statements by team", body,
                    [intro, _text_table(["Statement", *groups], text_rows), *dict.fromkeys(n for n in notes if n)])


def rating_distribution(report: Report) -> Section | None:
    """How the individual answers spread over the scale, value by value."""
    from workbook.charts import distribution_chart

    if not report.enough or report.distribution.empty:
        return None
    lo, hi = report.scale
    names = report.value_names
    data = report.distribution.assign(value=[names[str(v)] for v in report.distribution["value_id"]])
    totals = data.groupby("value", sort=False)["count"].sum()
    top = data[data["rating"] >= hi - 1].groupby("value", sort=False)["count"].sum()
    shares = {v: float(top.get(v, 0)) / float(totals[v]) for v in totals.index if totals[v]}
    described = ", ".join(f"{v} {s:.0%}" for v, s in shares.items())
    chart = distribution_chart(
        data.loc[:, ["value", "rating", "count"]], title="Share of answers at each rating", scale=(lo, hi),
        value_order=[names[v] for v in report.value_order if names[v] in shares],
        rating_title=f"Rating ({hi} = lived most)",
        description=f"Stacked bars of the share of answers at each rating per value. Answers at {hi - 1} or "
                    f"{hi}: {described}.")
    intro = (f"Every answer counted once, for everyone together. Reverse-worded statements are flipped, so "
             f"{hi} always means the value is lived most.")
    dont_know = (f"{report.dont_know} \"{report.framework.scale.dont_know_label}\" answers are not counted."
                 if report.dont_know else "")
    rated = set(report.countable.dropna(subset=["rating"])["value_id"].astype(str))
    left_out = [names[v] for v in report.value_order if v in rated and v not in report.distributed_values]
    hidden = (f"Not shown, to keep a few people's answers private: {', '.join(left_out)} (fewer than "
              f"{report.threshold} people rated the value, or one of its statements)." if left_out else "")
    rows = [(v, f"{s:.0%}") for v, s in shares.items()]
    return _section(report, "distribution", "Distribution of ratings",
                    _paragraphs([intro]) + _chart(chart) + _notes([hidden, dont_know]),
                    [intro, str(chart.description),
                     _text_table(("Value", f"Answers at {hi - 1}-{hi}"), rows), hidden, dont_know])


def agreement(report: Report) -> Section | None:
    """How far people agree with each other on each value (the spread of their scores)."""
    import pandas as pd

    from workbook.charts import spread_chart
    from workbook.scoring import HIGH_AGREEMENT_SD, MODERATE_AGREEMENT_SD

    if not report.enough:
        return None
    lo, hi = report.scale
    width = hi - lo
    names = report.value_names
    shown = report.overall.table[report.overall.table["shown"] & report.overall.table["sd"].notna()]
    data = pd.DataFrame({"value": [names[str(v)] for v in shown["value_id"]], "sd": shown["sd"].astype(float),
                         "agreement": shown["agreement"].astype(str)})
    high, moderate = HIGH_AGREEMENT_SD * width, MODERATE_AGREEMENT_SD * width
    top = max([moderate + 0.6, *[float(s) + 0.2 for s in data["sd"]]])
    described = ", ".join(f"{v} {s:.2f} ({a})" for v, s, a in zip(data["value"], data["sd"], data["agreement"],
                                                                   strict=True))
    chart = spread_chart(
        data, title="Spread of people's scores per value", value_order=list(data["value"]),
        spread_title="Spread of people's scores (0 = everyone gives the same score)",
        bands=[("High", 0.0, high), ("Moderate", high, moderate), ("Low", moderate, round(top, 1))],
        description=f"Dot plot of the spread of person scores per value: {described}.")
    intro = (f"A small spread means people broadly agree about how much a value is lived; a spread of "
             f"{moderate:.1f} or more means the average hides real differences between people.")
    body = _paragraphs([intro]) + _chart(chart)
    text = [intro, str(chart.description)]
    teams = report.by_team
    if not teams.groups.empty:
        groups = list(teams.groups["group"])
        rows = []
        for value in report.value_order:
            row: list[object] = [names[value]]
            for group in groups:
                cell = teams.table[(teams.table["group"] == group) & (teams.table["value_id"] == value)]
                row.append(str(cell["agreement"].iloc[0]).replace(" agreement", "")
                           if not cell.empty and bool(cell["shown"].iloc[0]) else "–")
            rows.append(row)
        body += html('<div class="wb-keep"><h3>Agreement within each team</h3>{}</div>',
                     _table(["Value", *groups], rows))
        text.append(_text_table(["Value", *groups], rows))
    notes = _plain(report, teams.notes, teams=True)
    return _section(report, "agreement", "Agreement", body + _notes(notes), [*text, *[n for n in notes if n]])


def obstacles(report: Report) -> Section | None:
    """The five DIME™ obstacles: what the answers suggest and what the team ticked, as one story.

    Written from :attr:`~workbook.report.summary.ExecutiveSummary.story`, the same
    list as the summary's sentences, so no page says "no signs of" an obstacle the
    team ticked in the workshop (:mod:`workbook.report.obstacle_story`).
    """
    from workbook.report.obstacle_story import quiet_obstacles

    if not report.enough:
        return None
    story = report.summary.story
    workshop = report.workshop_facts
    intro = ("The DIME™ framework names five obstacles on the way to exceptional service. Here the answers' signs "
             "of each are set beside the obstacles the team ticked in the workshop; treat them as questions to "
             "explore together, not verdicts.")
    if workshop is None:
        intro += " The workshop has not looked at the obstacles for this cycle yet."
    parts = [_paragraphs([intro])]
    text = [intro]
    for item in story:
        obstacle = item.obstacle
        answers = (f"{'; '.join(item.reasons)}." if item.reasons else "Nothing in the answers points to it.")
        if item.steps:
            team = f"ticked at the {_list(list(item.steps))} step{'s' if len(item.steps) > 1 else ''}."
        else:
            team = "not ticked." if workshop is not None else "not looked at yet."
        verdict = {"both": "The answers and the team agree.",
                   "answers": "The answers point to it" + (", the team did not: worth asking why."
                                                            if workshop is not None else "."),
                   "workshop": "The team sees it though the answers do not: ask what they saw."}[item.source]
        signs = join(html("<li>{}</li>", s) for s in obstacle.signs)
        parts.append(html(
            '<div class="wb-obstacle"><h3>{}</h3><p>{}</p><p><strong>{}</strong></p>'
            "<p><strong>In the answers:</strong> {}<br><strong>In the workshop:</strong> "
            "{}</p><p><strong>Signs to look for:</strong></p><ul>{}</ul></div>",
            obstacle.name, obstacle.description, verdict, answers, team, signs))
        text += ["", obstacle.name, verdict, f"In the answers: {answers}", f"In the workshop: {team}"]
    quiet = [o.name.lower() for o in quiet_obstacles(story, report.framework.obstacles)]
    if not story:
        line = ("None of the obstacles stands out, in the answers or in the workshop." if workshop is not None
                else "None of the obstacles stands out in the answers.")
    elif quiet:
        line = (f"Neither the answers nor the team point to {_list(quiet)}." if workshop is not None
                else f"The answers show no particular signs of {_list(quiet)}.")
    else:
        line = ""
    parts.append(_paragraphs([line]) if line else Markup())
    text.append(line)
    return _section(report, "obstacles", "The DIME™ obstacles: the answers and the workshop", join(parts), text)


def comments(report: Report) -> Section | None:
    """Comments from groups at or above the comment threshold, without who wrote them."""
    from workbook.anonymity import POOL_LABEL

    if not report.enough:
        return None
    selected = report.selected_comments
    intro = (f"Comments people added to their answers, shown only for groups of at least "
             f"{report.comment_threshold} people and sorted so that their order says nothing about who wrote them.")
    parts = [_paragraphs([intro])]
    text = [intro]
    if selected.table.empty:
        parts.append(_paragraphs(["No comments can be shown."]))
        text.append("No comments can be shown.")
    for group, rows in selected.table.groupby("group", sort=False):
        items = []
        for row in rows.to_dict("records"):
            statement = row["statement_id"]
            about = Markup()
            if isinstance(statement, str) and statement:
                about = html('<span class="wb-about">on {}: {}</span>', statement,
                             report.statement_texts.get(statement, ""))
            items.append(html("<li><q>{}</q>{}</li>", row["text"], about))
        parts.append(html("<h3>{}</h3><ul class='wb-comments'>{}</ul>", group, join(items)))
        text += ["", str(group), *[f"- {r['text']}" + (f" [{r['statement_id']}]" if isinstance(r["statement_id"], str)
                                                       and r["statement_id"] else "")
                                   for r in rows.to_dict("records")]]
    merged = (f"'{POOL_LABEL}' combines {_list(selected.merged)}, to keep answers anonymous."
              if selected.merged else "")
    notes = [merged] if merged else _plain(report, selected.notes)
    parts.append(_notes(notes))
    return _section(report, "comments", "In their own words", join(parts), [*text, *[n for n in notes if n]])


def _hooked(report: Report, section_id: str, title: str, fragment: Fragment | None, pending: str) -> Section | None:
    if not report.enough:
        return None
    if fragment is None:
        return _section(report, section_id, title, _paragraphs([pending], "wb-pending"), [pending], new_page=False)
    return _section(report, section_id, title, fragment.html, [fragment.text])


def workshop(report: Report) -> Section | None:
    """The DIME™ steps workshop results, or a note that it has not been run yet."""
    from workbook.report.hooks import workshop_fragment

    fragment = workshop_fragment(report.store, report.organisation.id, report.cycle.id)
    return _hooked(report, "workshop", "DIME™ steps workshop", fragment,
                   "The DIME™ steps workshop has not been run yet for this cycle. Its results will appear "
                   "here once it has.")


def charter(report: Report) -> Section | None:
    """The organisation's customer service charter, or a note that it is not written yet."""
    from workbook.report.hooks import charter_fragment

    fragment = charter_fragment(report.store, report.organisation.id)
    return _hooked(report, "charter", "Customer service charter", fragment,
                   "The customer service charter has not been written yet. Once the team has agreed its "
                   "promises, they will appear here.")


def quarter_at_a_glance(report: Report) -> Section | None:
    """The customer scorecard with the charter's targets and kept promises (see :mod:`workbook.report.glance`)."""
    from workbook.report.glance import TITLE, glance_fragment

    fragment = glance_fragment(report.store, report.organisation.id, report.cycle.label, report.framework,
                               page=report.glance)
    if fragment is None:
        return None
    return _section(report, "glance", TITLE, fragment.html, [fragment.text])


def method(report: Report) -> Section:
    """The appendix: scale, scoring rule, anonymity rules, framework and data date."""
    from workbook import __version__
    from workbook.scoring import HIGH_AGREEMENT_SD, MODERATE_AGREEMENT_SD

    framework = report.framework
    scale = framework.scale
    lo, hi = report.scale
    points = ", ".join(f"{p.value} = {p.label}" for p in scale.points)
    width = hi - lo
    items = [
        ("Scale", f"Each statement is rated {points}, or \"{scale.dont_know_label}\"."),
        ("Scoring", "Reverse-worded statements are flipped so that a higher score always means the value is "
                    f"lived more. \"{scale.dont_know_label}\" is left out, not counted as a low score. A person's "
                    "score for a value is the average of their ratings for it; a group's score is the average "
                    "of its people's scores, so everyone counts the same."),
        ("Agreement", f"The spread is the standard deviation of people's scores: below "
                      f"{HIGH_AGREEMENT_SD * width:.1f} is high agreement, below {MODERATE_AGREEMENT_SD * width:.1f} "
                      "moderate, otherwise low."),
        ("Anonymity", f"Only submitted answers count, each under the team and role its person had when "
                      f"submitting. No group of fewer than {report.threshold} people is shown, and no combination "
                      "of the groups shown (one group's figures minus another's, say) describes fewer than "
                      f"{report.threshold} people. So smaller teams are combined as 'Other teams'; leaders and "
                      "staff are compared only when both groups reach the threshold and, next to the teams, only "
                      "when that singles no one out (otherwise more teams are combined, or leaders and staff are "
                      f"not shown separately, whichever keeps more figures). A result is hidden when fewer than "
                      f"{report.threshold} people rated it, and more are hidden where a hidden one could be worked "
                      f"out from the others. A statement rated by fewer than {report.threshold} people, overall "
                      f"or within a group shown (a team, leaders, staff), counts as \"{scale.dont_know_label}\" "
                      "for those people in every figure, value scores included, so that no average carries a "
                      f"few people's ratings. Comments follow the same rule with groups of at least "
                      f"{report.comment_threshold}. Every figure shown is listed by: workbook report "
                      f"{report.organisation.id} --json FILE."),
        *_trend_method(report),
        ("Framework", f"{framework.name}, {framework.id} version {framework.version}. {framework.credit}"),
        ("Data", f"Assessment cycle {report.cycle.label}, answers up to {_as_of(report)} (the summary says how "
                 f"many people responded). The results count the first {report.respondents} of the "
                 f"{report.submitted} who submitted, the first to submit in whole groups of "
                 f"{report.organisation.anonymity_threshold}, so that comparing two versions of this report can "
                 "never single anyone out."),
        ("Produced by", f"DIME Workbook {__version__}."),
    ]
    body = html("<dl class='wb-method'>{}</dl>", join(html("<dt>{}</dt><dd>{}</dd>", k, v) for k, v in items))
    details = _privacy_details(report)
    if details:
        body += html("<h3>What was combined or hidden in this report</h3><ul class='wb-method-notes'>{}</ul>",
                     join(html("<li>{}</li>", n) for n in details))
    rows = [(f"{s.id}{'*' if s.reverse else ''}", value.name, s.text) for value in framework.values
            for s in value.self_statements]
    body += html("<h3>The statements</h3><p>Everyone rated these statements about themselves; * marks a "
                 "reverse-worded one.</p>{}", _table(("", "Value", "Statement"), rows, long=True))
    about_org = [(f"{s.id}{'*' if s.reverse else ''}", value.name, s.text) for value in framework.values
                 for s in value.organisation_statements]
    if about_org:
        body += html("<p>And these about the organisation, scored apart (they never count in the value scores):</p>"
                     "{}", _table(("", "Value", "Statement"), about_org, long=True))
    return _section(report, "method", "Appendix: method", body,
                    [f"{k}: {v}" for k, v in items] + [f"- {n}" for n in details]
                    + [f"{i}  {t}" for i, _, t in [*rows, *about_org]])


def record(report: Report) -> Record:
    """The last output: what the batch runner lists in its index (never shown in the report).

    Nothing here depends on when the data was entered (no cycle label, no
    dates), so the stored output stays comparable in the notebook test.

    Reaching this last cell means the report was made, so it is recorded here
    as a release of its cycle (:meth:`Report.record_release`): the next version
    is settled against it.  A report that failed half-way records nothing.
    """
    report.record_release()
    return Record({
        "organisation": report.organisation.id,
        "organisation_name": report.organisation.name,
        "status": report.status,
        "respondents": report.respondents,
        "submitted": report.submitted,
        "invited": report.invited,
        "threshold": report.threshold,
        "framework": f"{report.framework.id} {report.framework.version}",
        "title": report_title(holds(report)),
    })


def warm_up() -> None:
    """Import and render once, so the first real report in a kernel is as fast as the rest."""
    from importlib import import_module

    from workbook.charts import warm_up as charts_warm_up
    from workbook.framework import load_framework

    for module in ("pandas", "workbook.dataset", "workbook.scoring", "workbook.store", "workbook.workshop.summary",
                   "workbook.workshop.html", "workbook.charter.repository", "workbook.charter.export.document",
                   "workbook.report.glance", "workbook.measures.scorecard", "workbook.charter.results"):
        import_module(module)
    load_framework()
    charts_warm_up()
