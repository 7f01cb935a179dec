"""Invite tokens and facilitator keys are stored hashed and sealed, never in plain text.

Before this revision whoever held a copy of the database held every link
(issue #11, part 6).  Each token now becomes its SHA-256 (what the apps look
up, so every link already sent keeps working) plus a copy sealed with the
secret key kept outside the database (see ``workbook.sealing``), so
``workbook invites`` can still print the links.  Where no key can be used (it
cannot be read or created), only the hash is kept: the links still work, and
``workbook invites`` says they must be renewed to be printed again.

The plain column is overwritten with the hash and renamed (``token`` ->
``token_hash``, ``facilitator_key`` -> ``facilitator_key_hash``) instead of
being dropped: on SQLite dropping a UNIQUE column means rebuilding the table,
and dropping ``people`` while foreign keys are on would cascade-delete every
answer.  The unique constraints keep their first names for the same reason.
On SQLite ``secure_delete`` is on while the tokens are overwritten, so the
plain values are zeroed in the file rather than left in freed space.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import hashlib
import logging

import sqlalchemy as sa
from alembic import context, op

from workbook.errors import KeyFileNotWritableError, SecretKeyError
from workbook.sealing import Sealer

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

log = logging.getLogger("workbook.store.migrations")

#: (table, plain column, hash column, sealed column)
_COLUMNS = (
    ("people", "token", "token_hash", "token_sealed"),
    ("organisations", "facilitator_key", "facilitator_key_hash", "facilitator_key_sealed"),
)


def _sealer() -> Sealer | None:
    """The key to seal with, or None (hash only) when no key exists and none can be made here.

    Only that case goes on with hashes only (the links keep working; ``invites``
    then says how to renew them).  A key that is set up wrongly (both settings,
    a file others can read, a damaged or wrong key) stops the upgrade, leaving
    the database as it was: going on would throw away the printable links for
    a mistake that takes a minute to fix.
    """
    sealer: Sealer | None = context.config.attributes.get("sealer")
    try:
        sealer = sealer or Sealer.from_environment()
        sealer.seal("check")  # reads the key, or creates the key file as any first use does
    except KeyFileNotWritableError as error:
        log.warning("invite links kept as hashes only, they cannot be printed again until renewed: %s", error)
        return None
    except SecretKeyError as error:
        raise SecretKeyError(f"the database was not upgraded (nothing changed): {error}") from None
    return sealer


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("PRAGMA secure_delete = ON")
    sealer: Sealer | None = None
    looked_for_key = False
    for table_name, plain, hashed, sealed in _COLUMNS:
        op.add_column(table_name, sa.Column(sealed, sa.String(length=255), nullable=True))
        table = sa.table(table_name, sa.column("id"), sa.column(plain), sa.column(sealed))
        rows = bind.execute(sa.select(table.c.id, table.c[plain])).all()
        if rows:
            if not looked_for_key:  # a new, empty database makes no key file
                sealer, looked_for_key = _sealer(), True
            bind.execute(
                table.update().where(table.c.id == sa.bindparam("row_id"))
                .values({plain: sa.bindparam("new_hash"), sealed: sa.bindparam("new_sealed")}),
                [
                    {"row_id": row_id, "new_hash": hashlib.sha256(token.encode("utf-8")).hexdigest(),
                     "new_sealed": sealer.seal(token) if sealer else None}
                    for row_id, token in rows
                ],
            )
        op.execute(f"ALTER TABLE {table_name} RENAME COLUMN {plain} TO {hashed}")


def downgrade() -> None:
    """Not possible: the plain tokens are gone by design (they were the weakness)."""
    raise NotImplementedError("revision 0005 cannot be undone: the database no longer holds plain tokens")
