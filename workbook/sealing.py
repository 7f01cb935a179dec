"""The secret key that keeps invite links printable, kept outside the database.

The database holds, for every invite token and facilitator key, its SHA-256
(what the apps look up, see :func:`workbook.tokens.hash_token`) and a copy
*sealed* with Fernet (AES-128-CBC with an HMAC-SHA256, from ``cryptography``)
under a key that never enters the database.  So a copy of the SQLite file or a
PostgreSQL dump opens nobody's link, while ``workbook invites`` can still print
the links again with the key.  Opening a link never needs the key.

Where the key is, in this order:

1. ``$WORKBOOK_SECRET_KEY``: the key itself (for containers and CI secrets);
2. ``$WORKBOOK_KEY_FILE``: a file holding it;
3. otherwise ``$XDG_CONFIG_HOME/workbook/secret.key`` (``~/.config/...``).

A key *file* is created the first time a link is made, readable by its owner
only, in a folder only its owner may enter; a key file others can read is
refused, as ssh refuses such keys.  Setting both variables is refused too: one
place to look is easier to back up than a rule about which one wins.

Losing the key loses only the ability to print the existing links again: the
links already sent keep working (their hashes are in the database), and
``workbook people new-link`` / ``workbook org new-key`` make new ones.

``cryptography`` is imported only when a token is sealed or unsealed, so the
apps' kernels, which only look links up, never pay for it.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workbook.errors import AlreadyExistsError, KeyFileNotWritableError, SecretKeyError
from workbook.settings import KEY_ENV, KEY_FILE_ENV, Settings

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

__all__ = ["KEY_ENV", "KEY_FILE_ENV", "KeySource", "Sealer", "default_key_file"]

_HEADER = (
    "# DIME Workbook secret key. It lets `workbook invites` print invite and facilitator\n"
    "# links again. Back it up somewhere safe and never share it: without it links cannot\n"
    "# be printed again (they keep working; `workbook people new-link` makes new ones).\n"
)
_RENEW = "or make new links with `workbook people new-link` / `workbook org new-key`"
log = logging.getLogger(__name__)


def default_key_file(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/workbook/secret.key``, or ``~/.config/workbook/secret.key``."""
    environ = os.environ if environ is None else environ
    config = environ.get("XDG_CONFIG_HOME", "").strip()
    base = Path(config) if config and Path(config).is_absolute() else Path.home() / ".config"
    return base / "workbook" / "secret.key"


@dataclass(frozen=True, slots=True)
class KeySource:
    """Where the key comes from: the key itself (from the environment) or a file."""

    key: str | None = None
    path: Path | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> KeySource:
        environ = os.environ if environ is None else environ
        settings = Settings.from_environment(environ)
        key, path = settings.key, settings.key_file
        if key and path:
            raise SecretKeyError(f"both ${KEY_ENV} and ${KEY_FILE_ENV} are set; set only one of them")
        if key:
            return cls(key=key)
        return cls(path=Path(path).expanduser() if path else default_key_file(environ))

    @property
    def where(self) -> str:
        """For messages: the variable's name or the file's path (never the key)."""
        return f"${KEY_ENV}" if self.path is None else str(self.path)


