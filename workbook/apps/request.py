"""Reading the page request an app was opened with.

Under Voila with pre-heated kernels the notebook runs *before* anyone asks for
the page, so ``os.environ["QUERY_STRING"]`` is empty; ``voila.utils.
get_query_string()`` blocks until the request arrives and returns its query.
A second call would block for good, so the query is read once per kernel
(a pre-heated kernel serves exactly one page) and kept.  Outside Voila
(papermill, JupyterLab) there is no query and the notebook's parameters are
used instead.
"""

from __future__ import annotations

import os
from functools import cache
from urllib.parse import parse_qs

__all__ = ["is_preheating", "query_parameter", "query_parameters"]


def is_preheating() -> bool:
    """True in a kernel Voila started ahead of a request (its pool)."""
    return os.environ.get("VOILA_PREHEAT", "False") == "True"


@cache
def query_parameters() -> dict[str, str]:
    """The page's query parameters (first value of each), read once."""
    try:
        from voila.utils import get_query_string
    except ImportError:  # pragma: no cover - voila is a dependency
        return {}
    query = get_query_string()
    if not query:
        return {}
    return {name: values[0] for name, values in parse_qs(query, keep_blank_values=True).items()}


def query_parameter(name: str) -> str | None:
    """One query parameter of the page, if it was given."""
    return query_parameters().get(name)
