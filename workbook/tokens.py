"""Unguessable tokens for invite links and facilitator keys.

A token is 32 random bytes (256 bits) from :mod:`secrets`, written URL-safe.
Anything that does not even look like a token is refused before the database
is asked, so hostile strings never reach a query.
"""

from __future__ import annotations

import re
import secrets

__all__ = ["TOKEN_BYTES", "looks_like_token", "new_token"]

TOKEN_BYTES = 32
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> str:
    """A fresh random token (43 URL-safe characters, 256 bits)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def looks_like_token(value: object) -> bool:
    """True when ``value`` has the shape of a token this module makes."""
    return isinstance(value, str) and bool(_TOKEN.match(value))
