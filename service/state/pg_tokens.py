"""Share tokens in PostgreSQL (FOLIO_DATABASE_URL): the `share_tokens` table.

A request looks a token up by the SHA-256 of what it presents. A token found is
kept in this process's memory (TOKENS_KEPT at most), so the hot path makes no
database round trip; a revocation or a deleted processing notifies every node,
which drops it from memory within the notification's delay. A token not found
is not remembered: one created on another node works at once. `last_used_at`
is written in the background, at most once a minute per token and process.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import logging
import secrets
import time
import uuid
from collections import OrderedDict
from typing import Any

from service.access.share_tokens import (
    EXPIRED,
    OTHER_DOCUMENT,
    UNKNOWN,
    USED_EVERY,
    ShareToken,
    TokenRefused,
)
from service.errors import StateUnavailable
from service.state.channels import INVALIDATE, TOKEN, payload
from service.state.database import Database
from service.state.invalidation import Invalidations

log = logging.getLogger("folio.share_tokens")
TOKENS_KEPT = 10_000
FIELDS = ("uuid", "token", "document_id", "tenant_id", "expires_at", "issuer_user_id",
          "created_at")
SELECT = f"SELECT {', '.join(FIELDS)}, last_used_at FROM share_tokens"
NOTIFY = f"pg_notify('{INVALIDATE}', '{payload(TOKEN, '')}' || digest)"


def _token(row: Any) -> ShareToken:
    return ShareToken(uuid=str(row["uuid"]), token=row["token"],
                      document_id=row["document_id"], tenant_id=row["tenant_id"],
                      expires_at=row["expires_at"].isoformat(),
                      issuer_user_id=row["issuer_user_id"], created_at=row["created_at"])


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


class PgShareTokens:
    def __init__(self, db: Database, invalidations: Invalidations) -> None:
        self.db = db
        self._kept: OrderedDict[str, ShareToken] = OrderedDict()  # digest → token
        self._used: dict[str, float] = {}  # digest → when last_used_at was written
        self._writes: set[asyncio.Task[None]] = set()
        invalidations.subscribe(TOKEN, self.forget, self._kept.clear)

    def forget(self, digest: str) -> None:
        self._kept.pop(digest, None)

    # -- management (blocking: call in a thread) -----------------------------

    def create(self, tenant: str, document_id: str, expires_at: dt.date,
               issuer: str) -> dict[str, Any]:
        token = ShareToken(
            uuid=str(uuid.uuid4()), token=secrets.token_urlsafe(32), document_id=document_id,
            tenant_id=tenant, expires_at=expires_at.isoformat(), issuer_user_id=issuer,
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        self.db.run(lambda conn: conn.execute(
            "INSERT INTO share_tokens (uuid, digest, token, document_id, tenant_id, expires_at,"
            " issuer_user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            uuid.UUID(token.uuid), token_digest(token.token), token.token, document_id,
            tenant, expires_at, issuer, token.created_at))
        return token.body(None)

    def of_tenant(self, tenant: str) -> list[dict[str, Any]]:
        rows = self.db.run(lambda conn: conn.fetch(
            f"{SELECT} WHERE tenant_id = $1 ORDER BY created_at", tenant), retry=True)
        return [_token(row).body(row["last_used_at"]) for row in rows]

    def remove_document(self, document_id: str) -> int:
        rows = self.db.run(lambda conn: conn.fetch(
            f"WITH d AS (DELETE FROM share_tokens WHERE document_id = $1 RETURNING digest) "
            f"SELECT d.digest, {NOTIFY} FROM d", document_id))
        for row in rows:
            self.forget(row["digest"])
        return len(rows)

    async def revoke(self, tenant: str, token_uuid: str) -> bool:
        try:
            wanted = uuid.UUID(token_uuid)
        except ValueError:
            return False
        row = await self.db.run_async(lambda conn: conn.fetchrow(
            f"WITH d AS (DELETE FROM share_tokens WHERE uuid = $1 AND tenant_id = $2 "
            f"RETURNING digest) SELECT d.digest, {NOTIFY} FROM d", wanted, tenant))
        if row is None:
            return False
        self.forget(row["digest"])
        return True

    # -- the request path ----------------------------------------------------

    def check_now(self, presented: str, processing_id: str) -> ShareToken | None:
        """`check`'s answer without a round trip, for a token this process keeps (a
        revocation or deletion drops it on its notification); else None (`check`)."""
        digest = token_digest(presented)
        token = self._kept.get(digest)
        if token is None or token.document_id != processing_id or token.expired(_today()) \
                or not hmac.compare_digest(token.token.encode(), presented.encode()):
            return None
        self._touch(digest)
        return token

    async def check(self, presented: str, processing_id: str) -> ShareToken:
        digest = token_digest(presented)
        token = self._kept.get(digest)
        if token is None:
            token = await self._fetch(digest)
        if token is None or not hmac.compare_digest(token.token.encode(), presented.encode()):
            raise TokenRefused(UNKNOWN, "The share token is unknown or has been revoked.")
        if token.expired(_today()):
            raise TokenRefused(EXPIRED, "The share token has expired.")
        if token.document_id != processing_id:
            raise TokenRefused(OTHER_DOCUMENT, "The share token does not open this processing.")
        self._touch(digest)
        return token

    async def _fetch(self, digest: str) -> ShareToken | None:
        row = await self.db.run_async(lambda conn: conn.fetchrow(
            f"{SELECT} WHERE digest = $1", digest), retry=True)
        if row is None:
            return None
        token = _token(row)
        self._kept[digest] = token
        if len(self._kept) > TOKENS_KEPT:
            self._kept.popitem(last=False)
        return token

    def _touch(self, digest: str) -> None:
        now = time.time()
        if now - self._used.get(digest, 0.0) < USED_EVERY:
            return
        if len(self._used) > TOKENS_KEPT:
            self._used.clear()
        self._used[digest] = now
        stamp = dt.datetime.fromtimestamp(now, dt.UTC).isoformat(timespec="seconds")
        task = asyncio.get_running_loop().create_task(self._write_used(digest, stamp))
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _write_used(self, digest: str, stamp: str) -> None:
        try:
            await self.db.run_async(lambda conn: conn.execute(
                "UPDATE share_tokens SET last_used_at = $2 WHERE digest = $1", digest, stamp))
        except StateUnavailable:
            # bookkeeping only: never refuses the read it records
            log.warning("share token last use not recorded: the database is unavailable")
        except Exception:
            log.exception("share token last use not recorded")
