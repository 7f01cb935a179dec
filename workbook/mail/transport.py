"""Getting messages out: one SMTP connection for a whole run, or an outbox folder.

:class:`SmtpTransport` opens one connection and reuses it for every message
(a new connection per message would cost a TLS handshake and a login each,
and providers count connections).  When the server drops the connection
(many close after a number of messages, or on a timeout), it reconnects once
and sends the message again; a second drop on the same message stops the run
with a :class:`~workbook.errors.MailServerError`.  A server that refuses one
message (an unknown mailbox: ``550 ...``) raises :class:`MessageRefused` for
that message only, and the connection carries on.

:class:`OutboxTransport` writes each message as an ``.eml`` file instead (for
``--dry-run --outbox DIR``): open one in a mail program to proof-read it.
"""

from __future__ import annotations

import contextlib
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from email import policy
from email.message import Message
from email.utils import getaddresses
from pathlib import Path
from typing import Protocol

from workbook.errors import InputError, MailServerError
from workbook.mail.settings import SmtpSettings

__all__ = ["DiscardTransport", "MessageRefused", "OutboxTransport", "SmtpTransport", "Transport"]

_TIMEOUT_SECONDS = 60.0
#: "Service not available, closing transmission channel": a drop announced, not a refusal.
_CLOSING = 421
_EML = policy.compat32.clone(linesep="\r\n")  # the classic policy the messages are built with, CRLF as sent
_UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9._@+-]+")


class MessageRefused(Exception):
    """The server refused this one message; ``reason`` is its answer, e.g. ``550 5.1.1 no such user``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Transport(Protocol):
    def send(self, message: Message) -> None:
        """Deliver ``message`` or raise :class:`MessageRefused` (that message) / MailServerError (the run)."""

    def close(self) -> None:
        """Let go of the connection or folder."""


def _answer(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(words.split())}".strip()


class SmtpTransport:
    """One SMTP connection for a run; see the module's notes.  ``warn`` hears about plain-text relays."""

    def __init__(self, settings: SmtpSettings, *, warn: Callable[[str], None] = lambda _m: None,
                 timeout: float = _TIMEOUT_SECONDS) -> None:
        self.settings = settings
        self.reconnects = 0
        self._warn = warn
        self._timeout = timeout
        self._client: smtplib.SMTP | None = None
        self._warned = False

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.settings.cafile is not None:
            try:
                context.load_verify_locations(cafile=str(self.settings.cafile))
            except (ssl.SSLError, OSError):
                raise InputError(f"--smtp-cafile {self.settings.cafile} is not a PEM certificate; give the mail "
                                 "server's certificate (a file beginning -----BEGIN CERTIFICATE-----)") from None
        return context

    def open(self) -> None:
        """Connect, secure and log in; every problem is one :class:`MailServerError` line."""
        s = self.settings
        # The local host name, not getfqdn(): that asks DNS, which hangs for seconds offline.
        local = socket.gethostname() or "localhost"
        client: smtplib.SMTP | None = None
        try:
            if s.security == "tls":
                client = smtplib.SMTP_SSL(s.host, s.port, local_hostname=local, timeout=self._timeout,
                                          context=self._context())
            else:
                client = smtplib.SMTP(s.host, s.port, local_hostname=local, timeout=self._timeout)
                client.ehlo()
                if client.has_extn("starttls"):
                    client.starttls(context=self._context())
                    client.ehlo()
                elif s.username:
                    raise MailServerError(
                        f"the mail server {s.shown} does not offer STARTTLS, so the password would travel "
                        "unencrypted; use its smtps:// address, or a relay that needs no login")
                elif not self._warned:
                    self._warned = True
                    self._warn(f"the mail server {s.shown} does not offer STARTTLS: messages (with their links) "
                               "go to it unencrypted, which is only fine for a relay on this machine or network")
            if s.username:
                client.login(s.username, s.password or "")
        except ssl.SSLCertVerificationError as error:
            _quietly_close(client)
            raise MailServerError(
                f"the certificate of the mail server {s.shown} could not be verified ({error.verify_message}); "
                "if it is the server's own self-signed certificate, trust it with --smtp-cafile FILE") from None
        except smtplib.SMTPAuthenticationError as error:
            _quietly_close(client)
            raise MailServerError(f"the mail server {s.shown} refused the user name or password "
                                  f"({_answer(error.smtp_code, error.smtp_error)})") from None
        except smtplib.SMTPNotSupportedError:
            _quietly_close(client)
            raise MailServerError(f"the mail server {s.shown} does not accept a login; leave the user name and "
                                  "password out of the URL if it is an open relay") from None
        except (OSError, smtplib.SMTPException) as error:
            _quietly_close(client)
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error) or type(
                error).__name__
            raise MailServerError(f"cannot use the mail server {s.shown}: {' '.join(reason.split())}") from None
        self._client = client

    def send(self, message: Message) -> None:
        for attempt in (1, 2):
            if self._client is None:
                self.open()
            assert self._client is not None
            try:
                self._client.send_message(message)
                return
            except smtplib.SMTPRecipientsRefused as error:
                code, text = next(iter(error.recipients.values()))
                if code != _CLOSING:
                    raise MessageRefused(_answer(code, text)) from None
                dropped: Exception = error
            except smtplib.SMTPResponseException as error:  # sender or data refused
                if error.smtp_code != _CLOSING:
                    raise MessageRefused(_answer(error.smtp_code, error.smtp_error)) from None
                dropped = error
            except (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError) as error:
                dropped = error
            _quietly_close(self._client)
            self._client = None
            if attempt == 2:
                raise MailServerError(
                    f"the mail server {self.settings.shown} closed the connection twice while taking one "
                    f"message ({_why(dropped)}); run the same command again to carry on") from None
            self.reconnects += 1

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.quit()
            except (OSError, smtplib.SMTPException):
                _quietly_close(self._client)
            self._client = None


def _why(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        return _answer(error.smtp_code, error.smtp_error)
    return type(error).__name__


def _quietly_close(client: smtplib.SMTP | None) -> None:
    if client is not None:
        with contextlib.suppress(OSError):
            client.close()


class OutboxTransport:
    """Writes each message to ``folder`` as ``NNNN-address.eml`` (readable by the owner only: links are personal)."""

    def __init__(self, folder: Path) -> None:
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except FileExistsError:
            raise InputError(f"--outbox {folder} is a file; give a folder for the .eml files") from None
        except OSError as error:
            raise InputError(f"--outbox {folder}: cannot create the folder ({error.strerror})") from None
        except ValueError:  # a NUL in the name
            raise InputError("--outbox: a folder name cannot hold a NUL character") from None
        if any(folder.glob("*.eml")):  # numbered names: an earlier run's files would mix with these
            raise InputError(f"--outbox {folder} already holds .eml files; empty it or name a new folder")
        self.folder = folder
        self.written: list[Path] = []

    def send(self, message: Message) -> None:
        address = _UNSAFE_IN_FILE_NAME.sub("_", getaddresses([str(message["To"])])[0][1])[:80]
        path = self.folder / f"{len(self.written) + 1:04d}-{address}.eml"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(message.as_bytes(policy=_EML))
        self.written.append(path)

    def close(self) -> None:
        """Nothing to let go of."""


class DiscardTransport:
    """Composes and drops each message: ``--dry-run`` without an outbox shows who would get what."""

    def __init__(self) -> None:
        self.count = 0

    def send(self, message: Message) -> None:
        self.count += 1

    def close(self) -> None:
        """Nothing to let go of."""
