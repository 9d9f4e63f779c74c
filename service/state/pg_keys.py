"""API keys in PostgreSQL (FOLIO_DATABASE_URL): the `api_keys` table.

`PgKeys` is what `folio keys` edits; a create or revoke notifies every node in
the same statement. The web process never reads the table per request: its key
ring reads a `KeyMirror`, a copy of the table in memory reloaded on every
notification, on every reconnection of the listener and every REFRESH_EVERY
seconds. While the database is down the mirror keeps the keys it has.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from service.access.apikeys import ApiKey, new_key
from service.errors import StateUnavailable
from service.state.channels import INVALIDATE, KEYS, payload
from service.state.database import Database
from service.state.invalidation import Invalidations

log = logging.getLogger("folio.auth")
REFRESH_EVERY = 30.0  # seconds: a safety net under the notifications

SELECT = "SELECT key_id, tenant, digest, created, expires, revoked FROM api_keys ORDER BY created"
NOTIFY = f"pg_notify('{INVALIDATE}', '{payload(KEYS, '')}' || key_id)"


def _key(row: Any) -> ApiKey:
    expires = row["expires"]
    return ApiKey(key_id=row["key_id"], tenant=row["tenant"], digest=row["digest"],
                  created=row["created"].isoformat(),
                  expires=expires.isoformat() if expires else None, revoked=row["revoked"])


async def fetch_keys(conn: Any) -> list[ApiKey]:
    return [_key(row) for row in await conn.fetch(SELECT)]


class PgKeys:
    def __init__(self, db: Database) -> None:
        self.db = db

    def load(self) -> list[ApiKey]:
        return self.db.run(fetch_keys, retry=True)

    def stamp(self) -> object:
        return None  # the CLI reads once; the web reads a KeyMirror

    def create(self, tenant: str, expires: dt.date | None = None) -> tuple[ApiKey, str]:
        key, secret = new_key(tenant, expires)
        self.db.run(lambda conn: conn.execute(
            f"WITH k AS (INSERT INTO api_keys (key_id, tenant, digest, created, expires) "
            f"VALUES ($1, $2, $3, $4, $5) RETURNING key_id) SELECT {NOTIFY} FROM k",
            key.key_id, key.tenant, key.digest, dt.date.fromisoformat(key.created), expires))
        return key, secret

    def revoke(self, key_id: str) -> bool:
        row = self.db.run(lambda conn: conn.fetchrow(
            f"WITH k AS (UPDATE api_keys SET revoked = true WHERE key_id = $1 AND NOT revoked "
            f"RETURNING key_id) SELECT {NOTIFY} FROM k", key_id))
        return row is not None


class KeyMirror:
    """The key table as this process last read it: the key ring's source."""

    def __init__(self, keys: PgKeys, invalidations: Invalidations) -> None:
        self.keys = keys
        self._snapshot: list[ApiKey] = []
        self._generation = 0
        self._refreshing: asyncio.Task[None] | None = None
        self._again = False  # a notification came while a read was on its way
        self._timer: asyncio.Task[None] | None = None
        self.reloaded: list[Callable[[], None]] = []  # told after every reload
        invalidations.subscribe(KEYS, lambda _key_id: self.refresh_soon(), self.refresh_soon)

    def prime(self) -> None:
        """The first read, blocking (at start); a database that is down is tried later."""
        try:
            self._replace(self.keys.load())
        except StateUnavailable:
            log.warning("API keys not loaded yet: the database is unavailable")

    def _replace(self, keys: list[ApiKey]) -> None:
        self._snapshot = keys
        self._generation += 1
        for callback in self.reloaded:
            callback()

    def load(self) -> list[ApiKey]:
        return list(self._snapshot)

    def stamp(self) -> object:
        if self._timer is None:
            self._start_timer()
        return self._generation

    def create(self, tenant: str, expires: dt.date | None = None) -> tuple[ApiKey, str]:
        return self.keys.create(tenant, expires)

    def revoke(self, key_id: str) -> bool:
        return self.keys.revoke(key_id)

    def refresh_soon(self) -> None:
        """Reload in the background (from a notification: never blocks the loop)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = loop.create_task(self._refresh_until_current())
        else:
            # a read already on its way may have started before this change was
            # committed: read once more after it, or the change waits for the timer
            self._again = True

    async def _refresh_until_current(self) -> None:
        while True:
            self._again = False
            await self.refresh()
            if not self._again:
                return

    async def refresh(self) -> None:
        try:
            self._replace(await self.keys.db.run_async(fetch_keys, retry=True))
        except StateUnavailable:
            log.warning("API keys not reloaded: the database is unavailable")

    def _start_timer(self) -> None:
        with contextlib.suppress(RuntimeError):  # no loop: the CLI, or a test
            self._timer = asyncio.get_running_loop().create_task(self._every())

    async def _every(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_EVERY)
            await self.refresh()

    def close(self) -> None:
        for task in (self._refreshing, self._timer):
            if task is not None:
                task.cancel()
