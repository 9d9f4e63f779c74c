"""A viewer's burst of tiles for one page decodes the page once, not once per tile."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import pyvips

from service.artifacts.store import FileStore
from service.config import Settings
from service.images import imaging, scaler
from service.images.tiles import tile_for
from service.wire.metrics import Metrics
from tests.helpers import make_processing

A4 = (1819, 2573)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every whole-page decode, recorded; the real libvips decode still runs."""
    calls: list[str] = []
    real = imaging.decode

    def decode(path: str, max_bytes: int) -> Any:
        calls.append(path)
        return real(path, max_bytes)

    monkeypatch.setattr(imaging, "decode", decode)
    return calls


@pytest.fixture
def page_scaler(tmp_path: Path) -> Iterator[tuple[scaler.Scaler, FileStore]]:
    settings = Settings(data_dir=tmp_path, render_threads=2, decoded_cache_bytes=64 << 20)
    store = FileStore(tmp_path)
    made = scaler.Scaler(settings, store, Metrics(), None)
    yield made, store
    made.close()


def test_a_burst_of_tiles_decodes_the_page_once(
        page_scaler: tuple[scaler.Scaler, FileStore], counted: list[str]) -> None:
    made, store = page_scaler
    record = make_processing(store, "acme", workflow="ocr", sizes=[A4])
    path = str(store.artifact(record.processing_id, "pages/1.jpg"))
    regions = [f"{x},{y},1024,1024" for y in (0, 1024, 2048) for x in (0, 1024)]
    tiles = [tile_for(record, 1, (r, "!512,512", "0", "default.png"), 85) for r in regions]

    async def burst() -> list[bytes]:
        first = await made._render(path, tiles[0])  # a first miss: straight from the file
        rest = await asyncio.gather(*(made._render(path, t) for t in tiles[1:]))
        return [first, *rest]

    bodies = asyncio.run(burst())
    assert len(counted) == 1
    assert made.decoded.get(tiles[0].source_key) is not None
    assert not made.decoding
    for body, tile in zip(bodies, tiles, strict=True):
        image = pyvips.Image.new_from_buffer(body, "")
        assert (image.width, image.height) == (tile.plan.out_w, tile.plan.out_h)


def test_a_failed_decode_lets_the_waiters_fail_cleanly(
        page_scaler: tuple[scaler.Scaler, FileStore], counted: list[str]) -> None:
    made, store = page_scaler
    record = make_processing(store, "acme", workflow="ocr", sizes=[A4])
    page = store.artifact(record.processing_id, "pages/1.jpg")
    tiles = [tile_for(record, 1, (f"{x},0,512,512", "max", "0", "default.jpg"), 85)
             for x in (0, 512, 1024)]
    page.write_bytes(page.read_bytes()[:2000])  # truncated after the record was made

    async def burst() -> list[BaseException | bytes]:
        return await asyncio.gather(*(made._render(str(page), t) for t in tiles),
                                    return_exceptions=True)

    results = asyncio.run(burst())
    assert all(isinstance(r, Exception) for r in results)
    assert not made.decoding
