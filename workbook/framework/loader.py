"""Read a framework YAML file and turn every problem into one readable line.

The people who edit framework files are consultants, not programmers, so a bad
file must never produce a traceback or pydantic's raw error dump.  Every problem
becomes ``<file>: <dotted.path>: <what is wrong>`` (or ``<file>: line L,
column C: ...`` for YAML syntax), and all of them are reported in one go.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

import yaml
from pydantic import BaseModel, ValidationError

from workbook.errors import FrameworkError, InputError
from workbook.framework import rules
from workbook.framework.models import (
    ID_PATTERN,
    LETTER_PATTERN,
    VERSION_PATTERN,
    Framework,
    Measure,
    Obstacle,
    Practice,
    Promise,
    Reward,
    Scale,
    ScalePoint,
    Statement,
    Step,
    Value,
)
from workbook.framework.safe_yaml import safe_load_limited
from workbook.input_files import read_input_file
from workbook.paths import framework_file

__all__ = ["MAX_BYTES", "check_framework_file", "load_framework"]

#: The shipped framework is about 20 kB; fifty times that is not a framework file.
MAX_BYTES = 1_000_000


def load_framework(path: str | Path | None = None) -> Framework:
    """The framework at ``path`` (default: the shipped one), cached until the file changes.

    Every notebook cell and report asks for the framework, so repeated calls must
    be free; keying the cache on modification time and size means an edited file
    is picked up without restarting the kernel.
    """
    target = Path(path) if path is not None else framework_file()
    shown = str(path) if path is not None else str(target)
    try:
        stat = target.stat()
        resolved = target.resolve()
    except OSError:
        return _check(target, shown)  # raises the friendly "no such file" line
    return _load_cached(resolved, stat.st_mtime_ns, stat.st_size, shown)


def check_framework_file(path: str | Path) -> Framework:
    """Read and validate ``path`` from scratch; raise ``FrameworkError`` listing every problem."""
    return _check(Path(path), str(path))


@lru_cache(maxsize=8)
def _load_cached(resolved: Path, mtime_ns: int, size: int, shown: str) -> Framework:
    """Memoised check; ``mtime_ns`` and ``size`` are in the key only so that an edit is noticed."""
    return _check(resolved, shown)


def _check(path: Path, shown: str) -> Framework:
    """Validate the file at ``path``, naming it ``shown`` in every problem line."""
    data = _read_yaml(path, shown)
    problems: list[rules.Problem] = []
    framework: Framework | None = None
    try:
        framework = Framework.model_validate(data)
    except ValidationError as error:
        # Field-level errors come from pydantic; whole-file rules are run on the raw
        # data so they are reported even when some fields are broken.
        problems += [_translate(e) for e in error.errors() if e["type"] != "framework_rules"]
    problems += rules.check(data)
    if problems or framework is None:
        _fail(shown, _unique_lines(shown, problems) or [f"{shown}: not a valid framework file"])
    return framework


# --- reading ----------------------------------------------------------------


def _read_yaml(path: Path, shown: str) -> dict[str, Any]:
    """The top-level mapping of the file, or a one-line ``FrameworkError`` saying why not."""
    try:
        # Size-checked before a byte is parsed: no /dev/zero, FIFO or 2 GB file.
        raw = read_input_file(path, MAX_BYTES, kind="framework file")
    except InputError as error:
        _fail(shown, [str(error).replace(str(path), shown, 1)])
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        _fail(shown, [f"{shown}: is saved as UTF-16; save it as UTF-8 text instead"])
    if b"\x00" in raw:
        _fail(shown, [f"{shown}: looks like a binary file, not YAML text"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        _fail(
            shown,
            [
                f"{shown}: is not UTF-8 text (byte 0x{raw[error.start]:02x} at offset "
                f"{error.start}); save it as UTF-8"
            ],
        )
    if not text.strip():
        _fail(shown, [f"{shown}: the file is empty"])
    try:
        data = safe_load_limited(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        what = error.problem or error.context or "not valid YAML"
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        _fail(shown, [f"{shown}: {where}{what}"])
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        bad = f"#x{error.character:04x}"
        _fail(shown, [f"{shown}: line {line}, column {column}: unacceptable character {bad}"])
    except yaml.YAMLError as error:
        _fail(shown, [f"{shown}: not valid YAML ({' '.join(str(error).split())})"])
    if data is None:
        _fail(shown, [f"{shown}: the file is empty (only comments or blank lines)"])
    if not isinstance(data, dict):
        _fail(
            shown,
            [
                f"{shown}: the top level must be a mapping of fields "
                f"(id:, version:, steps:, ...), found {_describe(data)}"
            ],
        )
    return data


def _fail(shown: str, lines: list[str]) -> NoReturn:
    """Raise the FrameworkError: a one-line summary plus every problem line."""
    if len(lines) == 1:
        message = lines[0]
    else:
        first = lines[0].removeprefix(f"{shown}: ")
        message = f"{shown}: {len(lines)} problems found; first: {first}"
    raise FrameworkError(message, problems=lines)


# --- turning pydantic errors into plain English ----------------------------

_PATTERN_RULES = {
    ID_PATTERN: "must be an id made of letters, digits, '-' or '_' with no spaces",
    LETTER_PATTERN: "must be a single capital letter",
    VERSION_PATTERN: 'must be a version number like "1.0.0" (in quotes)',
}


def _describe(value: object) -> str:
    """How a YAML value looks to the person who typed it."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return repr(shown)
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def _message(error: Any) -> str:
    """Pydantic's message for one error, rewritten for a non-programmer."""
    kind: str = error["type"]
    found = error.get("input")
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "invalid_key":
        return "unknown field (field names are words, not numbers or true/false)"
    if kind == "string_too_short" or (kind == "string_type" and found is None):
        return "must not be empty"
    if kind == "string_type":
        hint = " (put it in quotes)" if isinstance(found, int | float) else ""
        return f"must be text, found {_describe(found)}{hint}"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        rule = _PATTERN_RULES.get(pattern, "is not in the expected form")
        return f"{rule}, found {_describe(found)}"
    if kind == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", "")).replace(" or ", ", ")
        return f"must be one of {expected}, found {_describe(found)}"
    if kind.startswith("float_"):
        return f"must be a number, found {_describe(found)}"
    if kind.startswith("int_"):
        return f"must be a whole number, found {_describe(found)}"
    if kind.startswith("bool_"):
        return f"must be true or false, found {_describe(found)}"
    if kind.startswith(("tuple_", "list_")):
        return f"must be a list, found {_describe(found)}"
    if kind.startswith(("model_", "dict_")):
        return f"must be a mapping of fields (name: value), found {_describe(found)}"
    text = str(error.get("msg", kind))
    return text[:1].lower() + text[1:]


