"""Share tokens: read access to one processing's results, as `?token=`, until revoked.

The API's own sharing mechanism, in its shape: a token names one document
(processing id), belongs to the tenant that issued it and is valid through its
`expires_at` day (UTC).

Storage: one file per token, `<data dir>/share-tokens/<sha256 of token>.json`,
written atomically (mode 0600); revoking deletes it. A request reads that one
file, so a revocation is seen by every process sharing the data directory on
its next request. The token itself is kept in the file because the API lists
it again; the file sits next to the documents it opens, so reading it gives
nothing the data directory does not already hold.

With Redis configured a revocation also sets a marker that every process
checks, so it reaches them at once even where a shared volume caches file
metadata (NFS). `last_used_at` lives in a sibling `.used` file, written at most
once a minute per token, so a use never rewrites (or resurrects) the token.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import logging
import os
import secrets
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError

from cache import keys
from service.artifacts.store import atomic_write

log = logging.getLogger("folio.share_tokens")

DIRECTORY = "share-tokens"
USED_EVERY = 60.0  # seconds between two writes of one token's last_used_at
USED_MEMO = 10_000
RECHECK = 1.0  # seconds a process answers from its own last check of a token
FRESH_MEMO = 10_000
REVOKED_KEEP = 24 * 3600  # the Redis marker outlives the token's last day by this much

UNKNOWN = "token-unknown"
EXPIRED = "token-expired"
OTHER_DOCUMENT = "token-other-document"


class TokenRefused(Exception):
    """`reason` labels the metric, `detail` is public."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class ShareToken:
    uuid: str
    token: str
    document_id: str
    tenant_id: str
    expires_at: str  # ISO date; the token works through that day (UTC)
    issuer_user_id: str
    created_at: str

    def expired(self, today: dt.date) -> bool:
        return dt.date.fromisoformat(self.expires_at) < today

    def body(self, last_used_at: str | None) -> dict[str, Any]:
        return {"document_id": self.document_id, "expires_at": self.expires_at,
                "uuid": self.uuid, "tenant_id": self.tenant_id,
                "last_used_at": last_used_at, "token": self.token,
                "issuer_user_id": self.issuer_user_id}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


