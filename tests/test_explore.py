"""The exploration tables and notebook: only what the report shows, and the notebook still runs as stored.

:mod:`workbook.explore` reshapes the report's figures into pandas tables for a
consultant in JupyterLab.  The tests hold every table against the JSON of
``workbook report --json`` (the figures the disclosure tests check): on random
organisations, as ``tests/test_disclosure.py`` makes them, and on the demo's
real database with its past cycles and scorecard.  No table may hold a number
the JSON does not, a hidden (null) cell must be NaN, and every figure of the
JSON must be somewhere in the tables.  The notebook runs under nbval against a
fresh demo database, and a copy with one stored figure changed must fail.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_disclosure import Person, organisations, report_for

from workbook.errors import NotFoundError
from workbook.explore import Tables, build_tables, tables, tables_of_report
from workbook.paths import notebooks_dir

NOTEBOOK = notebooks_dir() / "explore.ipynb"
SANITIZE = Path(__file__).resolve().parent / "report" / "nbval_sanitize.cfg"
EXPLORE_CHECK = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------- tables against the JSON


def _same(table_value: object, json_value: object) -> bool:
    if json_value is None:
        return table_value is None or (isinstance(table_value, float) and math.isnan(table_value))
    if isinstance(json_value, int | float) and not isinstance(json_value, bool):
        return isinstance(table_value, int | float) and float(table_value) == float(json_value)
    return table_value == json_value


def _json_numbers(data: object) -> set[float]:
    """Every number in the figures, numeric keys (ratings) included."""
    found: set[float] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            with contextlib.suppress(ValueError):
                found.add(float(key))
            found |= _json_numbers(value)
    elif isinstance(data, list):
        for item in data:
            found |= _json_numbers(item)
    elif isinstance(data, int | float) and not isinstance(data, bool):
        found.add(float(data))
    return found


def _cells_of(rows: list[dict[str, Any]], fields: tuple[str, ...], cell: dict[str, Any] | None, where: str) -> int:
    """Check one JSON cell against its table row; returns how many figures it holds."""
    assert len(rows) == 1, f"{where}: {len(rows)} rows"
    row = rows[0]
    if "shown" in row:
        assert row["shown"] == (cell is not None), where
    for field in fields:
        json_value = None if cell is None else cell.get(field)
        assert _same(row[field], json_value), f"{where} {field}: table {row[field]!r}, JSON {json_value!r}"
    return 0 if cell is None else sum(1 for f in fields if cell.get(f) is not None)


def _rows(frame: pd.DataFrame, **match: object) -> list[dict[str, Any]]:
    mask = pd.Series(True, index=frame.index)
    for column, value in match.items():
        mask &= frame[column] == value
    return frame[mask].to_dict("records")  # type: ignore[return-value]


def assert_tables_are_the_figures(t: Tables, figures: dict[str, Any]) -> None:
    """Every table cell is the JSON's cell at the same place (null: NaN), and every JSON figure has its cell."""
    figures = json.loads(json.dumps(figures))
    cells = 0
    for group in figures["groups"]:
        for value_id, cell in group["values"].items():
            cells += _cells_of(_rows(t.values, group=group["label"], value_id=value_id),
                               ("people", "mean", "spread", "agreement"), cell, f"values {group['label']} {value_id}")
        for statement_id, cell in group.get("statements", {}).items():
            cells += _cells_of(_rows(t.statements, group=group["label"], statement_id=statement_id),
                               ("people", "mean"), cell, f"statements {group['label']} {statement_id}")
    assert len(t.values) == sum(len(g["values"]) for g in figures["groups"])
    assert len(t.statements) == sum(len(g.get("statements", {})) for g in figures["groups"])
    for gap in figures["leaders_and_staff"]:
        cells += _cells_of(_rows(t.leaders_and_staff, value_id=gap["value"]), ("leaders", "staff", "difference"),
                           gap, f"leaders and staff {gap['value']}")
    assert len(t.leaders_and_staff) == len(figures["leaders_and_staff"])
    for group in figures.get("self_and_organisation", []):
        for value_id, cell in group["values"].items():
            cells += _cells_of(_rows(t.self_and_organisation, group=group["label"], value_id=value_id),
                               ("people_self", "self", "people_organisation", "organisation", "difference"), cell,
                               f"self and organisation {group['label']} {value_id}")
    assert len(t.self_and_organisation) == sum(len(g["values"]) for g in figures.get("self_and_organisation", []))
    shown = {v: c for v, c in figures["distribution"].items() if c is not None}
    assert set(t.distribution["value_id"]) == set(shown), "a hidden distribution reached the table"
    for value_id, counts in shown.items():
        for rating, count in counts.items():
            cells += _cells_of(_rows(t.distribution, value_id=value_id, rating=int(rating)), ("answers",),
                               {"answers": count}, f"distribution {value_id} {rating}")
    assert len(t.distribution) == sum(len(c) for c in shown.values())
    assert t.comments.to_dict("records") == [{"group": c["group"], "statement_id": c["statement"], "text": c["text"]}
                                             for c in figures["comments"]]
    trends = figures["trends"]
    if trends is None:
        assert t.trends.empty and t.changes.empty and t.steps.empty
    else:
        for entry in trends["values"]:
            where = {"group": entry["group"], "value_id": entry["value"]}
            for label, cell in entry["cycles"].items():
                cells += _cells_of(_rows(t.trends, cycle=label, **where), ("people", "mean", "spread"), cell,
                                   f"trend {entry['group']} {entry['value']} {label}")
            cells += _cells_of(_rows(t.changes, **where), ("verdict", "difference", "low", "high", "reason"),
                               entry["change"], f"change {entry['group']} {entry['value']}")
        assert len(t.trends) == sum(len(e["cycles"]) for e in trends["values"])
        assert len(t.changes) == len(trends["values"])
        for step in trends["steps"]:
            for label, maturity in step["cycles"].items():
                cells += _cells_of(_rows(t.steps, step_id=step["step"], cycle=label), ("maturity",),
                                   None if maturity is None else {"maturity": maturity}, f"step {step['step']}")
        assert len(t.steps) == sum(len(s["cycles"]) for s in trends["steps"])
    # Belt and braces: no number anywhere in a results table that the JSON does not hold.
    allowed = _json_numbers(figures)
    results = (t.values, t.statements, t.leaders_and_staff, t.self_and_organisation, t.distribution, t.trends,
               t.changes, t.steps)
    for frame in results:
        for column in frame.select_dtypes("number").columns:
            for number in frame[column].dropna():
                assert float(number) in allowed, f"{column} {number} is not a figure of the report"
    for frame in results:
        assert not {"person_id", "rating_raw", "name", "email"} & set(frame.columns)
    assert cells > 0 or figures["status"] != "ok"


