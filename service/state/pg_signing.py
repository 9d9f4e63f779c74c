"""The deployment's generated signing key in PostgreSQL (FOLIO_SIGNING_KEYS unset):
created once by whichever node asks first, then read by every node — the
database's twin of `access.signing.load_or_create_key`."""

from __future__ import annotations

import secrets
from typing import Any

from service.state.database import Database


async def _load_or_create(conn: Any) -> tuple[str, str]:
    await conn.execute(
        "INSERT INTO signing_key (kid, secret) VALUES ($1, $2) ON CONFLICT (one) DO NOTHING",
        "local-" + secrets.token_hex(3), secrets.token_urlsafe(32))
    row = await conn.fetchrow("SELECT kid, secret FROM signing_key")
    return str(row["kid"]), str(row["secret"])


def signing_key(db: Database) -> tuple[str, str]:
    return db.run(_load_or_create)
