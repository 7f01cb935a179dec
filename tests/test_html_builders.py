"""No HTML is built as a plain string in ``workbook/``: every page goes through :mod:`workbook.html`.

:func:`workbook.html.html` escapes every argument that is not ``Markup``, so
a name, comment or promise cannot become script on the projector.  An
f-string that writes a tag, ``"<p>{}</p>".format(...)``, ``"<p>%s</p>" % ...``
or ``"<h3>…</h3>" + something`` bypasses that (and ``str + Markup`` escapes the
tags instead, which shows them as text): this test walks the syntax tree of
every module and names each such place as ``file:line``, so one added back
fails here rather than in front of a client.

A tag start is ``<`` then a tag name then a space, ``>``, ``/`` or a ``{…}``
field, so text that merely holds angle brackets, such as an address in a
message (``Jo Bloggs <jo@example.org>``) or a regular expression's named group
(``(?P<link>…)``), is not taken for HTML.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "workbook"

#: Where a ``{…}`` field of an f-string stood, in the literal text the checker reads.
FIELD = "\x00"
TAG_START = re.compile(r"(?<!\?P)</?[A-Za-z][\w-]*(?=[\s/>" + FIELD + r"]|$)")


def _literal_text(node: ast.JoinedStr) -> str:
    return "".join(part.value if isinstance(part, ast.Constant) and isinstance(part.value, str) else FIELD
                   for part in node.values)


def _tagged(node: ast.AST) -> bool:
    """A string literal (plain) whose text holds a tag start."""
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(TAG_START.search(node.value))


def offences(source: str, filename: str = "<planted>") -> list[str]:
    """``file:line: what`` for every place in ``source`` that builds HTML as a plain string."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename)):
        what = None
        if isinstance(node, ast.JoinedStr) and TAG_START.search(_literal_text(node)):
            what = "f-string"
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
              and _tagged(node.func.value)):
            what = "str.format"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _tagged(node.left):
            what = "% formatting"
        elif (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)
              and any(_tagged(side) for side in (node.left, node.right))):
            what = "string concatenation"
        if what:
            found.append(f"{filename}:{getattr(node, 'lineno', '?')}: HTML built by {what}; "
                         "use workbook.html.html(template, *args) or join(...)")
    return sorted(set(found))


def test_no_module_in_the_package_builds_html_as_a_plain_string() -> None:
    found = [line for path in sorted(PACKAGE.rglob("*.py"))
             for line in offences(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent)))]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("planted", [
    'page = f"<p>{name}</p>"',
    "cell = f'<td{cls}>{value}</td>'",
    'end = f"{body}</div>"',
    'long = (f"<h2>{title}</h2>"\n        "<p>more</p>")',
    'def f(x):\n    return [f"<li class=\'wb\'>{i}</li>" for i in x]',
    'page = "<p>{}</p>".format(name)',
    'page = "<p>%s</p>" % name',
    'page = "<h3>Title</h3>" + table(rows)',
    'page = body + "</ul>"',
])
def test_the_checker_catches_html_built_as_a_string(planted: str) -> None:
    assert len(offences(planted)) == 1, planted


@pytest.mark.parametrize("harmless", [
    'page = html("<p>{}</p>", name)',
    'page = html("<td{}>{}</td>", cls, value)',
    'line = f"Erased {person.name} <{person.email}> and their answers."',
    'hint = f"write it like \\"Jo Bloggs <jo@example.org>\\" ({where})"',
    'pattern = rf"{prefix} took (?P<link>[\\d.]+) s"',
    'text = f"{a} < {b} and {c} <= {d}"',
    'css = "<style>.a {}</style>"',
    'label = "a" + "b"',
])
def test_the_checker_leaves_text_that_is_not_html_alone(harmless: str) -> None:
    assert offences(harmless) == [], harmless


def test_an_offence_names_its_file_and_line() -> None:
    assert offences('x = 1\ny = f"<b>{x}</b>"\n', "workbook/example.py") == [
        "workbook/example.py:2: HTML built by f-string; use workbook.html.html(template, *args) or join(...)"]


def converted_builders(text: str) -> list[object]:
    """Builders that wrote HTML in f-strings until issue #15 part 6, each fed ``text`` wherever it takes text."""
    from workbook.apps.ui import ErrorBanner, status_html, unsaved_html
    from workbook.report.heatmap import HeatCell, heatmap_table
    from workbook.report.sections import _notes, _paragraphs
    from workbook.report.tables import table_html
    from workbook.values.html import differences_html

    banner = ErrorBanner()
    banner.show(text)
    return [status_html(text), status_html(text, "warn"), unsaved_html(text), banner.widget.value,
            differences_html([(text, 3.5, 3.1)], text, text),
            table_html([text, text], [[text, text]], caption=text, numeric=(1,)),
            heatmap_table({(text, text): HeatCell(3.0, text)}, caption=text, rows=[text], groups=[text],
                          scale=(1, 5), key_title=text, row_title=text),
            _paragraphs([text], "wb-note"), _notes([text])]


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", 'R&D "quoted"', "'><b>x</b>", "{0} {{7*7}}"])
def test_text_in_the_converted_builders_is_escaped_exactly_once(text: str) -> None:
    from test_hostile_input import assert_escaped_once

    from workbook.html import Markup

    for page in converted_builders(text):
        assert isinstance(page, Markup), page
        assert_escaped_once(page, text)
