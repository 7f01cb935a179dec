"""The report's sections, computed in-process from hand-made organisations.

``acme`` (threshold 3): 4 leaders rate every value A5 E5 I3 O4 U4, 8 staff A4 E3 I2 O4 U4.
Teams Alpha 4 and Beta 4 are shown; Gamma 2 and Solo 2 only together, as 'Other teams'.
"""

from __future__ import annotations

import json
import re

import pytest

from workbook.errors import InputError, NotFoundError
from workbook.framework import Framework
from workbook.report import sections
from workbook.report.model import Report, load_report
from workbook.store import Store


@pytest.fixture(scope="module")
def acme(acme_store: Store) -> Report:
    return load_report("acme", store=acme_store)


def all_sections(report: Report) -> dict[str, sections.Section | None]:
    names = ["cover", "executive_summary", "values_profile", "leaders_and_staff", "statements_by_team",
             "rating_distribution", "agreement", "obstacles", "comments", "workshop", "charter", "method"]
    return {name: getattr(sections, name)(report) for name in names}


def test_numbers_worked_out_by_hand(acme: Report) -> None:
    assert acme.respondents == acme.submitted == acme.invited == 12 and acme.status == "ok"
    means = dict(zip(acme.overall.table["value_id"], acme.overall.table["mean"].round(3), strict=True))
    assert means == {"A": round(52 / 12, 3), "E": round(44 / 12, 3), "I": round(28 / 12, 3), "O": 4.0, "U": 4.0}
    gaps = dict(zip(acme.gaps.table["value_id"], acme.gaps.table["gap"].round(3), strict=True))
    assert gaps == {"A": 1.0, "E": 2.0, "I": 1.0, "O": 0.0, "U": 0.0}


def test_summary_sentences_from_the_data(acme: Report) -> None:
    text = sections.executive_summary(acme).text
    assert "12 of the 12 people invited (100%) submitted their answers for" in text
    assert "Accountable is the strongest value (4.3 out of 5); Innovative has the most room to grow (2.3)." in text
    assert ("The largest difference between leaders and staff is on Energetic: leaders rate it 2.0 higher than "
            "staff do (5.0 for leaders, 3.0 for staff).") in text
    assert ("the answers point most to lack of resources (Innovative averages 2.3, below 3.5) and lack of "
            "alignment (leaders rate Accountable, Energetic and Innovative at least 0.5 higher than staff do); the "
            "workshop has not yet looked at the obstacles for this cycle.") in text
    assert "count the first" not in text
    steps = re.findall(r"^\d\. (.*)$", text, flags=re.M)
    assert len(steps) == 3
    assert "Innovative" in steps[0] and "Energetic" in steps[1] and "workshop" in steps[2]


def test_small_team_is_pooled_in_the_heatmap_and_the_report_says_so(acme: Report) -> None:
    section = sections.statements_by_team(acme)
    assert section is not None
    header = section.text.splitlines()[3]  # title, underline, intro, then the table header
    assert header.split("  ")[0] == "Statement"
    columns = [c.strip() for c in re.split(r"\s{2,}", header)][1:]
    assert columns == ["All respondents", "Alpha", "Beta", "Other teams"]
    table = section.html[section.html.index("<table"):section.html.index("</table>")]
    assert "Solo" not in table and "Gamma" not in table and '<th scope="col" class="num">Other teams</th>' in table
    assert "'Other teams' combines Gamma and Solo, to keep answers anonymous" in section.text
    summary = sections.executive_summary(acme).text
    assert "Smaller teams are shown together as 'Other teams' (Gamma and Solo)." in summary


def test_agreement_table_has_only_shown_teams(acme: Report) -> None:
    section = sections.agreement(acme)
    assert section is not None
    assert "<th scope=\"col\">Alpha</th>" in section.html and "<th scope=\"col\">Other teams</th>" in section.html
    assert "<th scope=\"col\">Solo</th>" not in section.html


def test_comments_only_from_groups_at_the_threshold_and_escaped(acme: Report) -> None:
    section = sections.comments(acme)
    assert section is not None
    html = section.html
    # Solo's comment is shown, but under the pooled label, never under its own team.
    assert "<h3>Other teams</h3>" in html and "<h3>Solo</h3>" not in html
    other = html[html.index("<h3>Other teams</h3>"):]
    assert "Only the two of us work nights" in other
    # People's text is escaped, never markup.
    assert "Alpha says &lt;b&gt;hello&lt;/b&gt; &amp; thanks" in html and "<b>hello</b>" not in html


def test_comments_hidden_when_no_group_reaches_the_comment_threshold(acme_store: Store) -> None:
    strict = load_report("acme", store=acme_store, comment_threshold=13)
    section = sections.comments(strict)
    assert section is not None
    assert "No comments can be shown." in section.text
    assert "work nights" not in section.html and "hello" not in section.html


