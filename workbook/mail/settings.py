"""Which mail server to use and how: the ``--smtp`` URL, read once and checked.

Three forms, as providers document them::

    smtp://user:pass@host:587    STARTTLS (required when a user name is given)
    smtps://user:pass@host:465   TLS from the first byte ("implicit TLS")
    smtp://host:25               no login, for a relay on this machine or network

User name and password are URL-encoded (``%40`` for ``@``).  The password
never leaves :class:`SmtpSettings` as text: its ``repr`` hides it and
:attr:`SmtpSettings.shown` (what messages print) leaves it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from workbook.errors import InputError

__all__ = ["SMTP_ENV_VAR", "Security", "SmtpSettings", "parse_smtp_url"]

SMTP_ENV_VAR = "WORKBOOK_SMTP"
Security = Literal["starttls", "tls"]
_DEFAULT_PORTS = {"smtp": 587, "smtps": 465}
_EXAMPLE = "smtp://user:password@mail.example.org:587, smtps://user:password@mail.example.org or smtp://localhost:25"


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """A mail server to send through.

    ``security`` is ``"tls"`` for ``smtps://`` and ``"starttls"`` for
    ``smtp://``: STARTTLS is used whenever the server offers it, and is
    required when a password would be sent.  ``cafile`` adds a certificate to
    trust (a server's own self-signed one); verification is never turned off.
    """

    host: str
    port: int
    security: Security
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    cafile: Path | None = None

    @property
    def shown(self) -> str:
        """The server as messages name it: scheme, user and address, never the password."""
        scheme = "smtps" if self.security == "tls" else "smtp"
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"


def parse_smtp_url(url: str, *, cafile: str | None = None) -> SmtpSettings:
    """Read an ``smtp://`` or ``smtps://`` URL; a malformed one is an :class:`InputError`.

    The message never repeats the URL as typed: it may hold the password.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
        host = parts.hostname
    except ValueError:
        raise InputError(f"the mail server URL (--smtp or ${SMTP_ENV_VAR}) is malformed; write it like "
                         f"{_EXAMPLE}") from None
    if parts.scheme not in _DEFAULT_PORTS:
        raise InputError(f"the mail server URL (--smtp or ${SMTP_ENV_VAR}) must start with smtp:// or smtps://, "
                         f"e.g. {_EXAMPLE}")
    if not host or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise InputError(f"the mail server URL (--smtp or ${SMTP_ENV_VAR}) needs a host and nothing after it, "
                         f"e.g. {_EXAMPLE}")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if password is not None and not username:
        raise InputError(f"the mail server URL (--smtp or ${SMTP_ENV_VAR}) has a password but no user name")
    ca_path = None
    if cafile is not None:
        ca_path = Path(cafile).expanduser()
        try:
            found = ca_path.is_file()
        except (OSError, ValueError):  # a name too long, or with a NUL in it
            found = False
        if not found:
            raise InputError(f"--smtp-cafile {ca_path}: no such file; give the mail server's certificate (PEM)")
    security: Security = "tls" if parts.scheme == "smtps" else "starttls"
    return SmtpSettings(host=host, port=port or _DEFAULT_PORTS[parts.scheme], security=security,
                        username=username, password=password, cafile=ca_path)