class Sealer:
    """Seals tokens for storage and unseals them for printing, with the key from ``source``.

    The key is read (or, for sealing, created) on first use only.
    ``on_create`` is told the path of a key file this object had to create, so
    the command line can tell the user to back it up.
    """

    def __init__(self, source: KeySource | SecretKeyError, *,
                 on_create: Callable[[Path], None] | None = None) -> None:
        self._source = source
        self._on_create = on_create
        self._fernet: Fernet | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None, *,
                         on_create: Callable[[Path], None] | None = None) -> Sealer:
        """The key the environment names; a mistake in it is raised on first use, not here.

        Opening the store (and looking links up) must work whatever the key
        settings, so a kernel never fails for a key it does not need.
        """
        try:
            source: KeySource | SecretKeyError = KeySource.from_environment(environ)
        except SecretKeyError as error:
            source = error
        return cls(source, on_create=on_create)

    @property
    def source(self) -> KeySource:
        if isinstance(self._source, SecretKeyError):
            raise self._source
        return self._source

    @property
    def where(self) -> str:
        return self.source.where

    def seal(self, token: str) -> str:
        """``token`` encrypted and authenticated (URL-safe text, ~140 characters)."""
        return self._key(create=True).encrypt(token.encode("utf-8")).decode("ascii")

    def unseal(self, sealed: str) -> str:
        """The token sealed in ``sealed``; a :class:`SecretKeyError` if this key did not seal it."""
        from cryptography.fernet import InvalidToken

        fernet = self._key(create=False)
        try:
            return fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise SecretKeyError(
                f"the secret key in {self.where} is not the one this database's links were sealed with; "
                f"restore that key from its backup (or point ${KEY_FILE_ENV} at it), {_RENEW}"
            ) from None

    def can_unseal(self, sealed: str) -> bool:
        try:
            self.unseal(sealed)
        except SecretKeyError:
            return False
        return True

    def new_key_file(self) -> Path:
        """Make a new key file on purpose (``workbook key new``), e.g. when the old key is lost.

        Refuses when the key comes from the environment or a key file exists
        already: replacing a key would leave every link sealed with it unprintable.
        """
        path = self.source.path
        if path is None:
            raise SecretKeyError(f"the secret key comes from ${KEY_ENV}; make a new key file only after unsetting it")
        if path.exists():
            raise AlreadyExistsError(
                f"a secret key exists in {path} already; move it away first only if it is not this workbook's key "
                "(links sealed with it could no longer be printed)"
            )
        if not self._create_file(path):
            raise AlreadyExistsError(f"a secret key was just made in {path} by another command; use that one")
        return path

    # --- the key ----------------------------------------------------------------------
    def _key(self, *, create: bool) -> Fernet:
        if self._fernet is None:
            text = self.source.key if self.source.key is not None else self._read_file(create=create)
            self._fernet = self._parse(text)
        return self._fernet

    def _parse(self, text: str) -> Fernet:
        from cryptography.fernet import Fernet

        try:
            return Fernet(text.encode("ascii"))
        except (ValueError, UnicodeError):
            if self.source.path is None:
                raise SecretKeyError(
                    f"${KEY_ENV} does not hold a valid secret key (44 characters, as in a key file); "
                    f"set it to the key of this workbook, or unset it to use a key file"
                ) from None
            raise SecretKeyError(
                f"the secret key file {self.source.path} does not hold a valid key; "
                f"restore it from its backup, {_RENEW}"
            ) from None

    def _read_file(self, *, create: bool) -> str:
        path = self.source.path
        assert path is not None
        if not path.exists():
            if not create:
                raise SecretKeyError(
                    f"no secret key at {path}, so links cannot be printed again here; restore the key file "
                    f"from its backup (or set ${KEY_FILE_ENV} to where it is), {_RENEW}"
                )
            if self._create_file(path):
                self._announce(path)
        try:
            if os.name == "posix" and path.stat().st_mode & 0o077:
                raise SecretKeyError(
                    f"the secret key file {path} can be read by other users; make it private with: chmod 600 {path}"
                )
            lines = path.read_text(encoding="ascii").splitlines()
        except (OSError, UnicodeError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else "not a key file"
            raise SecretKeyError(f"cannot read the secret key file {path}: {reason}") from None
        keys = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
        return keys[0] if len(keys) == 1 else ""

    def _announce(self, path: Path) -> None:
        if self._on_create is not None:
            self._on_create(path)
        else:  # e.g. a kernel upgrading an old database: leave a trace in its log
            log.warning("made a new secret key in %s: back it up, links cannot be printed again without it", path)

    def _create_file(self, path: Path) -> bool:
        """Write a new key to ``path`` atomically; if another process won the race, keep theirs."""
        from cryptography.fernet import Fernet

        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # the mode applies only if made here
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret-key-")  # mode 0600
            try:
                with os.fdopen(handle, "w", encoding="ascii") as out:
                    out.write(_HEADER + Fernet.generate_key().decode("ascii") + "\n")
                    out.flush()
                    os.fsync(out.fileno())
                try:
                    os.link(temporary, path)  # never replaces a key another process just wrote
                except FileExistsError:
                    return False
            finally:
                os.unlink(temporary)
        except OSError as error:
            raise KeyFileNotWritableError(
                f"cannot create the secret key file {path}: {error.strerror or error}; "
                f"set ${KEY_FILE_ENV} to a file in a folder you can write to"
            ) from None
        return True
