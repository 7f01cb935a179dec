"""No token or key in any line the server logs, whichever logger writes it.

jupyter_server's access log hides ``?token=`` and ``?key=``, but tornado's own
warning for an HTTP error ("503 GET /voila/render/...?token=... : kernel limit
reached") and any other log call that prints a URL do not.  Rather than chase
every such call, the server installs one log-record factory that replaces the
value of every ``token`` and ``key`` query parameter by ``[secret]`` before
any handler formats the line.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final

__all__ = ["SECRET_PARAMETER", "install", "scrub"]

#: ``token=...`` or ``key=...`` after ``?``, ``&`` or ``;``: the URL-safe characters a token or key is made of.
SECRET_PARAMETER: Final = re.compile(r"([?&;](?:token|key)=)[A-Za-z0-9_.~%+-]+", re.IGNORECASE)

_installed = False


def scrub(text: str) -> str:
    """``text`` with every token and key query value replaced by ``[secret]``."""
    return SECRET_PARAMETER.sub(r"\1[secret]", text)


def install() -> None:
    """Scrub every log record made from now on in this process (idempotent)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a badly formatted call is the logging module's to report, unchanged
            return record
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