@EXPLORE_CHECK
@given(org=organisations(max_teams=5), seed=st.integers(0, 2**16), dont_know=st.sampled_from([0.0, 0.15, 0.4]))
def test_tables_hold_exactly_the_report_figures(org: tuple[list[Person], int], seed: int, dont_know: float) -> None:
    from workbook.report.figures import report_figures

    people, threshold = org
    report = report_for(people, threshold, seed=seed, dont_know=dont_know)
    t = tables_of_report(report)  # type: ignore[arg-type]
    assert_tables_are_the_figures(t, report_figures(report))  # type: ignore[arg-type]
    if len(people) < threshold:
        assert t.values.empty and t.statements.empty and t.distribution.empty and not t.enough


def test_a_hidden_team_cell_is_nan_and_named_as_hidden() -> None:
    """South: 3 of its 8 rate A1 (threshold 5): its cell is hidden in the JSON and NaN, shown False here."""
    from workbook.report.figures import report_figures

    people = [("North", "staff")] * 8 + [("South", "staff")] * 8
    report = report_for(people, 5, seed=5, dont_know=0.0)
    answers = report.answers  # type: ignore[attr-defined]
    south_a1 = (answers["team"] == "South") & (answers["statement_id"] == "A1")
    answers.loc[south_a1[south_a1].index[:5], "rating"] = pd.NA
    t = tables_of_report(report)  # type: ignore[arg-type]
    cell = _rows(t.statements, group="South", statement_id="A1")[0]
    assert not cell["shown"] and math.isnan(cell["mean"]) and math.isnan(cell["people"])
    assert math.isnan(t.statements_by_team().loc["A1", "South"])
    assert t.statements_by_team().loc["A1", "North"] == _rows(t.statements, group="North", statement_id="A1")[0]["mean"]
    assert_tables_are_the_figures(t, report_figures(report))  # type: ignore[arg-type]
    # teams have no value average in the report: left out of values_by_group, not shown as hidden
    assert list(t.values_by_group().columns) == ["All respondents"]
    assert "North" in t.values_by_group("agreement").columns


