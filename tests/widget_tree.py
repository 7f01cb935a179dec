"""Reading what an app shows, through its widget tree (no browser)."""

from __future__ import annotations

from collections.abc import Iterator

import ipywidgets as widgets

__all__ = ["texts", "walk"]


def walk(widget: widgets.Widget) -> Iterator[widgets.Widget]:
    """``widget`` and every widget inside it, depth first."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def texts(widget: widgets.Widget) -> str:
    """All the HTML under ``widget``, one widget a line."""
    return "\n".join(w.value for w in walk(widget) if isinstance(w, widgets.HTML))
