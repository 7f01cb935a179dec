"""Layout and style models shared by the widgets whose look never changes: fewer messages a page.

ipywidgets gives every widget a layout model and (most kinds) a style model of
its own, and the kernel opens each model with a message that the server relays
to the page.  A statement card of seven widgets opened nineteen models, and a
class added to a widget after it was made cost one more message each: a page
turn of the questionnaire sent about 160 messages, three times all the saves
made on that page (profiled with 100 respondents on 2 cores, issue #12, where
the server relaying them is what answers being saved wait for).

Widgets may share a layout or style model (each holds a reference to it), so
one :class:`Looks` per app hands out a few shared ones, made on first use.  A
widget whose layout changes later (a comment box shown, a button hidden) keeps
one of its own: changing a shared one would change every widget holding it.
Classes are given when a widget is made (``_dom_classes=...``), not added after.
"""

from __future__ import annotations

from functools import cached_property

import ipywidgets as widgets
from ipywidgets.widgets.widget_button import ButtonStyle
from ipywidgets.widgets.widget_description import DescriptionStyle
from ipywidgets.widgets.widget_string import HTMLStyle, TextStyle

__all__ = ["Looks"]


class Looks:
    """The shared layout and style models of one app's widgets (never change them: see the module)."""

    @cached_property
    def plain(self) -> widgets.Layout:
        """The default layout."""
        return widgets.Layout()

    @cached_property
    def full_width(self) -> widgets.Layout:
        return widgets.Layout(width="100%")

    @cached_property
    def status_line(self) -> widgets.Layout:
        """A status line keeps its height while empty, so the page does not jump when it fills."""
        return widgets.Layout(min_height="1.4rem")

    @cached_property
    def html(self) -> HTMLStyle:
        return HTMLStyle()

    @cached_property
    def description(self) -> DescriptionStyle:
        return DescriptionStyle()

    @cached_property
    def button(self) -> ButtonStyle:
        return ButtonStyle()

    @cached_property
    def text_wide_label(self) -> TextStyle:
        """A text field whose label takes the width it needs."""
        return TextStyle(description_width="initial")

    def text(self, value: str = "", *classes: str) -> widgets.HTML:
        """An HTML widget with the shared layout and style (``classes``: its CSS classes)."""
        return widgets.HTML(value, layout=self.plain, style=self.html, _dom_classes=classes)

    def button_of(self, description: str, *, layout: widgets.Layout | None = None, **options: object) -> widgets.Button:
        """A button with the shared style (and layout, unless it needs one of its own to change)."""
        return widgets.Button(description=description, layout=layout or self.plain, style=self.button, **options)
