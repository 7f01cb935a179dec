"""The charter as a standalone HTML page, from ``templates/charter/`` (Jinja).

The same page is what WeasyPrint turns into the PDF, so what a consultant sees
in the browser is what prints.  Autoescape is on for every value, and the CSS
is inlined: the file works offline, attached to an email or opened from a USB
stick.
"""

from __future__ import annotations

from functools import cache

import jinja2
from markupsafe import Markup

from workbook.charter.export.document import CharterDocument
from workbook.paths import templates_dir

__all__ = ["TEMPLATE", "charter_templates", "render_html"]

TEMPLATE = "charter.html.j2"
STYLESHEET = "charter.css"


def css_string(text: object) -> Markup:
    """Text as a quoted CSS string, safe inside ``<style>`` (where HTML escaping does not apply)."""
    escaped = "".join(c if c.isalnum() or c in " .,:;()-_™'" else f"\\{ord(c):x} " for c in str(text))
    return Markup(f'"{escaped}"')


@cache
def charter_templates() -> jinja2.Environment:
    """The Jinja environment of ``templates/charter`` (autoescaped, strict about missing names)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir() / "charter")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.filters["css_string"] = css_string
    return environment


def render_html(document: CharterDocument) -> str:
    environment = charter_templates()
    assert environment.loader is not None
    css, _path, _uptodate = environment.loader.get_source(environment, STYLESHEET)
    return environment.get_template(TEMPLATE).render(doc=document, css=Markup(css))
