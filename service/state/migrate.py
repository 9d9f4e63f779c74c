"""Versioned schema migrations: `service/state/migrations/NNNN_name.sql`, in order.

Every `folio serve` and `folio worker` applies what is missing before it starts,
under one advisory lock, so nodes starting together apply each migration once;
`folio migrate` does the same by hand. A migration and its row in
`folio_migrations` commit together, so a failed one leaves nothing half-applied.
"""

from __future__ import annotations

import asyncio
import logging
import re
from importlib import resources
from typing import Any

import asyncpg

from service.state.database import UNREACHABLE

log = logging.getLogger("folio.state")
MIGRATION_LOCK = 0x666F6C696F  # "folio": one advisory lock key for the whole schema
LOCK_WAIT = 300.0  # seconds a node waits for another one's migrations
SETUP_ERRORS: tuple[type[BaseException], ...] = (*UNREACHABLE, asyncpg.PostgresError, ValueError)
_NAME = re.compile(r"(\d{4})_[a-z0-9_]+\.sql")


class DatabaseSetupError(Exception):
    """The database cannot be used at start: the message names the setting."""


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every migration folio ships, oldest first."""
    found = []
    for entry in resources.files("service.state").joinpath("migrations").iterdir():
        match = _NAME.fullmatch(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text()))
    return sorted(found)


async def apply(conn: Any) -> list[str]:
    """Apply the missing migrations on `conn`; the names of those applied."""
    applied: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
    try:
        await conn.execute("CREATE TABLE IF NOT EXISTS folio_migrations ("
                           " version integer PRIMARY KEY, name text NOT NULL,"
                           " applied_at timestamptz NOT NULL DEFAULT now())")
        done = {row["version"] for row in await conn.fetch("SELECT version FROM folio_migrations")}
        known = migrations()
        for version, name, sql in known:
            if version in done:
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute("INSERT INTO folio_migrations (version, name) VALUES ($1, $2)",
                                   version, name)
            log.info("database migration %s applied", name)
            applied.append(name)
        newest = max((v for v, _, _ in known), default=0)
        if any(v > newest for v in done):
            log.warning("the database schema is newer than this folio (migration %s); "
                        "upgrade folio", max(done))
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
    return applied


async def _prepare(url: str, timeout: float) -> list[str]:
    conn = await asyncpg.connect(url, timeout=timeout, command_timeout=LOCK_WAIT)
    try:
        return await apply(conn)
    finally:
        await conn.close()


def prepare(url: str, timeout: float) -> list[str]:
    """Check the database answers and bring its schema up to date (blocking)."""
    try:
        return asyncio.run(_prepare(url, timeout))
    except SETUP_ERRORS as exc:
        reason = str(exc) or type(exc).__name__
        raise DatabaseSetupError(
            f"FOLIO_DATABASE_URL: the database cannot be used ({reason})") from None
