"""Escaping as a type: HTML is :class:`Markup`, everything else is text.

Names, comments and promises people type end up on a projector and in reports,
so a missed escape would be stored script.  Rather than remembering to call an
escape helper at every ``{...}`` of an f-string, pages are built from
:class:`Markup`: :func:`html` formats a trusted template and escapes every
argument that is not already ``Markup``; :func:`esc` turns text into
``Markup`` once (escaping ``Markup`` again is a no-op, so nothing is escaped
twice: ``R&D`` reads ``R&amp;D``, never ``R&amp;amp;D``); :func:`join` keeps
the type across a list of fragments.  This is the one escaping module of the
package: the apps, the workshop and charter views, and the report use it.
"""

from __future__ import annotations

import html as stdlib_html
from collections.abc import Iterable
from typing import Any, Self

import markupsafe

__all__ = ["Markup", "esc", "html", "join"]


class Markup(markupsafe.Markup):
    """markupsafe's ``Markup``, spelling quotes as :func:`html.escape` does (``&#x27;``, ``&quot;``).

    The workbook escaped with the standard library before it had a type for
    HTML; keeping its spelling keeps every page, export and stored notebook
    output the same to the byte (markupsafe itself writes ``&#39;``, ``&#34;``,
    which a browser shows identically).
    """

    __slots__ = ()

    @classmethod
    def escape(cls, s: Any, /) -> Self:
        """Text escaped (``&``, ``<``, ``>``, both quotes); anything with ``__html__`` is trusted as it is."""
        if hasattr(s, "__html__"):
            return cls(s.__html__())
        return cls(stdlib_html.escape(str(s), quote=True))


def esc(text: object) -> Markup:
    """Text from users (names, comments, promises) as HTML: escaped once; ``Markup`` passes through unchanged."""
    return Markup.escape(text)


def html(template: str, /, *args: object, **kwargs: object) -> Markup:
    """``template`` (trusted: written in this package) with its ``{}`` fields filled in, each escaped unless Markup."""
    return Markup(template).format(*args, **kwargs)


def join(parts: Iterable[object], separator: str = "") -> Markup:
    """Fragments (Markup kept, text escaped) joined by a trusted ``separator``."""
    return Markup(separator).join(esc(part) for part in parts)
