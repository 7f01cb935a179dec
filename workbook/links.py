"""The URLs people open: personal invite links and facilitator links.

One place builds them, so ``workbook invites``, ``workbook serve`` and the apps
agree on where each notebook is served.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from workbook.errors import InputError
from workbook.text import quoted

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_PORT", "NOTEBOOKS", "app_url", "check_base_url", "invite_url",
           "is_loopback_url", "loopback_warning"]

DEFAULT_PORT = 8866
DEFAULT_BASE_URL = f"http://127.0.0.1:{DEFAULT_PORT}"

#: The apps by the name users know them by, and the notebook that serves each.
NOTEBOOKS = {
    "values": "values_assessment.ipynb",
    "workshop": "dime_workshop.ipynb",
    "charter": "charter_builder.ipynb",
}


def check_base_url(base_url: str) -> str:
    """Accept ``http(s)://host[:port][/prefix]``; refuse anything else clearly."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise InputError(f"the base URL {quoted(base_url)} must look like https://workbook.example.org or http://127.0.0.1:8866")
    return base_url.strip().rstrip("/")


def app_url(app: str, base_url: str = DEFAULT_BASE_URL, **query: str) -> str:
    """The Voila URL of one app, with its query parameters."""
    notebook = NOTEBOOKS[app]
    suffix = f"?{urlencode(query)}" if query else ""
    return f"{check_base_url(base_url)}/voila/render/{notebook}{suffix}"


def invite_url(token: str, base_url: str = DEFAULT_BASE_URL) -> str:
    """A person's link to their own values self-assessment."""
    return app_url("values", base_url, token=token)


def loopback_warning(base_url: str) -> str | None:
    """The one-line warning for links that open only on this computer, or None when people can reach them."""
    if not is_loopback_url(base_url):
        return None
    return (f"workbook: warning: these links point at {base_url}, which opens only on this computer; in a "
            "workshop room run workbook serve --lan and use the --base-url it prints; for a hosted server "
            "give --base-url https://...")


def is_loopback_url(base_url: str) -> bool:
    """Whether links with this base open only on the computer serving them (127.0.0.1, ::1, localhost)."""
    import ipaddress

    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
