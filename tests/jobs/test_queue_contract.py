"""Behaviour both job queues share, run against the embedded directory queue and
arq on a throwaway Redis (like tests/cache/test_contract.py for the caches)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import redis.asyncio as redis

from service.jobs.arq_queue import ARQ_QUEUE, ArqQueue
from service.jobs.embedded import DirectoryQueue
from service.jobs.queue import Queue
from service.jobs.reconcile import OpenJobs
from tests.helpers import SpareRedis

pytestmark = pytest.mark.anyio

Waiting = Callable[[], Awaitable[list[str]]]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["directory", "arq"])
async def queue(request: pytest.FixtureRequest, tmp_path: Path
                ) -> AsyncIterator[tuple[Queue, Waiting]]:
    if request.param == "directory":
        directory = DirectoryQueue(tmp_path)

        async def waiting_files() -> list[str]:
            return sorted(p.name for p in directory.pending.iterdir())

        yield directory, waiting_files
        await directory.close()
        return
    spare = SpareRedis()
    spare.start()
    client = redis.Redis(host="127.0.0.1", port=spare.port)
    arq = ArqQueue(spare.url, OpenJobs(tmp_path))

    async def waiting_jobs() -> list[str]:
        return sorted(j.decode() for j in await client.zrange(ARQ_QUEUE, 0, -1))

    try:
        yield arq, waiting_jobs
    finally:
        await arq.close()
        await client.aclose()
        spare.stop()


async def test_nothing_waits_at_first(queue: tuple[Queue, Waiting]) -> None:
    _, waiting = queue
    assert await waiting() == []


async def test_a_submitted_id_waits(queue: tuple[Queue, Waiting]) -> None:
    q, waiting = queue
    ids = sorted(str(uuid.uuid4()) for _ in range(3))
    for processing_id in ids:
        await q.submit(processing_id)
    assert await waiting() == ids


async def test_submitting_twice_queues_once(queue: tuple[Queue, Waiting]) -> None:
    q, waiting = queue
    processing_id = str(uuid.uuid4())
    await q.submit(processing_id)
    await q.submit(processing_id)
    assert await waiting() == [processing_id]


async def test_close_twice_is_harmless(queue: tuple[Queue, Waiting]) -> None:
    q, _ = queue
    await q.submit(str(uuid.uuid4()))
    await q.close()
    await q.close()
