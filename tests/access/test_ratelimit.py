"""Rate limits over HTTP: 429 with Retry-After, per tenant, shared by processes through Redis."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import uuid
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aredis

from service.access.ratelimit import RedisRateLimiter
from tests.helpers import (
    REDIS_URL,
    SpareRedis,
    run_server,
)


def test_rate_limit_is_shared_by_two_processes_through_redis(tmp_path: Path) -> None:
    tenant = "rl-" + uuid.uuid4().hex[:8]
    env = {"FOLIO_REDIS_URL": REDIS_URL, "FOLIO_API_KEYS": f"{tenant}:s3cret-{tenant}",
           "FOLIO_RATE_LIMIT_RPS": "0.01", "FOLIO_RATE_LIMIT_BURST": "6", "FOLIO_JOB_WORKERS": "0"}
    with run_server(tmp_path / "d", env) as one, run_server(tmp_path / "d", env) as two:
        clients = [one.client(f"s3cret-{tenant}"), two.client(f"s3cret-{tenant}")]
        codes = [clients[i % 2].get("/processing/workflows").status_code for i in range(12)]
    assert codes.count(200) == 6
    assert codes.count(429) == 6


def test_rate_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    env = {"FOLIO_API_KEYS": "t:s3cret-t", "FOLIO_RATE_LIMIT_RPS": "0.5",
           "FOLIO_RATE_LIMIT_BURST": "2"}
    with run_server(tmp_path / "d", env) as srv:
        client = srv.client("s3cret-t")
        codes = [client.get("/processing/workflows") for _ in range(3)]
    assert [r.status_code for r in codes] == [200, 200, 429]
    assert codes[2].headers["retry-after"] == "2"
    assert codes[2].headers["cache-control"] == "no-store"
    assert codes[2].json() == {"detail": "Rate limit exceeded."}


def test_rate_limits_are_per_tenant(tmp_path: Path) -> None:
    env = {"FOLIO_API_KEYS": "a:s3cret-a,b:s3cret-b", "FOLIO_RATE_LIMIT_RPS": "0.01",
           "FOLIO_RATE_LIMIT_BURST": "1"}
    with run_server(tmp_path / "d", env) as srv:
        a, b = srv.client("s3cret-a"), srv.client("s3cret-b")
        assert a.get("/processing/workflows").status_code == 200
        assert a.get("/processing/workflows").status_code == 429
        assert b.get("/processing/workflows").status_code == 200


def test_batched_tokens_never_exceed_the_shared_limit(tmp_path: Path) -> None:
    import asyncio

    tenant = "rl-" + uuid.uuid4().hex[:8]
    env = {"FOLIO_REDIS_URL": REDIS_URL, "FOLIO_API_KEYS": f"{tenant}:s3cret-{tenant}",
           "FOLIO_RATE_LIMIT_RPS": "0.01", "FOLIO_RATE_LIMIT_BURST": "100",
           "FOLIO_JOB_WORKERS": "0"}
    with run_server(tmp_path / "d", env) as one, run_server(tmp_path / "d", env) as two:

        async def burst() -> list[int]:
            headers = {"Authorization": f"ApiKey s3cret-{tenant}"}
            async with httpx.AsyncClient(base_url=one.url, headers=headers) as a, \
                    httpx.AsyncClient(base_url=two.url, headers=headers) as b:
                responses = await asyncio.gather(*(
                    (a if i % 2 else b).get("/processing/workflows") for i in range(160)))
            return [r.status_code for r in responses]

        codes = asyncio.run(burst())
    # each process takes 5 tokens at a time: at most 4 can be left unused in each
    assert 92 <= codes.count(200) <= 100
    assert codes.count(429) == 160 - codes.count(200)


async def _stalled_calls(spare: SpareRedis, calls: int) -> list[float]:
    client = aredis.Redis(host="127.0.0.1", port=spare.port)
    limiter = RedisRateLimiter(client, 1000.0, 2000, timeout=0.2)
    assert spare.process is not None
    os.kill(spare.process.pid, signal.SIGSTOP)
    try:
        return [await limiter.retry_after(f"tenant-{n}") for n in range(calls)]
    finally:
        os.kill(spare.process.pid, signal.SIGCONT)
        await client.aclose()


def test_a_stalled_redis_costs_a_few_timeouts_not_one_per_request(
        spare_redis: SpareRedis, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="folio.ratelimit"):
        waits = asyncio.run(_stalled_calls(spare_redis, 30))
    assert waits == [0.0] * 30  # every request went ahead on this process' own bucket
    timeouts = [r for r in caplog.records if "falls back" in r.getMessage()]
    assert len(timeouts) == 3  # then the breaker opened: no more waiting on Redis
