"""Marks in Redis that say who is alive: each running job, and job workers at all.

A job's mark is refreshed every BEAT seconds while its process runs and expires
RUNNING_TTL seconds after the last refresh, so a job whose worker died is known
to be lost seconds later, not when arq's in-progress key expires (job timeout +
10 s). The worker mark is what `/readyz` reads to say whether any worker has
been seen lately.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

BEAT = 2.0  # seconds between refreshes
RUNNING_TTL = 6.0  # a job's mark outlives its last refresh by this much
WORKER_SEEN_TTL = 30.0  # /readyz says "no worker" this long after the last one beat
WORKER_KEY = "folio:workers:seen"
REDIS_ERRORS = (RedisError, OSError, TimeoutError)


def running_key(processing_id: str) -> str:
    return f"folio:running:{processing_id}"


async def beat_job(redis: Redis, processing_id: str) -> None:
    """Keep the job's mark alive until cancelled; a Redis outage only skips beats."""
    key = running_key(processing_id)
    try:
        while True:
            with contextlib.suppress(*REDIS_ERRORS):
                async with asyncio.timeout(BEAT):
                    await redis.set(key, b"1", px=int(RUNNING_TTL * 1000))
            await asyncio.sleep(BEAT)
    finally:
        # the job is over: drop the mark now rather than let it expire
        with contextlib.suppress(*REDIS_ERRORS):
            async with asyncio.timeout(BEAT):
                await asyncio.shield(redis.delete(key))


async def beat_worker(redis: Redis) -> None:
    while True:
        with contextlib.suppress(*REDIS_ERRORS):
            async with asyncio.timeout(BEAT):
                await redis.set(WORKER_KEY, str(time.time()).encode(),
                                px=int(WORKER_SEEN_TTL * 1000))
        await asyncio.sleep(BEAT)


async def worker_seen(redis: Redis) -> bool:
    """Whether a job worker beat within the last WORKER_SEEN_TTL seconds."""
    return bool(await redis.exists(WORKER_KEY))
