"""Small building blocks every app shares: escaping, rows, pages, the facilitator gate.

A function used by two apps lives here, not in either app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, Protocol, TypeVar

import ipywidgets as widgets

from workbook.apps.style import APP_CSS
from workbook.dates import DAY_PLACEHOLDER
from workbook.errors import AccessDeniedError, WorkbookError
from workbook.html import Markup, esc, html
from workbook.store import OrganisationRecord, Store
from workbook.text import format_day

__all__ = ["UNSAVED_LABEL", "ErrorBanner", "app_root", "day_field", "day_text", "esc", "facilitator_organisation",
           "message_page", "row", "sentence", "style_widget", "sync_rows", "unsaved_html"]

log = logging.getLogger(__name__)

#: What a person sees when something fails that they cannot fix.
UNEXPECTED = ("Something went wrong on our side. Everything you saved is safe: "
              "please reload the page and carry on.")


def style_widget() -> widgets.HTML:
    """The apps' CSS as a widget, so the apps look right under any Voila template."""
    return widgets.HTML(APP_CSS)


def row(*children: widgets.Widget, layout: widgets.Layout | None = None) -> widgets.HBox:
    """A row of widgets that wraps on a narrow screen (``layout``: a shared one, see :mod:`workbook.apps.looks`)."""
    if layout is None:
        return widgets.HBox(list(children), _dom_classes=("wb-row",))
    return widgets.HBox(list(children), layout=layout, _dom_classes=("wb-row",))


def day_text(day: date | None) -> str:
    """What a date field shows for a stored day: ``31 March 2027``, or nothing."""
    return format_day(day) if day is not None else ""


def day_field(description: str, day: date | None = None, **options: Any) -> widgets.Text:
    """A date typed as text and read day first (:func:`workbook.dates.parse_day`).

    Not a ``DatePicker``: the browser draws that in its own locale, so an
    American laptop on the projector would show ``03/31/2027``.  A text box
    shows ``31 March 2027`` everywhere; the kernel reads what is typed and a
    day it cannot read gets a one-line message saying how to write it.
    """
    field = widgets.Text(value=day_text(day), description=description, placeholder=f"e.g. {DAY_PLACEHOLDER}",
                         continuous_update=False, **options)
    field.add_class("wb-day")
    return field


def app_root(*children: widgets.Widget, extra_class: str | None = None) -> widgets.VBox:
    """The outermost box of an app: styles plus content, centred and readable."""
    root = widgets.VBox([style_widget(), *children])
    root.add_class("wb-app")
    if extra_class:
        root.add_class(extra_class)
    return root


def sentence(error: object) -> str:
    """An error's message as a sentence on screen: its first letter upper case."""
    text = str(error)
    return text[:1].upper() + text[1:]


def message_page(title: str, text: str) -> widgets.Widget:
    """A friendly page for a link that does not work: no data of anyone."""
    return app_root(widgets.HTML(html("<div class='wb-error' role='alert'><h1>{}</h1><p>{}</p></div>", title, text)))


#: The label of the box that keeps text a refused save would otherwise lose.
UNSAVED_LABEL = "Your unsaved text — copy what you need, then save again"


def status_html(text: str, kind: str = "ok") -> Markup:
    """One status line beside a field; warnings are alerts so screen readers announce them."""
    if kind == "ok":
        return html("<span class='wb-ok' role='status'>{}</span>", text)
    return html("<span class='wb-warn' role='alert'>{}</span>", text)


class StoredRecord(Protocol):
    """A stored row of a list the apps show (an action, a playbook failure): known by its ``id``."""

    @property
    def id(self) -> int: ...


class RecordRow(Protocol):
    """The widgets showing one :class:`StoredRecord`, which can take a newer version of it in place."""

    @property
    def widget(self) -> widgets.Widget: ...
    def set_saved(self, record: Any, /) -> None: ...
    def close(self) -> None: ...


RecordT = TypeVar("RecordT", bound=StoredRecord)
RowT = TypeVar("RowT", bound=RecordRow)


