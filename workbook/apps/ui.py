"""Small building blocks every app shares: escaping, rows, pages, the facilitator gate.

A function used by two apps lives here, not in either app.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from workbook.apps.style import APP_CSS
from workbook.errors import AccessDeniedError
from workbook.store import OrganisationRecord, Store

__all__ = ["app_root", "esc", "facilitator_organisation", "message_page", "row", "style_widget"]


def esc(text: object) -> str:
    """Escape text from users (names, comments, promises) for HTML widgets."""
    return html.escape(str(text), quote=True)


def style_widget() -> widgets.HTML:
    """The apps' CSS as a widget, so the apps look right under any Voila template."""
    return widgets.HTML(APP_CSS)


def row(*children: widgets.Widget) -> widgets.HBox:
    """A row of widgets that wraps on a narrow screen."""
    box = widgets.HBox(list(children))
    box.add_class("wb-row")
    return box


def app_root(*children: widgets.Widget, extra_class: str | None = None) -> widgets.VBox:
    """The outermost box of an app: styles plus content, centred and readable."""
    root = widgets.VBox([style_widget(), *children])
    root.add_class("wb-app")
    if extra_class:
        root.add_class(extra_class)
    return root


def message_page(title: str, text: str) -> widgets.Widget:
    """A friendly page for a link that does not work: no data of anyone."""
    return app_root(widgets.HTML(f"<div class='wb-error' role='alert'><h1>{esc(title)}</h1><p>{esc(text)}</p></div>"))


def facilitator_organisation(store: Store, key: object) -> OrganisationRecord:
    """The organisation a facilitator link (``?key=…``) opens.

    Raises :class:`AccessDeniedError` for a missing or wrong key, which the
    apps turn into :func:`message_page` without any team data.
    """
    if key is None or key == "":
        raise AccessDeniedError(
            "this page opens from the organisation's facilitator link (workbook invites ORG --facilitator)"
        )
    return store.organisations.by_facilitator_key(key)