def _translate(error: Any) -> rules.Problem:
    loc: rules.Loc = tuple(part for part in error["loc"] if isinstance(part, str | int))
    if error["type"] == "invalid_key" and loc:
        # A YAML key such as `1:` or `yes:` is a field name, not a list index.
        key = error.get("input")
        shown = ("true" if key else "false") if isinstance(key, bool) else str(key)
        loc = (*loc[:-1], shown)
    return loc, _message(error)


def _field_order() -> dict[str, int]:
    """Field names in declaration order, used to list problems in file order."""
    order: dict[str, int] = {}
    models: list[type[BaseModel]] = [
        Framework,
        Scale,
        ScalePoint,
        Step,
        Practice,
        Value,
        Statement,
        Promise,
        Obstacle,
        Reward,
        Measure,
    ]
    for model in models:
        for name in model.model_fields:
            order.setdefault(name, len(order))
    return order


_ORDER = _field_order()


def _sort_key(problem: rules.Problem) -> tuple[tuple[int, int, str], ...]:
    return tuple(
        (0, part, "") if isinstance(part, int) else (1, _ORDER.get(part, len(_ORDER)), part)
        for part in problem[0]
    )


def _unique_lines(shown: str, problems: list[rules.Problem]) -> list[str]:
    """Problem lines in file order, each reported once."""
    lines: dict[str, None] = {}  # a dict keeps the order and finds repeats at once, even among 100,000
    for loc, message in sorted(problems, key=_sort_key):
        where = rules.format_loc(loc) or "(top level)"
        lines.setdefault(f"{shown}: {where}: {message}")
    return list(lines)
