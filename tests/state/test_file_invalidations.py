"""Invalidations between the processes of one machine, through the data directory."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from service.state import file_invalidations
from service.state.channels import PROCESSING
from service.state.file_invalidations import FileInvalidations

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Heard:
    def __init__(self) -> None:
        self.keys: list[str] = []
        self.resyncs = 0

    def forget(self, key: str) -> None:
        self.keys.append(key)

    def resync(self) -> None:
        self.resyncs += 1


async def until(condition: object, seconds: float = 3.0) -> None:
    assert callable(condition)
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.02)


async def test_a_deletion_published_in_one_process_reaches_the_other(tmp_path: Path) -> None:
    here, there = FileInvalidations(tmp_path), FileInvalidations(tmp_path)
    heard_here, heard_there = Heard(), Heard()
    here.subscribe(PROCESSING, heard_here.forget, heard_here.resync)
    there.subscribe(PROCESSING, heard_there.forget, heard_there.resync)
    try:
        await here.publish(PROCESSING, "a")
        assert heard_here.keys == ["a"]  # at once in the publishing process
        await here.publish(PROCESSING, "b")
        await until(lambda: heard_there.keys == ["a", "b"])
        assert heard_there.resyncs == 0
    finally:
        await here.close()
        await there.close()


async def test_what_was_published_before_a_process_started_is_not_replayed(
        tmp_path: Path) -> None:
    early = FileInvalidations(tmp_path)
    await early.publish(PROCESSING, "old")
    late, heard = FileInvalidations(tmp_path), Heard()
    late.subscribe(PROCESSING, heard.forget, heard.resync)
    try:
        await early.publish(PROCESSING, "new")
        await until(lambda: heard.keys == ["new"])
    finally:
        await late.close()


async def test_a_rotated_log_resyncs_the_readers(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(file_invalidations, "ROTATE_BYTES", 10)
    writer, reader, heard = FileInvalidations(tmp_path), FileInvalidations(tmp_path), Heard()
    reader.subscribe(PROCESSING, heard.forget, heard.resync)
    try:
        await writer.publish(PROCESSING, "first-long-enough")
        await until(lambda: heard.keys == ["first-long-enough"])
        await writer.publish(PROCESSING, "second")  # into a new log
        await until(lambda: "second" in heard.keys)
        assert heard.resyncs == 1
    finally:
        await reader.close()
