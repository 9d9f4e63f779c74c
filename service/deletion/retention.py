"""FOLIO_RETENTION_DAYS: processings finished longer ago than that are deleted, in the
background of `folio serve`, every FOLIO_RETENTION_INTERVAL seconds, by one sweeper
at a time across every node (`sweep_lock`). Each is deleted as DELETE would.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time

from redis.asyncio import Redis

from service.artifacts.record import CorruptRecord
from service.config import Settings
from service.deletion.deleter import Deleter
from service.deletion.sweep_lock import FileLease, RedisLease, SweepLease

log = logging.getLogger("folio.retention")
BATCH = 200  # ids asked of the record store at once
DAY = 86_400.0


class Sweeper:
    def __init__(self, deleter: Deleter, lease: SweepLease, days: float,
                 interval: float) -> None:
        self.deleter = deleter
        self.lease = lease
        self.days = days
        self.interval = interval

    async def run_forever(self) -> None:
        # nodes started together spread their first tries over the interval
        await asyncio.sleep(random.uniform(0, min(self.interval, 60.0)))
        while True:
            try:
                await self.sweep()
            except Exception:
                log.exception("retention sweep failed; trying again in %.0f s",
                              self.interval)
            await asyncio.sleep(self.interval)

    async def sweep(self) -> int:
        """Delete every expired processing, if this process holds the lease; how many."""
        async with self.lease.hold() as held:
            if not held:
                return 0
            return await self._sweep()

    async def _sweep(self) -> int:
        store = self.deleter.store
        before = time.time() - self.days * DAY
        deleted = 0
        refused: set[str] = set()
        while True:
            ids = [i for i in await asyncio.to_thread(store.expired, before, BATCH)
                   if i not in refused]
            if not ids:
                break
            for processing_id in ids:
                if not await self.lease.renew():
                    log.warning("retention lease lost; another node sweeps on")
                    return deleted
                try:
                    record = await asyncio.to_thread(store.load, processing_id)
                    if record is not None:
                        # one purge each (a sweep may delete thousands): an image a
                        # node was rendering just then stays in Redis until its TTL
                        await self.deleter.delete(record, settle=False)
                        deleted += 1
                except (CorruptRecord, OSError) as exc:
                    log.error("retention could not delete %s: %s", processing_id, exc)
                    refused.add(processing_id)
            if len(ids) < BATCH:
                break
        if deleted:
            log.info("retention: %d processings older than %g days deleted", deleted,
                     self.days)
        return deleted


LEASE_MS = 60_000  # renewed after every deletion; a dead sweeper's lease runs out


def sweeper_for(settings: Settings, deleter: Deleter, redis: Redis | None) -> Sweeper | None:
    """The sweeper `folio serve` runs, or None when FOLIO_RETENTION_DAYS is unset."""
    if settings.retention_days is None:
        return None
    lease: SweepLease = (
        RedisLease(redis, LEASE_MS, settings.redis_timeout * 4) if redis is not None
        else FileLease(settings.data_dir / ".retention.lock"))
    return Sweeper(deleter, lease, settings.retention_days, settings.retention_interval)
