"""Tokens at rest: making new ones and revealing stored ones for printing.

The database keeps each invite token and facilitator key as two columns: its
SHA-256 (``*_hash``, unique; what ``by_token`` / ``by_facilitator_key`` look
up) and a copy sealed with the secret key of :mod:`workbook.sealing`
(``*_sealed``; None when a database was upgraded where no key could be used).
This module is the only part of the store that holds a token in plain text:
:meth:`Vault.issue` makes one (the caller prints it once) and
:meth:`Vault.reveal` unseals a stored one for ``workbook invites``.  Looking a
link up never comes here and never needs the key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbook.errors import SecretKeyError, StoreError
from workbook.sealing import Sealer
from workbook.store.tables import Organisation, Person
from workbook.tokens import hash_token, new_token

__all__ = ["Issued", "Vault"]


@dataclass(frozen=True, slots=True)
class Issued:
    """A new token, its hash and its sealed copy (the token is left out of ``repr``, so out of logs)."""

    token: str = field(repr=False)
    hash: str
    sealed: str = field(repr=False)


class Vault:
    def __init__(self, sealer: Sealer) -> None:
        self.sealer = sealer
        self._key_checked = False

    def issue(self, session: Session) -> Issued:
        """A fresh token, hashed and sealed for storing."""
        if not self._key_checked:
            self._refuse_a_new_key_for_sealed_links(session)
            self._key_checked = True
        token = new_token()
        return Issued(token=token, hash=hash_token(token), sealed=self.sealer.seal(token))

    def reveal(self, token_hash: str, sealed: str | None) -> str | None:
        """The stored token, or None when only its hash was kept.

        Raises :class:`SecretKeyError` when the key at hand did not seal it,
        and :class:`StoreError` when the unsealed token does not hash to the
        row's hash (a sealed value copied onto another row by hand would
        otherwise print one person's link beside another's name).
        """
        if sealed is None:
            return None
        token = self.sealer.unseal(sealed)
        if hash_token(token) != token_hash:
            raise StoreError("a stored link does not belong to its row (was the database edited by hand?); "
                             "make a new one with `workbook people new-link` / `workbook org new-key`")
        return token

    def _refuse_a_new_key_for_sealed_links(self, session: Session) -> None:
        """Do not invent a key file while the database holds links sealed with another key.

        That is what happens when a database is moved to a machine without its
        key: a new key would seal the new links, the old ones would stay
        sealed with the missing key, and no single key would print them all.
        ``workbook key new`` makes a new key on purpose when the old one is lost.
        """
        source = self.sealer.source
        if source.path is None or source.path.exists():
            return
        sealed = session.scalar(select(Person.token_sealed).where(Person.token_sealed.is_not(None)).limit(1))
        if sealed is None:
            sealed = session.scalar(
                select(Organisation.facilitator_key_sealed)
                .where(Organisation.facilitator_key_sealed.is_not(None)).limit(1)
            )
        if sealed is not None:
            raise SecretKeyError(
                f"no secret key at {source.path}, but this database's links were sealed with one; restore it from "
                "its backup (or set $WORKBOOK_KEY_FILE to it), or if it is lost run `workbook key new` first"
            )
