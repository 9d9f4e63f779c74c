"""Long-poll: `wait_for` wakes when the record changes and times out with 202."""

from __future__ import annotations

import threading
import time

from service.artifacts.store import FileStore
from tests.helpers import (
    Server,
    make_processing,
)


def test_long_poll_wakes_when_the_record_changes(server: Server) -> None:
    record = make_processing(server.store, "acme", status="running")
    store = FileStore(server.data_dir)

    def finish() -> None:
        time.sleep(0.5)
        done = make_processing(store, "acme")
        # move the finished artifacts under the waiting id, then flip its record
        src, dst = store.directory(done.processing_id), store.directory(record.processing_id)
        for path in src.rglob("*"):
            if path.is_file() and path.name != "record.json":
                target = dst / path.relative_to(src)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
        store.succeed(record.processing_id, pages=done.pages, results=done.results,
                      sub_pdfs=done.sub_pdfs)

    thread = threading.Thread(target=finish)
    thread.start()
    response = server.client("secret-acme-0123456789").get(
        f"/processing/results/{record.processing_id}?wait_for=30")
    thread.join()
    assert response.status_code == 200


def test_long_poll_times_out_with_202(server: Server) -> None:
    record = make_processing(server.store, "acme", status="running")
    response = server.client("secret-acme-0123456789").get(
        f"/processing/results/{record.processing_id}?wait_for=1")
    assert response.status_code == 202
