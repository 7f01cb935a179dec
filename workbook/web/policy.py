"""The security rules of every response: headers, cookies and same-origin checks.

The Content-Security-Policy is what the app pages need and no more, checked
in Chromium (tests/browser/test_serve_hardening.py):

* scripts only from this server - the template has no inline script and no
  inline event handler (``static/workbook-page.js`` does that work); the one
  exception is the heartbeat Voila itself writes into a slow page, allowed by
  its hash;
* styles from this server and inline: the lab CSS and the apps' widgets carry
  ``<style>`` elements and ``style`` attributes (styles cannot run code);
* images and fonts from this server or ``data:`` URLs (icons, the empty favicon);
* fetch and websockets to this server only; no plugins, no frames around
  the page, no ``<base>``, no form posts anywhere.
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

__all__ = ["CONTENT_SECURITY_POLICY", "SECURITY_HEADERS", "same_origin", "script_hash"]


def script_hash(source: str) -> str:
    """The CSP source expression that allows one inline script with exactly this text."""
    digest = hashlib.sha256(source.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


#: The inline script Voila streams into a page that takes long to render
#: (``voila/handler.py``, ``time_out``); ``workbook-page.js`` defines the function.
VOILA_HEARTBEAT = "window.voila_heartbeat()"

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'",
    f"script-src 'self' {script_hash(VOILA_HEARTBEAT)}",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
])

#: Sent with every response: pages, static files, errors, the health check.
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the token in the URL never reaches another site
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP 2
    "Cross-Origin-Opener-Policy": "same-origin",
}


def same_origin(origin: str | None, host: str | None) -> bool:
    """True when a browser's ``Origin`` names the host the request was sent to.

    A missing Origin is refused: every browser sends one on websockets and on
    the page's own POSTs, so only a script (or a forged request) leaves it out.
    """
    if not origin or not host or origin == "null":
        return False
    parts = urlsplit(origin.lower())
    return parts.scheme in ("http", "https") and parts.netloc == host.lower()
