"""Behaviour every object store must share, run against the data directory and a
real S3 service (SeaweedFS, started by the `seaweedfs` fixture)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from service.errors import StoreUnavailable
from service.objects.base import ObjectStore
from service.objects.directory_store import DirectoryStore
from service.objects.s3_store import S3ObjectStore, make_client
from tests.objects.seaweed import BUCKET, KEY_ID, SECRET, SeaweedFS

pytestmark = pytest.mark.anyio


def s3_store(endpoint: str, prefix: str) -> S3ObjectStore:
    return S3ObjectStore(make_client(BUCKET, prefix, endpoint, "us-east-1", KEY_ID, SECRET,
                                     allow_http=True))


@pytest.fixture(params=["directory", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path, s3_prefix: str) -> ObjectStore:
    if request.param == "directory":
        return DirectoryStore(tmp_path / "data")
    seaweed: SeaweedFS = request.getfixturevalue("seaweedfs")
    return seaweed.object_store(s3_prefix)


async def test_get_returns_what_put_stored(store: ObjectStore) -> None:
    assert await store.put("processings/ab/x/ocr.json", b'{"pages": []}') is True
    assert await store.get("processings/ab/x/ocr.json") == b'{"pages": []}'


async def test_put_never_replaces_an_object(store: ObjectStore) -> None:
    await store.put("a/b", b"first")
    assert await store.put("a/b", b"second") is False
    assert await store.get("a/b") == b"first"


async def test_put_file_never_replaces_an_object(store: ObjectStore, tmp_path: Path) -> None:
    source = tmp_path / "page.jpg"
    source.write_bytes(b"\xff\xd8 one")
    assert await store.put_file("a/page.jpg", source) is True
    source.write_bytes(b"\xff\xd8 two")
    assert await store.put_file("a/page.jpg", source) is False
    assert await store.get("a/page.jpg") == b"\xff\xd8 one"
    assert source.exists()  # the caller's file stays where it was


async def test_concurrent_creates_leave_one_winner(store: ObjectStore) -> None:
    made = await asyncio.gather(*(store.put("race", b"%d" % i) for i in range(8)))
    assert made.count(True) == 1
    assert await store.get("race") == b"%d" % made.index(True)


async def test_get_of_a_missing_object_is_file_not_found(store: ObjectStore) -> None:
    with pytest.raises(FileNotFoundError):
        await store.get("no/such/object")


async def test_get_range_reads_only_the_range(store: ObjectStore) -> None:
    await store.put("doc.pdf", bytes(range(256)) * 4)
    assert await store.get_range("doc.pdf", 10, 14) == bytes([10, 11, 12, 13])
    assert await store.get_range("doc.pdf", 1020, 1024) == bytes([252, 253, 254, 255])


async def test_get_range_empty_span(store: ObjectStore) -> None:
    await store.put("doc.pdf", b"0123456789")
    assert await store.get_range("doc.pdf", 5, 5) == b""


async def test_head_gives_size_and_a_recent_time(store: ObjectStore) -> None:
    await store.put("x/y.bin", b"12345")
    info = await store.head("x/y.bin")
    assert info is not None
    assert info.size == 5
    assert abs(info.modified - time.time()) < 120


async def test_head_of_a_missing_object_is_none(store: ObjectStore) -> None:
    assert await store.head("x/none") is None


async def test_download_writes_the_whole_object(store: ObjectStore, tmp_path: Path) -> None:
    data = b"page " * 300_000  # larger than one stream chunk
    await store.put("big", data)
    target = tmp_path / "copy"
    info = await store.download("big", target)
    assert target.read_bytes() == data
    assert info.size == len(data)


async def test_download_of_a_missing_object_is_file_not_found(store: ObjectStore,
                                                              tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        await store.download("no/such", tmp_path / "copy")


async def test_empty_object(store: ObjectStore) -> None:
    await store.put("empty", b"")
    assert await store.get("empty") == b""
    info = await store.head("empty")
    assert info is not None and info.size == 0


async def test_list_prefix_names_the_keys_under_it(store: ObjectStore) -> None:
    for key in ("p/1/a", "p/1/b", "p/1/c/d", "p/2/a", "q/1"):
        await store.put(key, b"x")
    assert await store.list_prefix("p/1/") == ["p/1/a", "p/1/b", "p/1/c/d"]
    assert await store.list_prefix("nothing/") == []


async def test_delete_prefix_removes_only_that_prefix(store: ObjectStore) -> None:
    for key in ("p/1/a", "p/1/b", "p/2/a"):
        await store.put(key, b"x")
    assert await store.delete_prefix("p/1/") == 2
    assert await store.list_prefix("p/") == ["p/2/a"]
    with pytest.raises(FileNotFoundError):
        await store.get("p/1/a")


async def test_an_object_deleted_can_be_created_again(store: ObjectStore) -> None:
    await store.put("again/x", b"one")
    await store.delete_prefix("again/")
    assert await store.put("again/x", b"two") is True
    assert await store.get("again/x") == b"two"


async def test_delete_of_an_empty_prefix_is_zero(store: ObjectStore) -> None:
    assert await store.delete_prefix("none/") == 0


async def test_unreachable_store_raises_store_unavailable(tmp_path: Path) -> None:
    store = s3_store("http://127.0.0.1:9", "nowhere")  # nothing listens on the discard port
    with pytest.raises(StoreUnavailable):
        await store.get("a")
    with pytest.raises(StoreUnavailable):
        await store.put("a", b"x")
    with pytest.raises(StoreUnavailable):
        await store.head("a")
