"""An assessment cycle answered under framework 1.0.0, and everything its report shows.

Shared by :mod:`test_report_old_cycle` and the one-off command that wrote the
golden files from the code *before* framework 1.1.0 (so "unchanged" is measured
against what the report really was, not against itself)::

    PYTHONPATH=<checkout of 995ad16>:tests/report python tests/report/old_cycle.py tests/golden

Only public calls that exist in both versions are used.  The method appendix's
"Data" line holds the submission time, so it is left out of the comparison.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from report_helpers import ACME

from workbook.framework import Framework, load_framework
from workbook.store import Store, open_store

ORG = "acme"
CYCLE = "2025-Q2"
SECTIONS = ("cover", "executive_summary", "values_profile", "leaders_and_staff", "statements_by_team",
            "rating_distribution", "agreement", "obstacles", "comments", "workshop", "charter", "method")


def answer_old_cycle(store: Store, framework: Framework) -> None:
    """ACME (see report_helpers) answers every statement of ``framework`` (the 1.0.0 edition) and submits.

    As :func:`report_helpers.make_org`, but in a cycle with a fixed label, so the files hold no date.
    """
    from workbook.people_csv import PersonRow

    store.organisations.create("Acme", ORG, threshold=3, first_cycle=CYCLE)
    store.people.import_rows(ORG, [PersonRow(m.name, f"{m.name}@{ORG}.example", m.role, m.team) for m in ACME])
    cycle = store.responses.cycle(ORG)
    low, high = framework.scale.minimum, framework.scale.maximum
    by_email = {p.email: p for p in store.people.list(ORG)}
    for member in ACME:
        assert member.ratings is not None
        person = by_email[f"{member.name}@{ORG}.example"]
        for index, statement in enumerate(framework.statements):
            wanted = member.ratings[framework.value_of_statement(statement.id).id]
            rating = low + high - wanted if statement.reverse else wanted
            store.responses.save_answer(person.id, cycle.id, statement.id, rating, framework=framework,
                                        comment=member.comment if index == 2 else None)
        store.responses.submit(person.id, cycle.id, framework=framework)


def report_outputs(store: Store) -> tuple[str, str]:
    """The report's ``--json`` text and the plain text of every section (dates left out)."""
    from workbook.report import sections
    from workbook.report.figures import report_figures
    from workbook.report.model import load_report

    report = load_report(ORG, store=store)
    figures = json.dumps(report_figures(report), indent=2, ensure_ascii=False) + "\n"
    texts = []
    for name in SECTIONS:
        section = getattr(sections, name)(report)
        text = "" if section is None else section.text
        lines = [line for line in text.splitlines() if not line.startswith(("Data: ", "Produced by: "))]
        texts.append("\n".join(lines))
    return figures, "\n\n".join(texts) + "\n"


def main(folder: str) -> None:
    """Write ``old_cycle_report.json`` and ``old_cycle_sections.txt`` into ``folder``."""
    framework = load_framework()
    assert framework.version == "1.0.0", "run this on the code before framework 1.1.0"
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/old.db")
        answer_old_cycle(store, framework)
        figures, texts = report_outputs(store)
        store.close()
    Path(folder, "old_cycle_report.json").write_text(figures, encoding="utf-8")
    Path(folder, "old_cycle_sections.txt").write_text(texts, encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
