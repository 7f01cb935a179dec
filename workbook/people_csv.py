"""Reading the people of an organisation from a CSV file.

The file is checked whole before anything is stored: every bad row is reported
with its row number as a spreadsheet shows it (the header is row 1), and one
bad row means nothing of the file is imported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from email_validator import EmailNotValidError, validate_email

from workbook.errors import ImportFileError, InputError
from workbook.input_files import read_input_file
from workbook.text import clean_line, quoted

__all__ = ["COLUMNS", "MAX_ROWS", "PersonRow", "check_person", "csv_problem", "data_rows", "header_problem",
           "parse_people_csv", "read_people_csv"]

COLUMNS = ("name", "email", "role", "team")
MAX_ROWS = 10_000
MAX_BYTES = 5_000_000
#: The label results give small teams combined (workbook.anonymity.POOL_LABEL; a test keeps them equal).
POOLED_TEAM = "Other teams"
_ROLES = {"leader": "leader", "leaders": "leader", "staff": "staff"}


@dataclass(frozen=True, slots=True)
class PersonRow:
    name: str
    email: str
    role: Literal["leader", "staff"]
    team: str


def normalise_email(value: object) -> str:
    """Lower-cased, syntax-checked email; no DNS look-up (works offline)."""
    text = clean_line(value, "email", max_length=320)
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise InputError(f"email {quoted(text)} is not a valid address ({error})") from None
    return checked.normalized.lower()


def _row(values: dict[str, str]) -> PersonRow:
    name = clean_line(values.get("name"), "name")
    email = normalise_email(values.get("email"))
    role_text = clean_line(values.get("role"), "role").lower()
    role = _ROLES.get(role_text)
    if role is None:
        raise InputError(f"role {quoted(role_text)} must be 'leader' or 'staff'")
    team = clean_line(values.get("team"), "team", max_length=100)
    if team.casefold() == POOLED_TEAM.casefold():
        raise InputError(f"team {quoted(team)} is reserved: results use it for small teams combined; "
                         "choose another name")
    return PersonRow(name=name, email=email, role="leader" if role == "leader" else "staff", team=team)


def check_person(row: PersonRow) -> PersonRow:
    """The row again through the same rule: the store calls this, whoever built the row."""
    if not isinstance(row, PersonRow):
        raise InputError(f"a person to import must be a PersonRow, not {type(row).__name__}")
    return _row({"name": row.name, "email": row.email, "role": row.role, "team": row.team})



def data_rows(reader: Iterator[list[str]], names: list[str], source: str, problems: list[str], max_rows: int,
              noun: str = "rows") -> Iterator[tuple[int, dict[str, str]]]:
    """Each data row of a checked-header CSV as (row number, cells by column), for every import.

    Blank lines (spreadsheet exports end with some) are skipped; a row with more
    cells than the header, or a broken quote, goes to ``problems`` (a broken
    quote ends the file); more than ``max_rows`` is a one-line error.  Row
    numbers count the header as row 1, as a spreadsheet shows them.
    """
    number = 1
    while True:
        number += 1
        line = getattr(reader, "line_num", 0) + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(csv_problem(error, number, line))
            return
        if not any(cell.strip() for cell in cells):
            continue  # blank lines at the end of spreadsheet exports
        if number - 1 > max_rows:
            raise ImportFileError(f"{source}: more than {max_rows} {noun}; split the file")
        if len(cells) > len(names):
            problems.append(f"row {number}: {len(cells)} cells but the header has {len(names)} columns")
            continue
        yield number, dict(zip(names, cells, strict=False))

def csv_problem(error: csv.Error, record: int, line: int) -> str:
    """A csv module error in words that say what to fix."""
    detail = str(error)
    if "unexpected end of data" in detail:
        return (f"row {record}: a quoted cell opened on line {line} of the file is never closed; "
                'check the quote marks (") on that row')
    if "expected after" in detail:
        return (f"row {record}: a quote mark (\") is followed by more text in the same cell; a cell must be "
                'either quoted whole ("like this") or not quoted at all')
    if "field larger than field limit" in detail:
        return f"row {record}: a cell is longer than {csv.field_size_limit():,} characters; is it the right file?"
    return f"row {record}: the CSV cannot be read there ({detail})"


def header_problem(header: list[str], source: str) -> str | None:
    """An accurate message for the header row mistakes people actually make, else None."""
    first = header[0] if header else ""
    if first.startswith("\ufeff"):
        return (f"{source}: the file starts with two byte-order marks (U+FEFF) where one is allowed; "
                "save it again as 'CSV UTF-8 (comma delimited)'")
    if len(header) == 1:
        for delimiter, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "'|' characters")):
            if delimiter in first:
                return (f"{source}: the columns are separated by {name}, not commas; "
                        "save it as 'CSV UTF-8 (comma delimited)'")
    return None


def parse_people_csv(text: str, source: str = "the file") -> list[PersonRow]:
    """Validate CSV text and return its rows, or raise listing every problem.

    The CSV is read strictly: a quote mark left open or text after a closing
    quote is reported on its row, not silently joined into the next cells.
    """
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
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise ImportFileError(
            f"{source}: missing column(s) {', '.join(missing)}; the header row must be: {','.join(COLUMNS)}"
        )
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    if duplicated:
        raise ImportFileError(f"{source}: column(s) {', '.join(duplicated)} appear more than once in the header")
    problems: list[str] = []
    rows: list[PersonRow] = []
    first_row_of: dict[str, int] = {}
    for number, values in data_rows(reader, names, source, problems, MAX_ROWS, "people"):
        try:
            row = _row(values)
        except InputError as error:
            problems.append(f"row {number}: {error}")
            continue
        if row.email in first_row_of:
            problems.append(f"row {number}: email {row.email} is also on row {first_row_of[row.email]}")
            continue
        first_row_of[row.email] = number
        rows.append(row)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ImportFileError(f"{source}: {problems[0]}{more}; nothing was imported", problems)
    if not rows:
        raise ImportFileError(f"{source}: no people found under the header row; nothing was imported")
    return rows


def read_people_csv(path: str | Path) -> list[PersonRow]:
    """Read and validate a CSV file (UTF-8, with or without Excel's BOM).

    The file is size-checked before it is read (:mod:`workbook.input_files`):
    at most :data:`MAX_BYTES`, and only a regular file.
    """
    file = Path(path)
    data = read_input_file(file, MAX_BYTES, kind="people CSV")
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
            "in Excel use 'Save as: CSV UTF-8 (comma delimited)'"
        ) from None
    return parse_people_csv(text, source=str(file))
