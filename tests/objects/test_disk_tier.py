"""The disk tier: copies of a remote store's objects on first use, bounded, least
recently used out; new objects staged and uploaded whole or not at all."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path

import pytest

from service.errors import StoreUnavailable
from service.objects.base import ObjectInfo
from service.objects.directory_store import DirectoryStore
from service.objects.disk_tier import DiskTier
from tests.objects.seaweed import SeaweedFS
from tests.objects.test_contract import s3_store


@pytest.fixture
def remote(seaweedfs: SeaweedFS, s3_prefix: str, tmp_path: Path) -> DiskTier:
    return DiskTier(s3_store(seaweedfs.endpoint, s3_prefix), tmp_path / "tier", 10_000)


def put(tier: DiskTier, key: str, data: bytes) -> None:
    asyncio.run(tier.store.put(key, data))


def test_first_use_copies_the_object(remote: DiskTier) -> None:
    put(remote, "p/a.json", b"{}")
    assert remote.present("p/a.json") is None
    path = remote.fetch_blocking("p/a.json")
    assert path.read_bytes() == b"{}"
    assert remote.present("p/a.json") == path


def test_the_copy_carries_the_store_time(remote: DiskTier) -> None:
    put(remote, "p/a.json", b"{}")
    info = asyncio.run(remote.store.head("p/a.json"))
    assert info is not None
    assert os.stat(remote.fetch_blocking("p/a.json")).st_mtime == pytest.approx(info.modified)


def test_a_wiped_tier_copies_again(remote: DiskTier) -> None:
    put(remote, "p/a.json", b"{}")
    remote.fetch_blocking("p/a.json")
    shutil.rmtree(remote.root)
    assert remote.fetch_blocking("p/a.json").read_bytes() == b"{}"


def test_a_missing_object_is_file_not_found(remote: DiskTier) -> None:
    with pytest.raises(FileNotFoundError):
        remote.fetch_blocking("p/none")


def test_the_bound_evicts_the_least_recently_used(remote: DiskTier) -> None:
    for name in "abcd":
        put(remote, f"p/{name}", name.encode() * 3000)
    for name in "abc":
        os.utime(remote.fetch_blocking(f"p/{name}"), (time.time() - 1000 + ord(name), 0))
    remote.fetch_blocking("p/d")  # 12,000 bytes > 10,000: down to 9,000 (LOW_WATER)
    assert remote.present("p/a") is None
    assert all(remote.present(f"p/{n}") is not None for n in "bcd")


def test_blocking_fetch_on_an_event_loop_is_refused(remote: DiskTier) -> None:
    put(remote, "p/a", b"x")

    async def on_the_loop() -> None:
        remote.fetch_blocking("p/a")

    with pytest.raises(RuntimeError):
        asyncio.run(on_the_loop())


def test_staged_objects_are_readable_before_the_flush(remote: DiskTier) -> None:
    remote.stage("p/", "p/new.json", b"[1]")
    path = remote.present("p/new.json")
    assert path is not None and path.read_bytes() == b"[1]"
    assert asyncio.run(remote.store.head("p/new.json")) is None


def test_flush_uploads_then_keeps_the_copy(remote: DiskTier, tmp_path: Path) -> None:
    page = tmp_path / "1.jpg"
    page.write_bytes(b"\xff\xd8page")
    remote.stage("p/", "p/pages/1.jpg", page)
    remote.stage("p/", "p/ocr.json", b"{}")
    remote.flush("p/")
    assert asyncio.run(remote.store.get("p/pages/1.jpg")) == b"\xff\xd8page"
    assert remote.present("p/ocr.json") == remote.path("p/ocr.json")
    assert not page.exists()


def test_a_failed_flush_leaves_nothing(tmp_path: Path) -> None:
    down = DiskTier(s3_store("http://127.0.0.1:9", "x"), tmp_path / "tier", 10_000)
    down.stage("p/", "p/ocr.json", b"{}")
    with pytest.raises(StoreUnavailable):
        down.flush("p/")
    assert down.present("p/ocr.json") is None
    assert [p for p in (tmp_path / "tier").rglob("*") if p.is_file()] == []


def test_the_data_directory_is_used_in_place(tmp_path: Path) -> None:
    local = DiskTier(DirectoryStore(tmp_path), tmp_path / "tier", 0)
    assert local.in_place
    path = local.fetch_blocking("processings/ab/x/ocr.json")
    assert path == tmp_path / "processings" / "ab" / "x" / "ocr.json"
    assert not (tmp_path / "tier").exists()


def test_drop_forgets_the_copies_of_a_prefix(remote: DiskTier) -> None:
    for key in ("p/1/a", "p/1/b", "p/2/a"):
        put(remote, key, b"x")
        remote.fetch_blocking(key)
    remote.drop("p/1/")
    assert remote.present("p/1/a") is None and remote.present("p/1/b") is None
    assert remote.present("p/2/a") is not None
    remote.drop("p/9/")  # nothing there: nothing to do


def test_readers_at_once_share_one_copy(remote: DiskTier) -> None:
    put(remote, "p/a", b"x" * 5000)
    downloads = 0
    download = remote.store.download

    async def counted(key: str, target: Path) -> ObjectInfo:
        nonlocal downloads
        downloads += 1
        return await download(key, target)

    remote.store.download = counted  # type: ignore[method-assign]

    async def readers() -> list[Path]:
        return await asyncio.gather(*(remote.fetch("p/a") for _ in range(10)))

    paths = asyncio.run(readers())
    assert downloads == 1
    assert {p.read_bytes() for p in paths} == {b"x" * 5000}


def test_a_killed_process_leftovers_go_once_stale(remote: DiskTier) -> None:
    put(remote, "p/a", b"x")
    directory = remote.path("p/a").parent
    directory.mkdir(parents=True)
    old_staged = directory / ".b.1234.staged"
    old_scratch = directory / ".scratch-1234"
    fresh_staged = directory / ".c.5678.staged"
    old_staged.write_bytes(b"half")
    old_scratch.mkdir()
    (old_scratch / "page.jpg").write_bytes(b"x")
    fresh_staged.write_bytes(b"under way")
    long_ago = time.time() - 7 * 3600
    for path in (old_staged, old_scratch):
        os.utime(path, (long_ago, long_ago))
    remote.fetch_blocking("p/a")  # the first copy scans the tier
    assert not old_staged.exists() and not old_scratch.exists()
    assert fresh_staged.exists()


def test_an_object_already_stored_keeps_the_store_bytes(remote: DiskTier) -> None:
    put(remote, "p/ocr.json", b"earlier attempt")
    remote.stage("p/", "p/ocr.json", b"this attempt")
    remote.stage("p/", "p/hocr.html", b"new")
    remote.flush("p/")
    assert remote.fetch_blocking("p/ocr.json").read_bytes() == b"earlier attempt"
    assert remote.fetch_blocking("p/hocr.html").read_bytes() == b"new"
    assert not [p for p in remote.root.rglob(".*") if p.is_file()]
