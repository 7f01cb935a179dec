"""Reading the page request an app was opened with.

Under Voila with pre-heated kernels the notebook runs *before* anyone asks for
the page, so ``os.environ["QUERY_STRING"]`` is empty; ``voila.utils.
get_query_string()`` blocks until the request arrives and returns its query.
Outside Voila (papermill, JupyterLab) it returns None and the notebook's
parameters are used instead.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs

__all__ = ["is_preheating", "query_parameter"]


def is_preheating() -> bool:
    """True in a kernel Voila started ahead of a request (its pool)."""
    return os.environ.get("VOILA_PREHEAT", "False") == "True"


def query_parameter(name: str) -> str | None:
    """The first value of ``name`` in the page's query string, if any."""
    try:
        from voila.utils import get_query_string
    except ImportError:  # pragma: no cover - voila is a dependency
        return None
    query = get_query_string()
    if not query:
        return None
    values = parse_qs(query, keep_blank_values=True).get(name)
    return values[0] if values else None
