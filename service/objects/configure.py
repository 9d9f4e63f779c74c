"""This process's object store and disk tier, made once from the settings.

Every FileStore of a process shares them, so there is one S3 client (one
connection pool) per process whatever the number of stores built.
"""

from __future__ import annotations

import asyncio
import os
from functools import lru_cache
from pathlib import Path

from service.config import Settings
from service.objects.base import ObjectStore
from service.objects.directory_store import DirectoryStore
from service.objects.disk_tier import DiskTier
from service.objects.s3_store import S3ObjectStore, make_client

TIER = "objects"  # the disk tier's default directory under the data directory


def tier_for(settings: Settings) -> DiskTier:
    return _tier(settings.data_dir, settings.store_url, settings.cache_dir,
                 settings.cache_dir_max_bytes)


@lru_cache(maxsize=8)
def _tier(data_dir: Path, store_url: str | None, cache_dir: Path | None,
          max_bytes: int) -> DiskTier:
    store: ObjectStore = (DirectoryStore(data_dir) if store_url is None
                          else s3_store(store_url))
    return DiskTier(store, cache_dir or data_dir / TIER, max_bytes)


def s3_store(store_url: str) -> S3ObjectStore:
    """The bucket FOLIO_STORE_URL names, reached as the AWS_* variables say."""
    bucket, _, prefix = store_url.removeprefix("s3://").partition("/")
    env = os.environ
    return S3ObjectStore(make_client(
        bucket, prefix, env.get("AWS_ENDPOINT_URL"), env.get("AWS_REGION"),
        env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY"),
        env.get("AWS_ALLOW_HTTP", "").lower() == "true"))


def check_store(settings: Settings) -> str | None:
    """At start: a problem reaching the store, in words naming the setting; None if fine."""
    if settings.store_url is None:
        return None
    try:
        asyncio.run(s3_store(settings.store_url).list_prefix("processings/00/"))
    except Exception as exc:  # any failure at start is a configuration problem
        return (f"FOLIO_STORE_URL={settings.store_url}: the bucket does not answer at "
                f"{os.environ.get('AWS_ENDPOINT_URL') or 'the AWS endpoint'} ({exc})")
    return None
