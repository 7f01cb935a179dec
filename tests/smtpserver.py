"""A real SMTP server for the mail tests and benchmark: aiosmtpd on a free loopback port.

:class:`Inbox` is the handler: it keeps every message it accepts, refuses the
recipients named in ``refuse`` with ``550``, and can drop the connection
(close the socket without answering) when chosen messages arrive, to play a
server that goes away mid-run.  :func:`self_signed` makes a certificate for
127.0.0.1 so STARTTLS and implicit TLS can be tested with verification on.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

__all__ = ["Inbox", "Received", "free_port", "self_signed", "smtp_server"]


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage


@dataclass
class Inbox:
    refuse: set[str] = field(default_factory=set)
    #: Drop the connection when the n-th DATA (counting from 1, all connections) arrives.
    drop_at: set[int] = field(default_factory=set)
    #: Answer 421 and close when the n-th DATA arrives (the message is not taken).
    close_at: set[int] = field(default_factory=set)
    keep: bool = True
    received: list[Received] = field(default_factory=list)
    data_seen: int = 0
    count: int = 0

    async def handle_RCPT(self, server: Any, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        self.data_seen += 1
        if self.data_seen in self.drop_at:
            server.transport.abort()  # gone, without a word: a crash or a cut network
            return "451 dropped"
        if self.data_seen in self.close_at:
            server.transport.close()  # after the answer: a server that says it is going away
            return "421 4.3.2 Service shutting down, closing transmission channel"
        self.count += 1
        if self.keep:
            content = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
            parsed = message_from_bytes(content, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            self.received.append(Received(list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1 / localhost, made now (PEM files in ``folder``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "workbook test mail server")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                     x509.IPAddress(IPv4Address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "server.pem", folder / "server.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@contextmanager
def smtp_server(inbox: Inbox, *, tls: tuple[Path, Path] | None = None, implicit_tls: bool = False,
                login: tuple[str, str] | None = None) -> Iterator[int]:
    """Serve ``inbox`` on 127.0.0.1; yields the port.

    ``tls``: a certificate and key, offered through STARTTLS (required before
    any login), or from the first byte with ``implicit_tls``.  ``login``: the
    only user name and password accepted.
    """
    context = None
    if tls is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(tls[0]), str(tls[1]))
    options: dict[str, Any] = {}
    if login is not None:
        def authenticate(server: Any, session: Session, envelope: Envelope, mechanism: str,
                         auth_data: Any) -> AuthResult:
            ok = (isinstance(auth_data, LoginPassword)
                  and (auth_data.login.decode(), auth_data.password.decode()) == login)
            return AuthResult(success=ok, handled=False)  # False: aiosmtpd answers 535 itself

        options.update(authenticator=authenticate, auth_require_tls=tls is not None and not implicit_tls)
    if context is not None and implicit_tls:
        options["ssl_context"] = context
    elif context is not None:
        options.update(tls_context=context, require_starttls=True)
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
