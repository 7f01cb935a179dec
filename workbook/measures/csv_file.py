"""Reading customer-measure values from a CSV file (``cycle,measure,value,note``).

The rules are those of the people CSV (:mod:`workbook.people_csv`): the whole
file is checked before anything is stored; every bad row is reported with its
row number as a spreadsheet shows it (the header is row 1); one bad row means
nothing is imported.  A row names an existing cycle by its label and a measure
of the framework's catalogue by its id; the value must be a number in the
measure's range.  A note is stored as text, whatever it starts with: it is made
safe when it is written out again (:mod:`workbook.csvsafe`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from pathlib import Path

from workbook.errors import ImportFileError, InputError, NotFoundError
from workbook.framework import Framework
from workbook.input_files import read_input_file
from workbook.people_csv import csv_problem, data_rows, header_problem
from workbook.store.measures import ValueRow, check_note
from workbook.text import clean_line, quoted

__all__ = ["COLUMNS", "MAX_ROWS", "parse_measures_csv", "read_measures_csv", "unprotect_note"]

COLUMNS = ("cycle", "measure", "value", "note")
REQUIRED = ("cycle", "measure", "value")
MAX_ROWS = 10_000
MAX_BYTES = 2_000_000


def unprotect_note(note: str | None) -> str | None:
    """The note without the ``'`` our export puts before a formula-like cell (``'=SUM(A1)``).

    Spreadsheets hide that mark and drop it when they save, so either way the
    note stored is the one the person typed; it is protected again on export.
    """
    if note and note.startswith("'") and note[1:2] in {"=", "+", "-", "@"}:
        return note[1:]
    return note


def _row(values: dict[str, str], framework: Framework, cycles: Collection[str]) -> ValueRow:
    label = clean_line(values.get("cycle"), "cycle", max_length=32)
    if label not in cycles:
        known = ", ".join(cycles) or "none"
        raise InputError(f"unknown cycle {quoted(label)} (known: {known}; open it with: workbook cycle open)")
    measure_id = clean_line(values.get("measure"), "measure", max_length=32)
    try:
        measure = framework.measure(measure_id)
    except NotFoundError:
        known = ", ".join(m.id for m in framework.measures) or "none"
        raise InputError(f"unknown measure {quoted(measure_id)} (known: {known})") from None
    raw = values.get("value", "").strip()
    value = measure.check_value(raw[1:] if raw.startswith("'") else raw)  # "'-20": a protected export cell
    note = unprotect_note(check_note(values.get("note")))
    return ValueRow(cycle_label=label, measure_id=measure.id, value=value, note=note)


def parse_measures_csv(text: str, framework: Framework, cycles: Collection[str],
                       source: str = "the file") -> list[ValueRow]:
    """Validate CSV text against the catalogue and the organisation's cycle labels, or raise listing every problem."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise ImportFileError(f"{source}: {csv_problem(error, 1, 1)}") from None
    if header is None or not any(cell.strip() for cell in header):
        raise ImportFileError(f"{source}: the file is empty; it needs a header row: {','.join(COLUMNS)}")
    if (problem := header_problem(header, source)) is not None:
        raise ImportFileError(problem)
    names = [cell.strip().lower() for cell in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise ImportFileError(
            f"{source}: missing column(s) {', '.join(missing)}; the header row must be: {','.join(COLUMNS)}")
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    if duplicated:
        raise ImportFileError(f"{source}: column(s) {', '.join(duplicated)} appear more than once in the header")
    problems: list[str] = []
    rows: list[ValueRow] = []
    first_row_of: dict[tuple[str, str], int] = {}
    for number, values in data_rows(reader, names, source, problems, MAX_ROWS):
        try:
            row = _row(values, framework, cycles)
        except InputError as error:
            problems.append(f"row {number}: {error}")
            continue
        key = (row.cycle_label, row.measure_id)
        if key in first_row_of:
            problems.append(f"row {number}: {row.measure_id} for {row.cycle_label} is also on row {first_row_of[key]}")
            continue
        first_row_of[key] = number
        rows.append(row)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ImportFileError(f"{source}: {problems[0]}{more}; nothing was imported", problems)
    if not rows:
        raise ImportFileError(f"{source}: no values found under the header row; nothing was imported")
    return rows


def read_measures_csv(path: str | Path, framework: Framework, cycles: Collection[str]) -> list[ValueRow]:
    """Read and validate a CSV file (UTF-8, with or without Excel's BOM), size-checked before it is read."""
    file = Path(path)
    data = read_input_file(file, MAX_BYTES, kind="measures CSV")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(
            f"{file}: the file is saved as UTF-16; in Excel use 'Save as: CSV UTF-8 (comma delimited)'")
    if b"\x00" in data:
        raise ImportFileError(f"{file}: this is not a CSV text file (it contains binary data)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ImportFileError(
            f"{file}: the file is not UTF-8 text (byte 0x{data[error.start]:02x} on line {line}); "
            "in Excel use 'Save as: CSV UTF-8 (comma delimited)'") from None
    return parse_measures_csv(text, framework, cycles, source=str(file))