def test_a_higher_threshold_suppresses_more(acme_store: Store) -> None:
    strict = load_report("acme", store=acme_store, threshold=5)
    heat = sections.statements_by_team(strict)
    assert heat is not None
    # Every team is below 5, so even the pool would be everyone: no team column at all.
    header = heat.text.splitlines()[3]
    assert [c.strip() for c in re.split(r"\s{2,}", header)][1:] == ["All respondents"]
    assert "Results are not shown by team" in heat.text
    gaps = sections.leaders_and_staff(strict)
    assert gaps is not None and "fewer than 5 leaders" in gaps.text
    assert "<svg" not in gaps.html


def test_the_threshold_can_be_raised_but_never_lowered(acme_store: Store) -> None:
    # acme's threshold is 3, the smallest allowed: 2 is refused by the one rule (workbook.settings)
    # before the "never lower than the organisation's own" check (tests/test_settings.py has both).
    with pytest.raises(InputError, match="anonymity threshold must be a whole number from 3 to 50, not 2"):
        load_report("acme", store=acme_store, threshold=2)


def test_unknown_organisation_and_cycle(acme_store: Store) -> None:
    with pytest.raises(NotFoundError, match="no organisation with the id 'nope'"):
        load_report("nope", store=acme_store)
    with pytest.raises(NotFoundError, match="no cycle called '1999-Q1'"):
        load_report("acme", store=acme_store, cycle="1999-Q1")


def test_every_chart_has_a_title_and_a_description(acme: Report) -> None:
    charts = 0
    for name, section in all_sections(acme).items():
        assert section is not None, name
        for svg in re.findall(r"<svg.*?</svg>", section.html, flags=re.S):
            charts += 1
            label = re.search(r'aria-label="([^"]+)"', svg)
            assert label and len(label.group(1)) > 40, name
    assert charts == 4  # the statements heatmap is a table (with a caption)


def test_organisation_name_is_escaped(acme: Report) -> None:
    cover = sections.cover(acme)
    assert "<h1>Acme &lt;Widgets&gt; &amp; Co</h1>" in cover.html
    assert "DIME™ is a trademark of Chris Smoje (dimecustomerservice.com)." in cover.text


def test_too_few_answers_give_a_short_report(acme_store: Store) -> None:
    report = load_report("tiny", store=acme_store)
    assert report.status == "too few answers"
    shown = {k: v for k, v in all_sections(report).items() if v is not None}
    assert set(shown) == {"cover", "executive_summary", "method"}
    text = shown["executive_summary"].text
    assert "2 of the 5 people invited (40%)" in text and report.respondents == 0
    assert "Only 2 people have submitted answers so far. Results are shown once at least 3 people have" in text
    assert "<svg" not in "".join(s.html for s in shown.values())


def test_no_people_at_all(acme_store: Store) -> None:
    report = load_report("empty", store=acme_store)
    text = sections.executive_summary(report).text
    assert "Nobody has been invited" in text and "No one has submitted answers" in text
    assert "no submitted answers yet" in sections.method(report).text


def test_method_appendix(acme: Report) -> None:
    text = sections.method(acme).text
    assert "1 = Never" in text and "5 = Always" in text
    assert "dime-aeiou version 1.1.0" in text
    # The statements about the organisation are listed apart from those about oneself.
    assert "And these about the organisation, scored apart" in sections.method(acme).html
    assert "AO2*  In this organisation, people pass the blame on" in text
    assert "Reverse-worded statements are flipped" in text
    assert re.search(r"answers up to \d{1,2} \w+ \d{4}, \d\d:\d\d UTC \(the summary says how many people "
                     r"responded\)\. The results count the first 12 of the 12 who submitted, the first to submit in "
                     r"whole groups of 3,", text)
    assert "invited" not in text and "%" not in text.split("The statements")[0]  # the rate is the summary's
    # What was combined or hidden is listed here in full, beside the plain line the pages carry.
    assert "Teams with fewer than 3 respondents (2 teams) are combined as 'Other teams'." in text


def test_self_and_organisation_section(acme: Report) -> None:
    """ACME answers the organisation's statements like its own (same score per value and role): gap 0."""
    section = sections.self_and_organisation(acme)
    assert section is not None and section.id == "organisation"
    assert section.text.startswith("How we rate ourselves and the organisation")
    assert "<svg" in section.html and 'aria-label="Dot plot of everyone' in section.html
    assert "Accountable  +0.0      +0.0     +0.0" in section.text  # everyone, leaders, staff
    assert "Accountable  4.3 · 4.3  5.0 · 5.0  4.0 · 4.0" in section.text
    assert "<caption>Difference: ourselves minus the organisation</caption>" in section.html