# --------------------------------------------------------------------------- the demo's real database


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    from workbook.demo import seed_demo
    from workbook.store import open_store

    path = tmp_path_factory.mktemp("explore-demo") / "workbook.db"
    with open_store(str(path)) as store:
        seed_demo(store)
    return str(path)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("WORKBOOK_DB", raising=False)
    yield


@pytest.mark.slow
def test_demo_tables_are_the_cli_json_with_trends_and_scorecard(demo_db: str, tmp_path: Path, clean_env: None) -> None:
    from workbook.cli import cli
    from workbook.measures.scorecard import scorecard
    from workbook.store import open_store

    out = tmp_path / "figures.json"
    result = CliRunner().invoke(cli, ["--db", demo_db, "report", "demo", "--json", str(out)])
    assert result.exit_code == 0, result.output
    figures = json.loads(out.read_text(encoding="utf-8"))
    t = tables(demo_db, "demo")
    assert_tables_are_the_figures(t, figures)
    assert t.figures == figures  # the same figures the command wrote: nothing new recorded, nothing moved
    assert len(t.trends["cycle"].unique()) == 4 and not t.steps["maturity"].isna().all()
    assert set(t.values["kind"]) == {"everyone", "team", "role"}
    with open_store(demo_db) as store:
        card = scorecard(store, "demo").as_dict()
        again = tables(store, "demo")  # an open store works as well as a path
    assert again.figures == figures
    expected = {(m["id"], p["cycle"]): p["value"] for m in card["measures"] for p in m["points"]}
    assert {(r["measure_id"], r["cycle"]): r["value"] for r in t.scorecard.to_dict("records")} == expected
    latest = t.scorecard_latest()
    assert len(latest) == len(card["measures"]) and set(latest["direction"]) <= {"better", "worse", "same", None}
    earlier = tables(demo_db, "demo", t.trends["cycle"].iloc[0])
    assert earlier.cycle != t.cycle and set(earlier.scorecard["cycle"]) == {earlier.cycle}


def test_tables_refuse_a_missing_database_without_making_one(tmp_path: Path, clean_env: None) -> None:
    missing = tmp_path / "nowhere.db"
    with pytest.raises(NotFoundError, match=r"no workbook database at .*nowhere\.db: set db in the parameters cell"):
        tables(str(missing), "demo")
    assert not missing.exists()


@pytest.mark.slow
def test_an_unknown_organisation_is_one_line(demo_db: str, clean_env: None) -> None:
    with pytest.raises(NotFoundError) as caught:
        tables(demo_db, "no-such-org")
    assert "\n" not in str(caught.value)


def test_charts_render_offline_as_svg() -> None:
    """The renderer draws SVG in the kernel: no script, no address to fetch Vega from."""
    import altair as alt

    from workbook.explore import offline_charts, profile

    report = report_for([("North", "staff")] * 6 + [("South", "leader")] * 6, 5, seed=1, dont_know=0.0)
    t = tables_of_report(report)  # type: ignore[arg-type]
    before = alt.renderers.active
    try:
        offline_charts()
        chart = profile(t)
        assert chart is not None
        bundle = chart._repr_mimebundle_()
        bundle = bundle[0] if isinstance(bundle, tuple) else bundle
        html = bundle["text/html"]
        assert html.startswith('<figure class="wb-chart"><svg') and "aria-label=" in html
        assert "<script" not in html and "http" not in html.replace("http://www.w3.org", "")
    finally:
        alt.renderers.enable(before)


def test_the_comparison_catches_a_hidden_figure_and_a_derived_one() -> None:
    """The check above can fail: a hidden cell given a number, or a number worked out from the answers."""
    import dataclasses

    from workbook.report.figures import report_figures

    people = [("North", "staff")] * 8 + [("South", "staff")] * 8
    report = report_for(people, 5, seed=5, dont_know=0.0)
    answers = report.answers  # type: ignore[attr-defined]
    south_a1 = (answers["team"] == "South") & (answers["statement_id"] == "A1")
    answers.loc[south_a1[south_a1].index[:5], "rating"] = pd.NA
    figures = report_figures(report)  # type: ignore[arg-type]
    t = tables_of_report(report)  # type: ignore[arg-type]
    leaked = t.statements.copy()
    hidden = (leaked["group"] == "South") & (leaked["statement_id"] == "A1")
    leaked.loc[hidden, "mean"] = float(answers.loc[south_a1, "rating"].dropna().mean())
    with pytest.raises(AssertionError, match="statements South A1 mean"):
        assert_tables_are_the_figures(dataclasses.replace(t, statements=leaked), figures)
    raw = answers.groupby("team")["rating"].mean()
    derived = t.values.assign(raw_mean=t.values["group"].map(raw).astype(float))
    with pytest.raises(AssertionError, match="is not a figure of the report"):
        assert_tables_are_the_figures(dataclasses.replace(t, values=derived), figures)