class ShareTokens:
    def __init__(self, data_dir: Path, redis: Redis | None = None,
                 redis_timeout: float = 0.25) -> None:
        self.directory = Path(data_dir) / DIRECTORY
        self.redis = redis
        self.redis_timeout = redis_timeout
        # token digest → when this process last looked at its .used file
        self._used_checked: dict[str, float] = {}
        # token digest → the token and when this process last checked it in full
        # (file and Redis marker): `check_now` answers from it for RECHECK seconds
        self._fresh: dict[str, tuple[ShareToken, float]] = {}

    def _path(self, digest: str) -> Path:
        return self.directory / f"{digest}.json"

    # -- management (blocking: call in a thread) -----------------------------

    def create(self, tenant: str, document_id: str, expires_at: dt.date,
               issuer: str) -> dict[str, Any]:
        token = ShareToken(
            uuid=str(uuid.uuid4()), token=secrets.token_urlsafe(32), document_id=document_id,
            tenant_id=tenant, expires_at=expires_at.isoformat(), issuer_user_id=issuer,
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        path = self._path(_digest(token.token))
        atomic_write(path, orjson.dumps(asdict(token)))
        os.chmod(path, 0o600)
        return token.body(None)

    def of_tenant(self, tenant: str) -> list[dict[str, Any]]:
        found = []
        for token in self._all():
            if token.tenant_id == tenant:
                found.append((token.created_at, token.body(self._last_used(token))))
        return [body for _, body in sorted(found, key=lambda item: item[0])]

    def stored(self) -> list[ShareToken]:
        """Every token on disk (`folio migrate --import-files`)."""
        return self._all()

    def _all(self) -> list[ShareToken]:
        tokens = []
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return []
        for name in names:
            if name.endswith(".json") and not name.startswith("."):
                token = self._read(self.directory / name)
                if token is not None:
                    tokens.append(token)
        return tokens

    def _remove(self, tenant: str, token_uuid: str) -> ShareToken | None:
        for token in self._all():
            if token.uuid == token_uuid and token.tenant_id == tenant:
                digest = _digest(token.token)
                self._path(digest).unlink(missing_ok=True)
                self._path(digest).with_suffix(".used").unlink(missing_ok=True)
                return token
        return None

    def remove_document(self, document_id: str) -> int:
        """Remove every token of a deleted processing; how many there were."""
        removed = 0
        for token in self._all():
            if token.document_id == document_id:
                digest = _digest(token.token)
                self._path(digest).unlink(missing_ok=True)
                self._path(digest).with_suffix(".used").unlink(missing_ok=True)
                removed += 1
        return removed

    async def revoke(self, tenant: str, token_uuid: str) -> bool:
        """False when the tenant has no token with this uuid."""
        token = await asyncio.to_thread(self._remove, tenant, token_uuid)
        if token is None:
            return False
        self._fresh.pop(_digest(token.token), None)
        if self.redis is not None:
            last_day = dt.datetime.combine(dt.date.fromisoformat(token.expires_at),
                                           dt.time.max, dt.UTC)
            keep = max(1, int(last_day.timestamp() - time.time())) + REVOKED_KEEP
            try:
                async with asyncio.timeout(self.redis_timeout * 4):
                    await self.redis.set(keys.share_token_revoked(token.uuid), b"1", ex=keep)
            except (RedisError, OSError, TimeoutError) as exc:
                # the file is gone already; only other hosts' metadata caches may lag
                log.warning("share token revocation not announced in Redis: %s", exc)
        return True

    # -- the request path ----------------------------------------------------

    def check_now(self, presented: str, processing_id: str) -> ShareToken | None:
        """`check`'s answer without any read, when this process checked the token in
        full less than RECHECK seconds ago and it opens `processing_id`; else None
        (then `check` decides, and refusals are always its own)."""
        digest = _digest(presented)
        found = self._fresh.get(digest)
        if found is None or time.monotonic() - found[1] > RECHECK:
            return None
        token = found[0]
        if token.document_id != processing_id or token.expired(_today()) \
                or not hmac.compare_digest(token.token.encode(), presented.encode()):
            return None
        return token

    async def check(self, presented: str, processing_id: str) -> ShareToken:
        """The token if it opens `processing_id`; raises TokenRefused otherwise."""
        digest = _digest(presented)
        # one small local file, read on the loop like the stat of an artifact:
        # a thread hop would cost more than the read
        token = self._read(self._path(digest))
        if token is None or not hmac.compare_digest(token.token.encode(), presented.encode()):
            raise TokenRefused(UNKNOWN, "The share token is unknown or has been revoked.")
        if token.expired(_today()):
            raise TokenRefused(EXPIRED, "The share token has expired.")
        if token.document_id != processing_id:
            raise TokenRefused(OTHER_DOCUMENT,
                               "The share token does not open this processing.")
        if await self._revoked_in_redis(token.uuid):
            raise TokenRefused(UNKNOWN, "The share token is unknown or has been revoked.")
        await self._touch(digest)
        if len(self._fresh) >= FRESH_MEMO:
            self._fresh.clear()
        self._fresh[digest] = (token, time.monotonic())
        return token

    async def _revoked_in_redis(self, token_uuid: str) -> bool:
        if self.redis is None:
            return False
        try:
            async with asyncio.timeout(self.redis_timeout):
                return bool(await self.redis.exists(keys.share_token_revoked(token_uuid)))
        except (RedisError, OSError, TimeoutError) as exc:
            log.warning("share token revocation check skipped Redis: %s", exc)
            return False

    async def _touch(self, digest: str) -> None:
        now = time.time()
        if now - self._used_checked.get(digest, 0.0) < USED_EVERY:
            return
        if len(self._used_checked) > USED_MEMO:
            self._used_checked.clear()
        self._used_checked[digest] = now
        used = self._path(digest).with_suffix(".used")
        try:
            if now - used.stat().st_mtime < USED_EVERY:
                return  # another process wrote it within the minute
        except FileNotFoundError:
            pass
        stamp = dt.datetime.fromtimestamp(now, dt.UTC).isoformat(timespec="seconds")
        try:
            await asyncio.to_thread(atomic_write, used, stamp.encode())
        except OSError as exc:
            # bookkeeping only: a read-only or full data directory must not refuse the read
            log.warning("share token last use not recorded: %s", exc)

    # -- files ---------------------------------------------------------------

    @staticmethod
    def _read(path: Path) -> ShareToken | None:
        try:
            token = ShareToken(**orjson.loads(path.read_bytes()))
        except FileNotFoundError:
            return None
        except (orjson.JSONDecodeError, TypeError) as exc:
            log.error("damaged share token file %s: %s", path, exc)
            return None
        return token

    def _last_used(self, token: ShareToken) -> str | None:
        try:
            return self._path(_digest(token.token)).with_suffix(".used").read_text() or None
        except FileNotFoundError:
            return None