def test_workshop_and_charter_say_not_done_yet(acme: Report) -> None:
    assert "has not been run yet" in sections.workshop(acme).text  # type: ignore[union-attr]
    assert "has not been written yet" in sections.charter(acme).text  # type: ignore[union-attr]


def test_workshop_hook_fills_its_section(acme: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook.report import hooks

    monkeypatch.setattr(hooks, "workshop_fragment",
                        lambda store, org, cycle: hooks.Fragment("<p>Done on Monday</p>", "Done on Monday"))
    section = sections.workshop(acme)
    assert section is not None and "<p>Done on Monday</p>" in section.html and "not been run" not in section.text


def test_record_is_independent_of_dates(acme: Report) -> None:
    bundle = sections.record(acme)._repr_mimebundle_()
    data = bundle[sections.RECORD_MIMETYPE]
    assert data["status"] == "ok" and data["respondents"] == 12
    assert not any(re.search(r"\d{4}-\d\d", str(v)) for v in data.values())


def test_only_whole_groups_of_submitters_count(acme_store: Store) -> None:
    """Two versions of a report must never differ by one person: the 4th of 4 waits for two more."""
    report = load_report("late", store=acme_store)
    assert (report.submitted, report.respondents) == (4, 3)
    text = sections.executive_summary(report).text
    assert "4 of the 4 people invited (100%) submitted" in text
    assert "The results count the first 3 of them, to keep everyone's answers private" in text
    assert "whole groups of 3" in sections.method(report).text
    shown = sections.comments(report)
    assert shown is not None
    assert [c for c in ("l0", "l1", "l2", "l3") if f"comment from {c}" in shown.html] == ["l0", "l1", "l2"]


def test_workshop_and_charter_appear_once_they_exist(acme_store: Store, framework: Framework) -> None:
    from report_helpers import STAFF, Member, make_org

    from workbook.charter.records import PromiseRecord
    from workbook.charter.repository import Charters
    from workbook.workshop.repository import Workshop

    make_org(acme_store, framework, "held", [Member(f"h{i}", "staff", "Desk", STAFF) for i in range(3)])
    cycle = acme_store.responses.cycle("held")
    workshop = Workshop(acme_store)
    step = framework.steps[0]
    for practice in step.practices[:2]:
        workshop.save_rating(cycle.id, practice.id, 4, None, expected_version=0, framework=framework, by="Fac")
    workshop.add_action(cycle.id, step.id, "Weekly <huddle>", "Sam", framework=framework)
    Charters(acme_store.transactions).start_draft(
        "held", [PromiseRecord(text="We reply to every email within one working day.", value_id="E")],
        framework=framework)

    report = load_report("held", store=acme_store)
    shown = sections.workshop(report)
    assert shown is not None and "not been run" not in shown.text
    assert f"{step.letter} · {step.name}: 4.0" in shown.text and "Actions agreed: 1." in shown.text
    assert "Weekly &lt;huddle&gt;" in shown.html and "<svg" in shown.html
    charter = sections.charter(report)
    assert charter is not None
    assert "(version 1): a draft, not yet approved." in charter.text
    assert "1. We reply to every email within one working day." in charter.text


def test_the_charter_section_opens_with_the_brand_promise_and_common_purpose(acme_store: Store,
                                                                             framework: Framework) -> None:
    from report_helpers import STAFF, Member, make_org

    from workbook.charter.records import PromiseRecord
    from workbook.charter.repository import Charters

    make_org(acme_store, framework, "brand", [Member(f"b{i}", "staff", "Desk", STAFF) for i in range(3)])
    charters = Charters(acme_store.transactions)
    draft = charters.start_draft("brand", [PromiseRecord(text="We greet you by name.", value_id="U")],
                                 framework=framework)
    charters.save_foundation("brand", draft.number, draft.version,
                             brand_promise="Fresh bread every morning & people who <know> your name.",
                             common_purpose="We learn our regulars' names.")
    charter = sections.charter(load_report("brand", store=acme_store))
    assert charter is not None
    assert "Our brand promise: Fresh bread every morning & people who <know> your name." in charter.text
    assert charter.text.index("Our common purpose: We learn") < charter.text.index("1. We greet you by name.")
    assert "people who &lt;know&gt; your name" in charter.html and "<know>" not in charter.html
    assert charter.html.index("Our brand promise") < charter.html.index("We greet you by name")


def test_quarter_at_a_glance_shows_targets_kept_promises_and_wrong_way_measures(acme_store: Store,
                                                                               framework: Framework) -> None:
    from report_helpers import STAFF, Member, make_org

    from workbook.charter.records import PromiseRecord
    from workbook.charter.repository import Charters
    from workbook.report import glance

    make_org(acme_store, framework, "glance", [Member(f"g{i}", "staff", "Desk", STAFF) for i in range(3)])
    first = acme_store.responses.cycles("glance")[0]
    second = acme_store.responses.open_cycle("glance", "2099-Q1")
    for cycle, calls, wait, retention in ((first, 97, 50, 80), (second, 96, 75, 82)):
        acme_store.measures.set("glance", cycle.id, "answered-20s", calls, framework=framework)
        acme_store.measures.set("glance", cycle.id, "wait-time", wait, framework=framework)
        acme_store.measures.set("glance", cycle.id, "retention", retention, framework=framework)
    Charters(acme_store.transactions).start_draft("glance", [
        PromiseRecord(text="We answer within 20 seconds.", measure_id="answered-20s", target_op=">=",
                      target_value=95.0),
        PromiseRecord(text="You never wait more than a minute <really>.", measure_id="wait-time", target_op="<=",
                      target_value=60.0),
        PromiseRecord(text="We say hello."),
    ], framework=framework)

    shown = sections.quarter_at_a_glance(load_report("glance", store=acme_store))
    assert shown is not None
    assert "2099-Q1: 1 of 2 promises with a target kept; 2 measures moved the wrong way since" in shown.text
    assert "Moved the wrong way: Calls answered within 20 seconds, Average waiting time." in shown.text
    assert "1. We answer within 20 seconds. | Calls answered within 20 seconds at least 95 % | 96 % ✓ kept" \
        in shown.text
    assert "2. You never wait more than a minute <really>. | Average waiting time at most 60 seconds | " \
           "75 seconds ✗ not kept" in shown.text
    assert "We say hello" not in shown.text  # names no measure
    assert "Customer retention: 82 % (last 80 %, ▲ better)" in shown.text  # on the scorecard, no target
    assert "&lt;really&gt;" in shown.html and "<really>" not in shown.html
    assert "at most 60 seconds (promise 2)" in shown.html

    calls = []
    glance.TREND_SOURCES.append(lambda store, org, cycle: calls.append(cycle) or None)  # type: ignore[func-returns-value]
    try:
        sections.quarter_at_a_glance(load_report("glance", store=acme_store))
    finally:
        glance.TREND_SOURCES.pop()
    assert calls == ["2099-Q1"]  # the hook for the trends of #14 part 1 is called with this cycle

    # --json carries the same page: the sentence, the promises with their verdicts, the scorecard.
    from workbook.report.figures import report_figures

    figures = json.loads(json.dumps(report_figures(load_report("glance", store=acme_store))))
    page, card = figures["glance"], figures["scorecard"]
    assert page["summary"] in shown.text and page["summary"].startswith("2099-Q1: 1 of 2 promises")
    assert (page["cycle"], page["previous"]) == ("2099-Q1", first.label)
    assert (page["promises_kept"], page["promises_judged"]) == (1, 2)
    assert page["wrong_way"] == ["answered-20s", "wait-time"]
    calls_promise, wait_promise = page["promises"]  # "We say hello." names no measure: not listed
    assert calls_promise["measure"] == "answered-20s" and calls_promise["target"] == "at least 95 %"
    assert calls_promise["this_quarter"] == {"cycle": "2099-Q1", "value": 96.0, "shown": "96 %", "kept": True,
                                             "wrong_way": True}
    assert calls_promise["last_quarter"]["value"] == 97.0 and calls_promise["last_quarter"]["kept"] is True
    assert wait_promise["promise"] == "You never wait more than a minute <really>."
    assert wait_promise["this_quarter"]["kept"] is False
    assert card["cycles"] == [first.label, "2099-Q1"]
    rows = {m["id"]: m for m in card["measures"]}
    assert set(rows) == {"answered-20s", "wait-time", "retention"}  # the page's rows, no empty measure
    assert rows["retention"]["target"] is None and rows["wait-time"]["target"] == "at most 60 seconds (promise 2)"
    assert rows["retention"]["values"]["2099-Q1"] == {"value": 82.0, "change": 2.0, "direction": "better"}
    assert rows["wait-time"]["values"]["2099-Q1"]["direction"] == "worse"
    assert rows["wait-time"]["values"][first.label] == {"value": 50.0, "change": None, "direction": None}
    # An earlier cycle's report has the scorecard up to its own quarter only.
    earlier = report_figures(load_report("glance", cycle=first.label, store=acme_store))
    assert earlier["scorecard"]["cycles"] == [first.label] and earlier["glance"]["previous"] is None