def test_build_tables_of_too_few_answers_is_empty_but_says_so() -> None:
    from workbook.framework import load_framework
    from workbook.report.figures import report_figures

    report = report_for([("North", "staff")] * 3, 5, seed=2, dont_know=0.0)
    t = build_tables(report_figures(report), load_framework())  # type: ignore[arg-type]
    assert t.status == "too few answers" and not t.enough
    assert t.values_by_group().empty and t.trend().empty and t.maturity().empty
    assert t.notes  # the reason, in the report's own words


# --------------------------------------------------------------------------- the notebook


def test_notebook_is_thin_and_parameterised() -> None:
    import papermill

    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].source.startswith("from workbook import explore")
    assert "parameters" in code[1].metadata.get("tags", [])
    assert set(papermill.inspect_notebook(str(NOTEBOOK))) == {"org", "cycle", "db"}
    for cell in code[2:]:
        lines = cell.source.splitlines()
        assert len(lines) <= 2 and all(line.startswith(("t", "explore.")) for line in lines), cell.source


def test_stored_outputs_cover_every_cell() -> None:
    """nbval compares nothing on a stripped notebook: every cell after the parameters keeps its output."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"][2:]
    assert all(c.outputs for c in code), [c.source for c in code if not c.outputs]
    html = "".join(o["data"].get("text/html", "") for c in code for o in c.outputs if "data" in o)
    assert html.count("<svg") == 7, "run: python -m devtools.refresh_report notebooks/explore.ipynb"
    assert "Traceback" not in json.dumps([c.outputs for c in code])


def _junit(path: Path) -> dict[str, list[str]]:
    results: dict[str, list[str]] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        status = "failed" if case.find("failure") is not None or case.find("error") is not None else (
            "skipped" if case.find("skipped") is not None else "passed")
        results.setdefault(case.get("classname", ""), []).append(status)
    return results


@pytest.mark.slow
def test_nbval_runs_the_notebook_and_catches_a_change(demo_db: str, tmp_path: Path) -> None:
    good = tmp_path / "good.ipynb"
    broken = tmp_path / "broken.ipynb"
    good.write_bytes(NOTEBOOK.read_bytes())
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cell = next(c for c in nb.cells if c.source == "t.leaders_and_staff.round(2)")
    changed = 0
    for output in cell.outputs:
        for kind in ("text/plain", "text/html"):
            before = output["data"][kind]
            output["data"][kind] = before.replace("0.76", "0.67", 1)
            changed += before != output["data"][kind]
    assert changed == 2, "the stored leaders-and-staff table no longer shows 0.76: update this test's edit"
    nbformat.write(nb, broken)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    report = tmp_path / "junit.xml"
    env = {**os.environ, "WORKBOOK_DB": demo_db}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-c", str(tmp_path / "pytest.ini"),
         "--rootdir", str(tmp_path), "--nbval", "--nbval-current-env", "--nbval-sanitize-with", str(SANITIZE),
         f"--junitxml={report}", str(good), str(broken)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900,
    )
    results = _junit(report)
    good_results = next(v for k, v in results.items() if "good" in k)
    broken_results = next(v for k, v in results.items() if "broken" in k)
    code_cells = sum(1 for c in nb.cells if c.cell_type == "code")
    assert len(good_results) == code_cells and set(good_results) == {"passed"}, run.stdout[-3000:]
    assert broken_results.count("failed") == 1, run.stdout[-3000:]


def test_the_notebook_is_not_a_served_app() -> None:
    """``workbook serve`` serves only the apps: a visitor's link must never run the exploration notebook."""
    from workbook.serve.server import _default_apps

    apps = _default_apps(notebooks_dir())
    assert NOTEBOOK.is_file() and NOTEBOOK.name not in apps
    assert len(apps) == 3
