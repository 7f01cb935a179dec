"""Unguessable tokens for invite links and facilitator keys, and their hashes.

A token is 32 random bytes (256 bits) from :mod:`secrets`, written URL-safe.
Anything that does not even look like a token is refused before the database
is asked, so hostile strings never reach a query.

The database never holds a token itself, only :func:`hash_token` of it (for
lookups) and a copy encrypted under a key kept outside the database (for
printing links again, see :mod:`workbook.sealing`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import TypeGuard

__all__ = ["HIDDEN", "TOKEN_BYTES", "hash_token", "hide_tokens", "looks_like_token", "new_token"]

TOKEN_BYTES = 32
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
# A run of 43 URL-safe characters with an upper-case letter or "_" in it: a token
# (all but about 1 in 5 billion have one), never an organisation id (lower case).
_TOKEN_IN_TEXT = re.compile(r"(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*[A-Z_])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")
HIDDEN = "[token hidden]"


def new_token() -> str:
    """A fresh random token (43 URL-safe characters, 256 bits)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def looks_like_token(value: object) -> TypeGuard[str]:
    """True when ``value`` has the shape of a token this module makes."""
    return isinstance(value, str) and bool(_TOKEN.match(value))


def hash_token(token: str) -> str:
    """The SHA-256 of ``token`` as 64 hex digits: what the database stores and looks up.

    A plain, unsalted, fast hash is the right tool here, unlike for passwords.
    Salts and slow hashes (bcrypt, Argon2) exist to stop guessing of *low-entropy*
    secrets that people choose; these tokens are 256 bits from the operating
    system's random source, so trying candidates against a stolen hash is as
    hopeless as guessing the link itself (2**256 tries), and no rainbow table
    can hold them.  Being deterministic without a salt is what lets the apps
    find a row by ``WHERE token_hash = ?`` on a unique index, in one query,
    with no secret at hand.  It also means the database compares hashes, not
    tokens: how long a comparison takes can only tell an attacker about a
    hash, which does not help them find a token.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hide_tokens(text: str) -> str:
    """``text`` with anything shaped like a token replaced, for messages printed or logged.

    Error messages are built from what the user typed (an organisation id, an
    email); someone pasting a link's token in the wrong place must not see it
    echoed into a terminal log or a CI transcript.
    """
    return _TOKEN_IN_TEXT.sub(HIDDEN, text)