def sync_rows(rows: dict[int, RowT], records: Iterable[RecordT], make: Callable[[RecordT], RowT],
              box: widgets.Box) -> dict[int, RowT]:
    """The rows for ``records``, in their order, shown in ``box``; returns them by record id.

    A record already on screen updates its row in place rather than getting a
    new one, so the browser keeps the widgets a facilitator may be typing in;
    a new record gets a row from ``make``; the rows of records that are gone
    (removed, perhaps by another facilitator) are closed so their widget
    models do not pile up in the kernel.  The workshop's action plan and
    recovery playbook both reload their lists this way.
    """
    kept: dict[int, RowT] = {}
    for record in records:
        entry = rows.get(record.id)
        if entry is None:
            entry = make(record)
        else:
            entry.set_saved(record)
        kept[record.id] = entry
    for record_id, gone in rows.items():
        if record_id not in kept:
            gone.close()
    box.children = tuple(entry.widget for entry in kept.values())
    return kept


class ConfirmRemoval:
    """A Remove button that asks first: shows the question with Confirm and Keep, or puts Remove back.

    Mixed into the workshop's action rows and playbook rows, which make the four widgets with
    :meth:`build_removal`.
    """

    message: widgets.HTML
    confirm: widgets.Button
    keep: widgets.Button
    remove: widgets.Button
    removal_question: str = "Remove this?"

    def build_removal(self, what: str, remove_tooltip: str, on_remove: Callable[[], None],
                      guard: Callable[[Callable[..., Any]], Callable[..., None]]) -> None:
        """Make the four widgets, wired: Remove asks, Keep puts it back, "Yes, remove it" calls ``on_remove``.

        ``what`` names the row in the tooltips ("this action"); the message
        line beside the buttons also carries the row's save status.
        """
        self.remove = widgets.Button(description="Remove", icon="trash", tooltip=remove_tooltip)
        self.confirm = widgets.Button(description="Yes, remove it", button_style="danger",
                                      tooltip=f"Yes, remove {what}", layout=widgets.Layout(display="none"))
        self.keep = widgets.Button(description="Keep it", tooltip=f"Keep {what}", layout=widgets.Layout(display="none"))
        self.message = widgets.HTML("")
        self.message.add_class("wb-status")
        self.remove.on_click(guard(lambda _b: self.ask_to_remove()))
        self.keep.on_click(guard(lambda _b: self.cancel_remove()))
        self.confirm.on_click(guard(lambda _b: on_remove()))

    def ask_to_remove(self) -> None:
        self.message.value = status_html(self.removal_question, "warn")
        self.confirm.layout.display = self.keep.layout.display = ""
        self.remove.layout.display = "none"

    def cancel_remove(self) -> None:
        self.message.value = ""
        self.confirm.layout.display = self.keep.layout.display = "none"
        self.remove.layout.display = ""


def unsaved_html(text: str) -> Markup:
    """A labelled, read-only box holding text that was not saved, so the person can copy it.

    Used when someone else saved first: the fields show the stored version,
    and what this person typed stays here instead of being lost.  Empty text
    gives an empty string (no box).
    """
    if not text.strip():
        return Markup()
    rows = min(8, max(2, text.count("\n") + 2))
    return html("<div class='wb-note wb-unsaved'><label><strong>{}</strong>"
                "<textarea readonly rows='{}' style='display:block; width:100%; box-sizing:border-box; "
                "margin-top:0.3rem; font: inherit;'>{}</textarea></label></div>", UNSAVED_LABEL, rows, text)


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


class ErrorBanner:
    """A place at the top of an app for errors raised inside button and field handlers.

    ipywidgets swallows an exception raised in a callback and prints its
    traceback where nobody sees it (Voila hides tracebacks), so without this
    the page would simply stop responding.  ``guard`` wraps a handler: a
    :class:`WorkbookError` shows its own message, anything else a calm
    sentence, and the traceback goes to the server log.
    """

    def __init__(self) -> None:
        self.widget = widgets.HTML("")

    def show(self, message: str) -> None:
        self.widget.value = html("<div class='wb-error' role='alert'><p>{}</p></div>", message)

    def clear(self) -> None:
        self.widget.value = ""

    def guard(self, handler: Callable[..., Any]) -> Callable[..., None]:
        def run(*args: Any, **kwargs: Any) -> None:
            try:
                handler(*args, **kwargs)
            except WorkbookError as error:
                self.show(sentence(error))
            except Exception:
                log.exception("an app handler failed")
                self.show(UNEXPECTED)

        return run
