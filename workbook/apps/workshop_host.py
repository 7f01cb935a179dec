"""What the workshop's pages ask of the app that holds them, as protocols.

The review, scorecard and playbook pages are built by
:class:`workbook.apps.workshop.app.WorkshopApp`; if they imported that class
(even only for type checking) each module would import the one that imports
it.  They depend on these small protocols instead, which the app satisfies as
it is (mypy checks that where the app passes itself in).  This module sits
outside the ``workbook.apps.workshop`` package on purpose: importing anything
inside it runs the package's ``__init__``, which imports the app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

import ipywidgets as widgets

from workbook.apps.ui import ErrorBanner
from workbook.framework import Framework
from workbook.store import CycleRecord, OrganisationRecord, Store
from workbook.workshop.errors import StaleEditError
from workbook.workshop.repository import Workshop

__all__ = ["OpenWorkshop", "PageHost", "WorkshopHost"]

T = TypeVar("T")


class OpenWorkshop(Protocol):
    """The organisation and cycle a facilitator link opened (:class:`~workbook.apps.workshop.WorkshopSession`)."""

    @property
    def organisation(self) -> OrganisationRecord: ...
    @property
    def cycle(self) -> CycleRecord: ...


class WorkshopHost(Protocol):
    """What every section of the workshop needs: the store, the open cycle, the error line and saving."""

    @property
    def store(self) -> Store: ...
    @property
    def session(self) -> OpenWorkshop: ...
    @property
    def errors(self) -> ErrorBanner: ...
    @property
    def by(self) -> str | None: ...

    def attempt(self, save: Callable[[], T], status: widgets.HTML,
                on_stale: Callable[[StaleEditError], None], done: str = ...) -> T | None: ...


class PageHost(WorkshopHost, Protocol):
    """A whole page of the workshop (the review, the scorecard) also moves between pages and says when it saved."""

    @property
    def framework(self) -> Framework: ...
    @property
    def workshop(self) -> Workshop: ...
    @property
    def saved_at(self) -> widgets.HTML: ...

    def show(self, page: str) -> None: ...
    def show_page(self, page: str, *children: widgets.Widget) -> None: ...
