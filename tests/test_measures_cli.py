"""``workbook measures import|list|export|catalogue`` as a consultant types them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from workbook.cli import cli

GOOD = """cycle,measure,value,note
2026-Q1,first-contact,81,phone report Jan-Mar
2026-Q1,wait-time,45,
2026-Q2,first-contact,79.5,"=HYPERLINK(""http://evil"")"
2026-Q2,wait-time,38,queue system
"""


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "cli.db")


def run(db: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)


def write(tmp_path: Path, content: str, name: str = "m.csv") -> str:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return str(path)


@pytest.fixture
def acme(db: str) -> str:
    assert run(db, "org", "create", "Acme Hotels", "--id", "acme", "--cycle", "2026-Q1").exit_code == 0
    assert run(db, "cycle", "open", "acme", "2026-Q2", "--yes").exit_code == 0
    return "acme"


def test_import_twice_changes_nothing_the_second_time(db: str, acme: str, tmp_path: Path) -> None:
    file = write(tmp_path, GOOD)
    first = run(db, "measures", "import", acme, file)
    assert first.exit_code == 0, first.output
    assert first.output.strip() == f"{file}: 4 values read; 4 added, 0 changed, 0 unchanged."
    second = run(db, "measures", "import", acme, file)
    assert second.output.strip() == f"{file}: 4 values read; 0 added, 0 changed, 4 unchanged."


def test_list_shows_cycles_as_columns_and_the_wrong_way(db: str, acme: str, tmp_path: Path) -> None:
    run(db, "measures", "import", acme, write(tmp_path, GOOD))
    result = run(db, "measures", "list", acme)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["MEASURE", "UNIT", "2026-Q1", "2026-Q2", "CHANGE"]
    assert lines[1].split() == ["first-contact", "%", "81", "79.5", "-1.5", "points", "worse"]  # percentage points
    assert lines[2].split() == ["wait-time", "seconds", "45", "38", "-7", "seconds"]  # lower is better
    assert len(lines) == 3


def test_list_with_nothing_says_how_to_start(db: str, acme: str) -> None:
    result = run(db, "measures", "list", acme)
    assert result.exit_code == 0
    assert "no measure values yet" in result.output and "workbook measures import acme" in result.output


BAD = """cycle,measure,value,note
2026-Q1,first-contact,101,
2026-Q9,retention,90,
2026-Q1,nps,10,
2026-Q1,complaints,-2,
2026-Q2,wait-time,soon,
2026-Q1,wait-time,30,
2026-Q1,wait-time,31,
2026-Q2,retention,95,fine
"""


def test_bad_rows_are_all_listed_and_nothing_is_imported(db: str, acme: str, tmp_path: Path) -> None:
    file = write(tmp_path, BAD)
    result = CliRunner().invoke(cli, ["--db", db, "measures", "import", acme, file])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    for expected in (
        "row 2: First-contact resolution: 101 is out of range; enter a number from 0 to 100 (%)",
        "row 3: unknown cycle '2026-Q9' (known: 2026-Q1, 2026-Q2",
        "row 4: unknown measure 'nps'",
        "row 5: Complaints received: -2 is out of range",
        "row 6: Average waiting time: 'soon' is not a number",
        "row 8: wait-time for 2026-Q1 is also on row 7",
    ):
        assert expected in result.output, expected
    assert "nothing was imported" in result.output
    assert "no measure values yet" in run(db, "measures", "list", acme).output


def test_export_is_safe_and_imports_again_unchanged(db: str, acme: str, tmp_path: Path) -> None:
    run(db, "measures", "import", acme, write(tmp_path, GOOD))
    out = tmp_path / "out.csv"
    result = run(db, "measures", "export", acme, "--out", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["cycle", "measure", "value", "note"]
    assert ["2026-Q2", "first-contact", "79.5", "'=HYPERLINK(\"http://evil\")"] in rows
    again = run(db, "measures", "import", acme, str(out))
    assert again.output.strip().endswith("0 added, 0 changed, 4 unchanged.")


def test_export_to_standard_output(db: str, acme: str, tmp_path: Path) -> None:
    run(db, "measures", "import", acme, write(tmp_path, GOOD))
    result = run(db, "measures", "export", acme)
    assert result.output.splitlines()[1] == "2026-Q1,first-contact,81,phone report Jan-Mar"


def test_catalogue_lists_every_measure(db: str) -> None:
    result = run(db, "measures", "catalogue")
    assert result.exit_code == 0
    assert "wait-time" in result.output and "lower is better" in result.output


@pytest.mark.parametrize(("content", "message"), [
    ("", "the file is empty"),
    ("cycle;measure;value\n2026-Q1;retention;90\n", "separated by semicolons"),
    ("cycle,value\n2026-Q1,90\n", "missing column(s) measure"),
    ("cycle,measure,value\n", "no values found"),
])
def test_bad_files_are_one_line(db: str, acme: str, tmp_path: Path, content: str, message: str) -> None:
    result = CliRunner().invoke(cli, ["--db", db, "measures", "import", acme, write(tmp_path, content)])
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_unknown_organisation(db: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", db, "measures", "import", "nobody", write(tmp_path, GOOD)])
    assert result.exit_code == 2
    assert "no organisation" in result.output


def test_framework_check_counts_the_measures() -> None:
    result = CliRunner().invoke(cli, ["framework", "check"])
    assert result.exit_code == 0
    # 15 from seed 003's examples and 4 of the recovery log (issue #16 part 2)
    assert "10 promises, 19 customer measures." in result.output


@pytest.mark.parametrize(("content", "message"), [
    ("cycle,measure,value\n".encode("utf-16"), "saved as UTF-16"),
    (b"cycle,measure,value\n2026-Q1,retention,9\x000\n", "contains binary data"),
    (b"cycle,measure,value\n2026-Q1,retention,\xff90\n", "is not UTF-8 text"),
    (b'cycle,measure,value,note\n2026-Q1,retention,90,"open\n', "is never closed"),
    (b"cycle,measure,value\n2026-Q1,retention,90,extra\n", "row 2: 4 cells but the header has 3 columns"),
])
def test_files_that_are_not_what_they_seem(db: str, acme: str, tmp_path: Path, content: bytes,
                                           message: str) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["--db", db, "measures", "import", acme, str(path)])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_folder_or_device_is_refused(db: str, acme: str, tmp_path: Path) -> None:
    for target, message in ((str(tmp_path), "is a folder"), ("/dev/zero", "not a regular file")):
        result = CliRunner().invoke(cli, ["--db", db, "measures", "import", acme, target])
        assert result.exit_code == 2 and message in result.output


def test_values_of_a_measure_dropped_from_the_framework_are_kept_and_mentioned(
        db: str, acme: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    from workbook.paths import framework_file

    run(db, "measures", "import", acme, write(tmp_path, GOOD))
    data = yaml.safe_load(framework_file().read_text(encoding="utf-8"))
    data["measures"] = [m for m in data["measures"] if m["id"] != "wait-time"]
    adapted = tmp_path / "adapted.yaml"
    adapted.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setattr("workbook.framework.loader.framework_file", lambda: adapted)
    result = CliRunner().invoke(cli, ["--db", db, "measures", "list", acme])
    assert result.exit_code == 0
    assert "Not shown: values of wait-time" in result.stderr
    assert "wait-time" not in result.stdout and "first-contact" in result.stdout
