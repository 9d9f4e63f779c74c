"""One contract for every record store: files in the data directory and PostgreSQL."""

from __future__ import annotations

import time
import uuid

import pytest

from service.artifacts.record import FAILED, PENDING, RUNNING, SUCCEEDED
from service.state.record_store import RecordStore


def test_create_then_load_gives_the_same_record(record_store: RecordStore) -> None:
    made = record_store.create("acme", "ocr", parameters={"language": "en"})
    loaded = record_store.load(made.processing_id)
    assert loaded == made
    assert loaded is not None and loaded.status == PENDING
    assert loaded.parameters == {"language": "en"}


def test_create_with_a_given_id(record_store: RecordStore) -> None:
    given = str(uuid.uuid4())
    assert record_store.create("acme", "ocr", processing_id=given).processing_id == given


def test_load_of_an_unknown_id_is_none(record_store: RecordStore) -> None:
    assert record_store.load(str(uuid.uuid4())) is None


def test_load_of_a_malformed_id_is_refused(record_store: RecordStore) -> None:
    with pytest.raises(ValueError):
        record_store.load("../../etc")


def test_mark_running_counts_attempts(record_store: RecordStore) -> None:
    pid = record_store.create("acme", "ocr").processing_id
    record_store.mark_running(pid)
    again = record_store.mark_running(pid)
    assert again.status == RUNNING and again.attempts == 2
    assert record_store.load(pid) == again


def test_succeed_keeps_what_was_produced(record_store: RecordStore) -> None:
    made = record_store.create("acme", "invoice_extraction")
    record_store.mark_running(made.processing_id)
    done = record_store.succeed(made.processing_id, pages=[(1700, 2200), (800, 600)],
                                results=["ocr", "page-images", "sub-pdfs"],
                                sub_pdfs=["sub-pdf-0.pdf"], source_kind="pdf")
    assert done.status == SUCCEEDED and done.done
    assert done.pages == [(1700, 2200), (800, 600)]
    assert done.version != made.version
    assert done.completed_at is not None and done.completed_at >= made.created_at
    assert record_store.load(made.processing_id) == done


def test_fail_keeps_the_detail(record_store: RecordStore) -> None:
    pid = record_store.create("acme", "ocr").processing_id
    failed = record_store.fail(pid, "the PDF is encrypted")
    assert failed.status == FAILED and failed.error == "the PDF is encrypted"
    assert record_store.load(pid) == failed


def test_a_change_to_an_unknown_record_is_a_key_error(record_store: RecordStore) -> None:
    with pytest.raises(KeyError):
        record_store.mark_running(str(uuid.uuid4()))
    with pytest.raises(KeyError):
        record_store.fail(str(uuid.uuid4()), "nothing")


def test_save_round_trips_every_field(record_store: RecordStore) -> None:
    record = record_store.create("acme", "ocr")
    record.source_kind, record.results, record.attempts = "png", ["ocr"], 3
    record_store.save(record)
    assert record_store.load(record.processing_id) == record


def test_running_admits_one_holder_at_a_time(record_store: RecordStore) -> None:
    pid = record_store.create("acme", "ocr").processing_id
    with record_store.running(pid) as first, record_store.running(pid) as second:
        assert (first, second) == (True, False)
    with record_store.running(pid) as later:
        assert later


def test_expired_lists_finished_processings_completed_before(record_store: RecordStore
                                                             ) -> None:
    old = record_store.create("acme", "ocr").processing_id
    record_store.fail(old, "x")
    running = record_store.create("acme", "ocr").processing_id
    record_store.mark_running(running)
    cut = time.time() + 1
    assert record_store.expired(cut) == [old]
    assert record_store.expired(cut - 3600) == []


def test_delete_forgets_the_record(record_store: RecordStore) -> None:
    pid = record_store.create("acme", "ocr").processing_id
    assert record_store.delete(pid)
    assert record_store.load(pid) is None
    assert not record_store.delete(pid)
