"""The report tells one story (issue #15 part 2): obstacles, one response figure, title, heatmap, cover.

Each test builds the case the newcomer's trial found wrong and checks what a
client would read: an obstacle the team ticked that the answers do not
suggest, a reverse-worded statement, a long statement label, a report with a
workshop and a charter, a cover page with a logo.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from report_helpers import Member, cli_runner_invoke, make_org, team_members

from workbook.framework import Framework
from workbook.report import render, sections
from workbook.report.model import Report, load_report
from workbook.store import Store, open_store

#: The steps where the team ticks Lack of clarity: the answers of TICKED point to other obstacles only.
CLARITY_STEPS = ("deliberate-culture", "human-connections")


@pytest.fixture(scope="module")
def ticked(acme_store: Store, framework: Framework) -> Report:
    """An organisation whose workshop ticked Lack of clarity at two steps; its answers show no sign of it."""
    from workbook.charter.records import PromiseRecord
    from workbook.charter.repository import Charters
    from workbook.workshop.repository import Workshop

    # Everyone answers alike (no spread, no leaders to differ): the answers point to resources and credibility only.
    members: list[Member] = team_members("Desk", ["staff"] * 5, "tk")
    make_org(acme_store, framework, "ticked", members, name="Ticked & Co")
    cycle = acme_store.responses.cycle("ticked")
    workshop = Workshop(acme_store)
    for step_id in CLARITY_STEPS:
        workshop.set_obstacle(cycle.id, step_id, "clarity", True, framework=framework)
    first = framework.steps[0]
    workshop.save_rating(cycle.id, first.practices[0].id, 2, "Only two managers could say it", expected_version=0,
                         framework=framework)
    workshop.save_evidence(cycle.id, first.id, "Two of five team leaders could name the <service> values.",
                           expected_version=0, framework=framework)
    Charters(acme_store.transactions).start_draft(
        "ticked", [PromiseRecord(text="We reply to every email within one working day.", value_id="E")],
        framework=framework)
    return load_report("ticked", store=acme_store)


def _names(framework: Framework) -> dict[str, str]:
    return {s.id: s.name for s in framework.steps}


# --- one obstacle story ---------------------------------------------------------------------------------
def test_the_obstacles_page_never_calls_a_ticked_obstacle_quiet(ticked: Report, framework: Framework) -> None:
    assert ticked.framework.obstacle("clarity").id == "clarity"
    assert "clarity" not in {s.obstacle.id for s in ticked.summary.obstacles}  # the answers alone: no sign
    page = sections.obstacles(ticked)
    assert page is not None
    steps = [_names(framework)[s] for s in CLARITY_STEPS]
    assert f"In the workshop: ticked at the {steps[0]} and {steps[1]} steps." in page.text
    assert "The team sees it though the answers do not: ask what they saw." in page.text
    quiet = next(line for line in page.text.splitlines() if line.startswith("Neither the answers nor the team"))
    assert "clarity" not in quiet
    assert "No particular signs of" not in page.text and "no particular signs of" not in page.text
    # The answers' own obstacles say the team did not tick them.
    assert "In the workshop: not ticked." in page.text


def test_the_summary_tells_the_same_story(ticked: Report, framework: Framework) -> None:
    text = sections.executive_summary(ticked).text
    steps = [_names(framework)[s] for s in CLARITY_STEPS]
    assert f"The team ticked lack of clarity (at the {steps[0]} and {steps[1]} steps) in the workshop" in text
    assert "None of the five DIME™ obstacles stands out" not in text
    next_steps = re.findall(r"^\d\. (.*)$", text, flags=re.M)
    assert len(next_steps) == 3
    assert not any("could show more" in s for s in next_steps)


def test_the_workshop_section_carries_the_evidence_notes(ticked: Report) -> None:
    shown = sections.workshop(ticked)
    assert shown is not None
    assert "Evidence the team noted" in shown.html
    assert "Two of five team leaders could name the &lt;service&gt; values." in shown.html
    assert "Only two managers could say it" in shown.text
    # Beside the maturity it backs: after the maturity table, before the obstacles.
    assert shown.html.index("Maturity by step") < shown.html.index("Evidence the team noted") \
        < shown.html.index("Obstacles the team sees")


# --- one response figure -------------------------------------------------------------------------------
def test_the_response_rate_is_given_once(ticked: Report) -> None:
    everything = "\n".join(s.text for s in (sections.executive_summary(ticked), sections.method(ticked)))
    assert len(re.findall(r"\d+%", everything)) == 1
    assert "5 of the 5 people invited (100%)" in everything


# --- title -------------------------------------------------------------------------------------------------
def test_the_title_says_what_the_report_holds(ticked: Report, acme_store: Store) -> None:
    assert sections.holds(ticked) == ("values assessment", "workshop", "charter")
    assert sections.report_title(sections.holds(ticked)) == "Values assessment, workshop and charter"
    assert "Values assessment, workshop and charter" in sections.cover(ticked).html
    assert sections.record(ticked).data["title"] == "Values assessment, workshop and charter"
    plain = load_report("acme", store=acme_store)
    assert sections.report_title(sections.holds(plain)) == "Values assessment report"


# --- the heatmap colours by what is good, wraps its labels ------------------------------------------------
def test_a_reverse_worded_statement_prints_the_answer_given_and_is_coloured_by_what_is_good(
        ticked: Report, framework: Framework) -> None:
    heat = sections.statements_by_team(ticked)
    assert heat is not None
    reverse = next(s for s in framework.statements if s.reverse and s.id.startswith("U"))
    row = next(line for line in heat.text.splitlines() if line.startswith(f"{reverse.id}* "))
    # Everyone lives Unique at 4 ("usually"), so they answer the reverse-worded statement 2 ("rarely").
    assert row.split()[-1] == "2.0"
    assert "there a low answer is the good one, so it shows a low number in blue" in heat.text


def test_the_heatmap_colour_is_the_score_and_the_cell_text_the_answer() -> None:
    import pandas as pd

    from workbook.charts import SCORE_COLOURS, heatmap_chart

    data = pd.DataFrame({"row": ["U3* I give every customer the same\nscripted answer", "U1 I change"],
                         "group": ["All", "All"], "score": [4.5, 2.0], "shown": [True, True],
                         "text": ["1.5", "2.0"]})
    spec = heatmap_chart(data, title="t", description="d", row_lines=2).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [(r["score"], r["label"]) for r in rows] == [(4.5, "1.5"), (2.0, "2.0")]
    cells = spec["layer"][1]["encoding"]["color"]
    assert cells["field"] == "score" and cells["scale"]["range"] == list(SCORE_COLOURS)  # blue = high score
    assert "split(datum.label" in spec["layer"][0]["encoding"]["y"]["axis"]["labelExpr"]


def test_long_statement_labels_are_whole_never_cut(ticked: Report, framework: Framework) -> None:
    heat = sections.statements_by_team(ticked)
    assert heat is not None
    table = heat.html[heat.html.index("<table"):heat.html.index("</table>")]
    assert "…" not in table and "..." not in table
    longest = max(framework.self_statements if hasattr(framework, "self_statements") else framework.statements,
                  key=lambda s: len(s.text))
    assert len(longest.text) > 60  # long enough to need two lines
    shown = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table)))
    assert longest.text in shown


def test_the_heatmap_is_a_table_a_screen_reader_reads_cell_by_cell(ticked: Report) -> None:
    from workbook.charts import SCORE_COLOURS
    from workbook.report.heatmap import score_colour

    heat = sections.statements_by_team(ticked)
    assert heat is not None
    assert "<svg" not in heat.html and "<caption>Average answer per statement</caption>" in heat.html
    table = heat.html[heat.html.index("<table"):heat.html.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table)
    header, body = rows[0], rows[1:]
    assert header.count('<th scope="col"') == 1 + len(re.findall(r"<td", body[0]))  # a header for every column
    assert all(r.count('<th scope="row">') == 1 for r in body)  # and one for every row
    assert len(body) == len(ticked.statements_overall.table)
    # The colour is the score's, on the chart's own scale: low orange, middle white-ish, high blue.
    assert [score_colour(s, (1, 5)) for s in (1, 3, 5)] == [c.upper() for c in SCORE_COLOURS]
    assert score_colour(4, (1, 5)) == "#A1C4E9" and score_colour(9, (1, 5)) == SCORE_COLOURS[2].upper()
    # The key says what the colours mean, a swatch for each whole point and one for a hidden cell.
    key = heat.html[heat.html.index('class="wb-heat-key"'):]
    assert "Colour: how well the value is lived (5 = best)" in key and key.count("wb-swatch") == 6


def test_a_hidden_heatmap_cell_is_a_grey_dash_read_as_hidden() -> None:
    from workbook.report.heatmap import HeatCell, heatmap_table

    table = heatmap_table({("U1 <b>", "All"): HeatCell(4.0, "4.0"), ("U1 <b>", "Team"): None},
                          caption="c", rows=["U1 <b>"], groups=["All", "Team"], scale=(1, 5), key_title="k")
    assert "U1 &lt;b&gt;" in table and "<b>" not in table  # hostile text is escaped
    cells = re.findall(r"<td[^>]*>.*?</td>", table)
    assert 'style="background-color: #A1C4E9">4.0<' in cells[0]
    assert "wb-heat-hidden" in cells[1] and '<span class="wb-sr-only">hidden</span>' in cells[1]
    assert "4.0" not in cells[1]


def test_statements_are_sorted_by_what_is_good_within_each_value(demo_db: str) -> None:
    report = load_report("demo", db=demo_db)
    heat = sections.statements_by_team(report)
    assert heat is not None
    lo, hi = report.scale
    by_value: dict[str, list[float]] = {}
    for line in heat.text.splitlines()[4:]:
        match = re.match(r"^([A-Z])(\d+)(\*?) .*?\s{2,}(\d\.\d|–)\s", line)
        if match is None or match.group(4) == "–":
            continue
        answer = float(match.group(4))
        by_value.setdefault(match.group(1), []).append(lo + hi - answer if match.group(3) else answer)
    assert set(by_value) == {"A", "E", "I", "O", "U"}
    for value, scores in by_value.items():
        assert scores == sorted(scores), (value, scores)


# --- plain anonymity notes -------------------------------------------------------------------------------
def test_anonymity_is_one_plain_line_where_it_matters_and_in_full_in_the_appendix(acme_store: Store) -> None:
    report = load_report("acme", store=acme_store)
    client_pages = "\n".join(s.text for s in (sections.executive_summary(report), sections.statements_by_team(report),
                                              sections.agreement(report), sections.values_profile(report)) if s)
    for jargon in ("worked out", "whole groups", "standard deviation", "so that it has at least", "(2 teams)"):
        assert jargon not in client_pages, jargon
    assert "To keep answers anonymous, no group of fewer than 3 people is shown" in client_pages
    appendix = sections.method(report).text
    assert "Teams with fewer than 3 respondents (2 teams) are combined as 'Other teams'." in appendix
    assert "standard deviation" in appendix


# --- the cover page ----------------------------------------------------------------------------------------
def _logo(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (120, 40), (11, 92, 173)).save(path)
    return path


def test_a_cover_page_carries_the_logo_and_the_consultant(tmp_path: Path) -> None:
    import nbformat

    from workbook.charter.export.logo import read_logo
    from workbook.report.sections import RECORD_MIMETYPE

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("sections.record(report)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        RECORD_MIMETYPE: {"organisation_name": "Acme & Co", "title": "Values assessment and workshop"},
        "text/plain": "r"})]
    nb.cells.append(cell)
    logo = read_logo(_logo(tmp_path / "logo.png"))
    cover = render.CoverPage("2026-Q4", "Morag <Reid>", logo.data_uri)
    html = render.report_html(nb, cover=cover)
    page = html[html.index('<section class="wb-cover-page"'):html.index("</section>")]
    assert f'src="{logo.data_uri}"' in page and 'alt="Acme &amp; Co logo"' in page
    assert "Prepared by Morag &lt;Reid&gt;" in page and "Values assessment and workshop" in page
    assert "Assessment cycle 2026-Q4" in page
    assert "<title>Acme &amp; Co – Values assessment and workshop (2026-Q4)</title>" in html
    pdf = render.html_to_pdf(html)
    assert pdf.startswith(b"%PDF-") and b"/Image" in pdf  # the inline logo is drawn, nothing fetched
    assert '<section class="wb-cover-page"' not in render.report_html(nb)  # no cover unless asked for


def test_a_wrong_logo_stops_the_command_before_any_report(tmp_path: Path) -> None:
    bad = tmp_path / "logo.png"
    bad.write_text("not a picture", encoding="utf-8")
    db = str(tmp_path / "w.db")
    with open_store(db):
        pass
    out = tmp_path / "out"
    result = cli_runner_invoke(["--db", db, "report", "anything", "--out", str(out), "--logo", str(bad)],
                               env={"WORKBOOK_DB": ""})
    assert result.exit_code == 2
    assert "is not a readable PNG or JPEG picture" in result.output and "Traceback" not in result.output
    assert not out.exists()
    refused = cli_runner_invoke(["--db", db, "report", "anything", "--json", "-", "--cover"], env={"WORKBOOK_DB": ""})
    assert refused.exit_code == 2 and "leave out --cover" in refused.output
