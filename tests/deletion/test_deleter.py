"""The deleter against a render under way: nothing of a deleted processing is cached."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aredis

from cache import keys
from service.config import Settings
from service.deletion import deleter as deleter_module
from service.errors import NotFound
from service.images.scaler import ScaleParams, cache_prefix
from service.web.context import Services
from tests.conftest import TENANT_A
from tests.helpers import REDIS_URL, make_processing

pytestmark = pytest.mark.anyio
CACHE_URL = REDIS_URL.rsplit("/", 1)[0] + "/14"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    svc = Services.build(Settings(data_dir=tmp_path, redis_cache_url=CACHE_URL))
    yield svc
    await svc.close()


async def cached(processing_id: str) -> list[bytes]:
    client = aredis.Redis.from_url(CACHE_URL)
    try:
        return [k async for k in client.scan_iter(
            match=keys.entries_under(cache_prefix(processing_id)))]
    finally:
        await client.aclose()


async def test_a_render_under_way_when_its_processing_is_deleted_is_not_cached(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    record = make_processing(services.store, TENANT_A[0])
    scaler = services.scaler
    variant = scaler.resolve(record, 1, ScaleParams(20, None, "jpeg", None))
    rendering, release = asyncio.Event(), asyncio.Event()
    real_render = scaler._render

    async def slow_render(path: str, what: object) -> bytes:
        body = await real_render(path, variant)
        rendering.set()  # drawn; the deletion comes before it is cached
        await release.wait()
        return body

    monkeypatch.setattr(scaler, "_render", slow_render)
    render = asyncio.create_task(scaler.image(variant))
    await rendering.wait()
    await services.deleter.delete(record, settle=False)
    release.set()
    with pytest.raises(NotFound):
        await render
    assert scaler.memory.get_nowait(variant.key) is None
    assert await cached(record.processing_id) == []


async def test_the_shared_tier_is_purged_again_once_every_node_has_heard(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deleter_module, "SETTLE", 0.2)
    record = make_processing(services.store, TENANT_A[0])
    await services.deleter.delete(record)
    # another node's render that finished after the first purge
    assert services.scaler.cache.l2 is not None
    await services.scaler.cache.l2.set(f"{cache_prefix(record.processing_id)}v:late", b"x")
    assert await cached(record.processing_id) != []
    await asyncio.sleep(0.5)
    assert await cached(record.processing_id) == []
