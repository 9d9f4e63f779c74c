"""The artifact store's Python API: records, atomic writes, id checks."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from service.artifacts.record import CorruptRecord
from service.artifacts.store import FileStore


def test_record_lifecycle(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    record = store.create("acme", "ocr", parameters={"language": "en"})
    assert store.load(record.processing_id) == record
    assert record.status == "pending"
    assert store.mark_running(record.processing_id).status == "running"
    done = store.succeed(record.processing_id, pages=[(1819, 2573)], results=["ocr"])
    assert done.status == "succeeded" and done.pages == [(1819, 2573)]
    assert done.version != record.version
    assert store.load(record.processing_id) == done


def test_failure_keeps_the_detail(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    record = store.create("acme", "ocr")
    store.fail(record.processing_id, "the PDF is encrypted")
    loaded = store.load(record.processing_id)
    assert loaded is not None and loaded.status == "failed"
    assert loaded.error == "the PDF is encrypted"


def test_directories_are_sharded_by_id_prefix(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    record = store.create("acme", "ocr")
    pid = record.processing_id
    assert (tmp_path / "processings" / pid[:2] / pid / "record.json").is_file()


def test_writes_leave_no_temporary_files(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    record = store.create("acme", "ocr")
    store.write_artifact(record.processing_id, "ocr.json", b'{"pages":[]}', compress=True)
    names = sorted(p.name for p in store.directory(record.processing_id).iterdir())
    assert names == ["ocr.json", "ocr.json.gz", "record.json"]
    gz = store.artifact(record.processing_id, "ocr.json.gz").read_bytes()
    assert gzip.decompress(gz) == b'{"pages":[]}'


@pytest.mark.parametrize("bad", ["../etc", "x", "", "12345678-1234-1234-1234-1234567890AB"])
def test_ids_that_are_not_canonical_uuids_never_build_a_path(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError):
        FileStore(tmp_path).directory(bad)


def test_artifact_names_cannot_escape(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    record = store.create("acme", "ocr")
    with pytest.raises(ValueError):
        store.artifact(record.processing_id, "../../keys.json")


def test_unknown_id_loads_none(tmp_path: Path) -> None:
    assert FileStore(tmp_path).load("6f1c1c36-93a1-4d3c-9e5b-3f2a61f0f0a1") is None


@pytest.mark.parametrize("content", [b"{oops", b"[]", b'{"processing_id": 1}'])
def test_corrupt_record_raises(tmp_path: Path, content: bytes) -> None:
    store = FileStore(tmp_path)
    record = store.create("acme", "ocr")
    (store.directory(record.processing_id) / "record.json").write_bytes(content)
    with pytest.raises(CorruptRecord):
        store.load(record.processing_id)
