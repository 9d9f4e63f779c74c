"""The object store on any S3-compatible service, through obstore.

One client per process (`configure.py` makes it once): it keeps its connection
pool, and a client made per request costs a TLS handshake and a credentials
lookup every time. Retries are few and short: a reader waiting on a store that
is down should hear 503 in seconds, not after a minute of backoff. Library
errors are translated here and nowhere else: a missing object is
FileNotFoundError, everything else that fails is `StoreUnavailable`.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import obstore
from obstore.exceptions import AlreadyExistsError, BaseError
from obstore.store import S3Store

from service.errors import StoreUnavailable
from service.objects.base import ObjectInfo

log = logging.getLogger("folio.objects")

CONNECT_TIMEOUT = "2s"
REQUEST_TIMEOUT = "60s"  # a whole request, a large original's download included
CHUNK = 1024 * 1024


def make_client(bucket: str, prefix: str, endpoint: str | None, region: str | None,
                key_id: str | None, secret: str | None, allow_http: bool) -> S3Store:
    options: dict[str, object] = {}
    if endpoint:
        options["endpoint"] = endpoint
        # a custom endpoint (SeaweedFS, MinIO, Ceph) answers path-style requests
        options["virtual_hosted_style_request"] = False
    if region:
        options["region"] = region
    if key_id and secret:
        options["access_key_id"] = key_id
        options["secret_access_key"] = secret
    return S3Store(
        bucket, prefix=prefix or None,
        client_options={"allow_http": allow_http, "connect_timeout": CONNECT_TIMEOUT,
                        "timeout": REQUEST_TIMEOUT},
        retry_config={"max_retries": 2, "retry_timeout": timedelta(seconds=5),
                      "backoff": {"init_backoff": timedelta(milliseconds=100),
                                  "max_backoff": timedelta(seconds=1), "base": 2}},
        **options,  # type: ignore[arg-type]
    )


@asynccontextmanager
async def _translated(key: str) -> AsyncIterator[None]:
    try:
        yield
    except FileNotFoundError:
        raise
    except (BaseError, OSError) as exc:
        log.warning("object store: %s: %s", key, str(exc).splitlines()[0][:300])
        raise StoreUnavailable() from None


class S3ObjectStore:
    def __init__(self, client: S3Store) -> None:
        self.client = client

    def local_path(self, key: str) -> Path | None:
        return None

    async def get(self, key: str) -> bytes:
        async with _translated(key):
            result = await obstore.get_async(self.client, key)
            return bytes(await result.bytes_async())

    async def get_range(self, key: str, start: int, end: int) -> bytes:
        if end <= start:
            return b""
        async with _translated(key):
            return bytes(await obstore.get_range_async(self.client, key, start=start, end=end))

    async def head(self, key: str) -> ObjectInfo | None:
        async with _translated(key):
            try:
                meta = await obstore.head_async(self.client, key)
            except FileNotFoundError:
                return None
            return ObjectInfo(meta["size"], meta["last_modified"].timestamp())

    async def download(self, key: str, target: Path) -> ObjectInfo:
        async with _translated(key):
            result = await obstore.get_async(self.client, key)
            meta = result.meta
            with open(target, "wb") as out:
                async for chunk in result.stream(min_chunk_size=CHUNK):
                    await asyncio.to_thread(out.write, chunk)
            if await asyncio.to_thread(os.path.getsize, target) != meta["size"]:
                raise StoreUnavailable()  # the connection broke mid-body
            return ObjectInfo(meta["size"], meta["last_modified"].timestamp())

    async def put(self, key: str, data: bytes) -> bool:
        return await self._create(key, data)

    async def put_file(self, key: str, source: Path) -> bool:
        return await self._create(key, Path(source))

    async def _create(self, key: str, body: bytes | Path) -> bool:
        async with _translated(key):
            try:
                # mode "create" is one conditional PUT (If-None-Match: *): the object
                # appears whole or not at all, and an existing one is never replaced
                await obstore.put_async(self.client, key, body, mode="create")
            except AlreadyExistsError:
                return False
            return True

    async def list_prefix(self, prefix: str) -> list[str]:
        async with _translated(prefix):
            keys: list[str] = []
            async for batch in obstore.list(self.client, prefix=prefix, chunk_size=1000):
                keys.extend(meta["path"] for meta in batch)
            return sorted(keys)

    async def delete_prefix(self, prefix: str) -> int:
        keys = await self.list_prefix(prefix)
        async with _translated(prefix):
            for start in range(0, len(keys), 1000):
                await obstore.delete_async(self.client, keys[start:start + 1000])
        return len(keys)
