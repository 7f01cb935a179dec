"""A fixed slice of the hostile corpus (tests/hostile) on every test run.

The whole corpus (1,000+ strings, 160 files, every refused string also
exported as text from an older database) runs from ``benchmarks/hostile.py``;
this slice takes every kind of string at least once, a spread of the files and
one export batch of each sort, so a regression anywhere shows up here first.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile.files import HostileFile, write_hostile_files
from hostile.runner import Figures, HostileRun
from hostile.strings import REFUSE, hostile_strings, sample

SLICE = sample(30)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileRun]:
    run = HostileRun(tmp_path_factory.mktemp("hostile"))
    yield run
    run.close()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[HostileFile]:
    return write_hostile_files(tmp_path_factory.mktemp("hostile-files"))


def nothing_wrong(figures: Figures) -> None:
    found = {name: lines[:5] for name, lines in figures.problems().items() if lines}
    assert not found, found


def test_the_corpus_is_as_large_as_promised(files: list[HostileFile]) -> None:
    strings = hostile_strings()
    assert len(strings) >= 1000
    assert len(files) >= 100
    kinds = {case.kind for case in strings}
    for kind in ("markup", "formula", "sql", "rtl-and-scripts", "emoji", "surrogate", "c0", "c1", "noncharacter",
                 "separators", "bidi-override", "invisible-only", "long"):
        assert kind in kinds
    assert any("\u200c" in c.text for c in strings) and any("\u200d" in c.text for c in strings)


def test_a_slice_through_every_package_call_and_cli_entry(hostile: HostileRun) -> None:
    for case in SLICE:
        hostile.figures.strings += 1
        hostile.run_api(case)
        hostile.run_cli(case)
    nothing_wrong(hostile.figures)
    assert hostile.figures.refused > 0 and hostile.figures.accepted > 0
    assert hostile.figures.cli_runs >= 20 * len(SLICE)


def test_a_slice_of_the_files_through_import_and_framework_check(hostile: HostileRun,
                                                                 files: list[HostileFile]) -> None:
    chosen = [f for i, f in enumerate(files) if i % 6 == 0 or f.kind.startswith(("special-", "many-", "deep-"))]
    for hostile_file in chosen:
        hostile.run_file(hostile_file)
    nothing_wrong(hostile.figures)


def test_exports_of_hostile_text_execute_nothing(hostile: HostileRun) -> None:
    hostile.run_exports([c for c in SLICE if c.expect != REFUSE][:12])
    nothing_wrong(hostile.figures)


def test_exports_of_text_stored_before_the_rule_still_work(hostile: HostileRun) -> None:
    legacy = [c for c in hostile_strings() if c.kind in ("separators", "noncharacter", "c0", "c1", "bidi-override")]
    hostile.run_legacy(legacy[:12])
    nothing_wrong(hostile.figures)
    assert hostile.figures.exports >= 12


def test_the_checks_can_fail(hostile: HostileRun, tmp_path: Path) -> None:
    """The markup check sees a tag the benign export lacks; the text check sees a changed value."""
    from hostile.runner import _tags

    baseline = hostile.baseline()
    assert "script" not in baseline["charter html"]
    assert "script" in _tags("<p><script>alert(1)</script></p>").tags
    assert _tags('<img src=x onerror="alert(1)">').bad
    before = len(hostile.figures.text_mismatches)
    hostile._stored("probe", SLICE[0], "typed", "something else")
    assert len(hostile.figures.text_mismatches) == before + 1
    hostile.figures.text_mismatches.pop()
