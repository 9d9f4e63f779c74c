"""folio on many machines, as an operator runs it: two `folio serve` nodes and two
`folio worker` processes, each on directories of its own, one S3 bucket (SeaweedFS),
one PostgreSQL database, one Redis, nginx round-robin in front.

The tests run in file order on one fleet; each leaves it whole for the next."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest

from service.objects.base import processing_prefix
from service.state.database import Database
from service.state.pg_records import PgRecords
from tests.fleet.fleet import Fleet, Member
from tests.helpers import tiny_pdf
from tests.objects.seaweed import SeaweedFS
from tests.objects.test_contract import s3_store
from tests.pipeline.conftest import INVOICE, make_text_pdf
from tests.state.postgres import _admin, run_coroutine
from tests.state.proxy import Proxy

pytestmark = pytest.mark.timeout(240)

SPREAD = 2.0  # seconds within which a change on one node reaches the other


@pytest.fixture(scope="module")
def secret(fleet: Fleet) -> str:
    return fleet.create_key()[1]


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("fleet-doc") / "invoice.pdf"
    return make_text_pdf(path, [INVOICE, INVOICE, INVOICE]).read_bytes()


@pytest.fixture(scope="module")
def processed(fleet: Fleet, secret: str, document: bytes) -> dict[str, object]:
    """One splitting processing, posted through nginx and finished by a worker."""
    posted = fleet.client(secret=secret).post(
        "/processing/generic_splitting?wait_for=90", files={"file": ("doc.pdf", document)})
    assert posted.status_code == 201, posted.text + fleet.logs()
    body: dict[str, object] = posted.json()
    return body


def result_paths(body: dict[str, object]) -> list[str]:
    """Every result URL of a full body, sub-result lists and a scaled page image."""
    pid = body["processing_id"]
    base = f"/processing/results/{pid}"
    paths = [base, f"{base}/ocr", f"{base}/hocr", f"{base}/language", f"{base}/pdf",
             f"{base}/page-images", f"{base}/thumbnail", f"{base}/document-splitting",
             f"{base}/sub-pdfs", f"{base}/page-images/1?width=300",
             f"{base}/page-images/2?width=120&height=120"]
    for key in ("page_images", "sub_pdfs"):
        urls = body[key]
        assert isinstance(urls, list)
        paths += urls
    return paths


def answers(member: Member, secret: str, paths: list[str]
            ) -> dict[str, tuple[int, str | None, bytes]]:
    """(status, ETag, body) of each path on one node."""
    client = member.client(secret)
    found = {}
    for path in paths:
        answer = client.get(path)
        found[path] = (answer.status_code, answer.headers.get("etag"), answer.content)
        assert answer.headers.get("etag") or answer.status_code != 200, path
    return found


def until(check: Callable[[], bool], seconds: float, step: float = 0.05) -> float:
    """Seconds until `check()` holds; fails after `seconds`."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > seconds:
            raise AssertionError(f"not within {seconds} s")
        time.sleep(step)
    return time.monotonic() - start


def bucket_keys(seaweed: SeaweedFS, fleet: Fleet, pid: str) -> list[str]:
    prefix = fleet.store_env["FOLIO_STORE_URL"].rpartition("/")[2]
    return asyncio.run(s3_store(seaweed.endpoint, prefix).list_prefix(processing_prefix(pid)))


def test_an_upload_through_nginx_reads_byte_identical_from_both_nodes(
        fleet: Fleet, secret: str, processed: dict[str, object]) -> None:
    paths = result_paths(processed)
    first, second = (answers(node, secret, paths) for node in fleet.nodes)
    assert {status for status, _, _ in first.values()} == {200}, first.keys()
    assert first == second  # the same bytes and the same ETags
    through = fleet.client(secret=secret)
    for path in paths:  # round robin: each path once from each node through nginx
        assert {through.get(path).content for _ in range(2)} == {first[path][2]}, path


def test_no_record_file_on_any_machine(fleet: Fleet, processed: dict[str, object]) -> None:
    for member in fleet.nodes + fleet.workers:
        assert list(member.home.rglob("record.json")) == [], member.name
        assert list(member.home.rglob("keys.json")) == [], member.name
        assert list(member.home.rglob("share-tokens")) == [], member.name


def test_a_node_restarted_with_an_emptied_directory_serves_everything(
        fleet: Fleet, secret: str, processed: dict[str, object]) -> None:
    paths = result_paths(processed)
    before = answers(fleet.nodes[1], secret, paths)
    node = fleet.nodes[0]
    node.stop()
    node.wipe()
    node.start()
    assert not node.holds(str(processed["processing_id"]))
    assert answers(node, secret, paths) == before


def test_a_worker_killed_mid_job_leaves_it_to_another(
        fleet: Fleet, secret: str) -> None:
    posted = fleet.client(secret=secret).post(
        "/processing/ocr?wait_for=0", files={"file": ("scan.pdf", tiny_pdf(6))})
    assert posted.status_code == 202, posted.text
    pid = posted.json()["processing_id"]
    holders: list[Member] = []

    def taken() -> bool:
        holders[:] = [worker for worker in fleet.workers if worker.holds(pid)]
        return bool(holders)

    until(taken, 30)
    time.sleep(0.5)  # a page into the job
    [victim] = holders
    survivor = next(worker for worker in fleet.workers if worker is not victim)
    victim.kill()
    killed = time.monotonic()
    node = fleet.client(secret=secret)
    done = node.get(f"/processing/results/{pid}/ocr?wait_for=0")
    assert done.status_code == 202, "the job ended before its worker was killed"
    answer = node.get(f"/processing/results/{pid}?wait_for=60")
    took = time.monotonic() - killed
    assert answer.status_code == 200, answer.text + fleet.logs()
    assert took < 60
    # the victim is gone, so the survivor finished it (and, the job over, dropped its
    # copies: a worker keeps nothing of what it ran)
    assert survivor.process is not None and survivor.process.poll() is None
    until(lambda: not survivor.holds(pid), 5)  # the copies go in a thread
    print(f"\nthe killed worker's job finished on the other {took:.1f} s after the SIGKILL")
    victim.wipe()
    victim.start()


def test_a_key_made_for_the_fleet_works_on_every_node_and_dies_everywhere(
        fleet: Fleet, processed: dict[str, object]) -> None:
    key_id, fresh = fleet.create_key()
    path = f"/processing/results/{processed['processing_id']}/ocr"
    first, second = (node.client(fresh) for node in fleet.nodes)
    assert first.get(path).status_code == 200
    assert second.get(path).status_code == 200
    revoked = fleet.folio("keys", "revoke", key_id)
    assert revoked.returncode == 0, revoked.stderr
    took = until(lambda: {first.get(path).status_code, second.get(path).status_code} == {401},
                 SPREAD)
    print(f"\na revoked key refused by both nodes after {took:.2f} s")


def test_a_share_token_made_on_one_node_works_on_the_other_until_revoked_there(
        fleet: Fleet, secret: str, processed: dict[str, object]) -> None:
    first, second = fleet.nodes
    expires = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    made = first.client(secret).post("/share-tokens/documents", json={
        "document_id": processed["processing_id"], "expires_at": expires})
    assert made.status_code == 201, made.text
    token = made.json()
    path = f"/processing/results/{processed['processing_id']}/ocr?token={token['token']}"
    reader = second.client()
    assert reader.get(path).status_code == 200
    assert first.client().get(path).status_code == 200
    gone = first.client(secret).delete(f"/share-tokens/documents?token_uuid={token['uuid']}")
    assert gone.status_code in (200, 204), gone.text
    seen: list[int] = []

    def refused() -> bool:
        seen.append(reader.get(path).status_code)
        return seen[-1] == 403  # a refused token is 403 (access/gate.py), as on one node

    try:
        took = until(refused, SPREAD)
    except AssertionError:
        raise AssertionError(f"the other node answered {Counter(seen)}; the issuing node "
                             f"{first.client().get(path).status_code}") from None
    print(f"\na revoked share token refused by the other node after {took:.2f} s")


def test_a_deletion_is_404_on_every_node_and_empties_the_bucket(
        fleet: Fleet, secret: str, document: bytes, fleet_seaweed: SeaweedFS) -> None:
    posted = fleet.client(secret=secret).post(
        "/processing/generic_splitting?wait_for=90", files={"file": ("doc.pdf", document)})
    assert posted.status_code == 201, posted.text
    body = posted.json()
    pid = body["processing_id"]
    paths = result_paths(body)
    for node in fleet.nodes:  # both nodes hold it in every tier
        for _ in range(2):
            assert {status for status, _, _ in answers(node, secret, paths).values()} == {200}
    assert bucket_keys(fleet_seaweed, fleet, pid)
    assert fleet.client(secret=secret).delete(f"/processing/results/{pid}").status_code == 204
    clients = [node.client(secret) for node in fleet.nodes]
    took = until(lambda: {c.get(p).status_code for c in clients for p in paths} == {404},
                 SPREAD)
    assert bucket_keys(fleet_seaweed, fleet, pid) == []
    for node in fleet.nodes:  # the copies go in a thread
        until(lambda node=node: node.holding(pid) == [], 5)  # type: ignore[misc]
    print(f"\na deletion answered 404 on every node after {took:.2f} s")


def test_a_deletion_leaves_no_copy_on_the_workers(fleet: Fleet, secret: str) -> None:
    posted = fleet.client(secret=secret).post(
        "/processing/ocr?wait_for=60", files={"file": ("scan.pdf", tiny_pdf(1))})
    assert posted.status_code == 201, posted.text
    pid = posted.json()["processing_id"]
    assert fleet.client(secret=secret).delete(f"/processing/results/{pid}").status_code == 204
    time.sleep(SPREAD)
    assert {worker.name: worker.holding(pid) for worker in fleet.workers} == {
        worker.name: [] for worker in fleet.workers}


class Load:
    """Readers and uploaders through nginx until stopped; every status counted."""

    def __init__(self, fleet: Fleet, secret: str, paths: list[str], document: bytes) -> None:
        self.fleet = fleet
        self.secret = secret
        self.paths = paths
        self.document = document
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.failures: list[str] = []
        self.accepted: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def _count(self, kind: str, answer: httpx.Response) -> None:
        with self._lock:
            self.statuses[(kind, answer.status_code)] += 1
            if answer.status_code not in (200, 201, 202, 503):
                self.failures.append(f"{kind} {answer.status_code} {answer.text[:300]}")
            elif answer.status_code == 503 and "retry-after" not in answer.headers:
                self.failures.append(f"{kind} 503 without Retry-After")

    def read(self) -> None:
        with httpx.Client(base_url=self.fleet.url, timeout=30,
                          headers={"Authorization": f"ApiKey {self.secret}"}) as client:
            while not self._stop.is_set():
                for path in self.paths:
                    self._count("read", client.get(path))
                time.sleep(0.01)

    def upload(self) -> None:
        with httpx.Client(base_url=self.fleet.url, timeout=60,
                          headers={"Authorization": f"ApiKey {self.secret}"}) as client:
            while not self._stop.is_set():
                answer = client.post("/processing/ocr?wait_for=0",
                                     files={"file": ("doc.pdf", self.document)})
                self._count("upload", answer)
                if answer.status_code == 202:
                    with self._lock:
                        self.accepted.append(answer.json()["processing_id"])
                time.sleep(0.3)

    @contextmanager
    def running(self) -> Iterator[Load]:
        threads = [threading.Thread(target=self.read, daemon=True) for _ in range(2)]
        threads.append(threading.Thread(target=self.upload, daemon=True))
        for thread in threads:
            thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            for thread in threads:
                thread.join(60)


def fresh_processings(fleet: Fleet, secret: str, document: bytes, count: int) -> list[str]:
    """Finished processings no node has read yet: their reads during a fault need the
    store (objects) or the database (records). Watched in the database, not through a
    node, which would keep them."""
    client = fleet.client(secret=secret)
    ids = [client.post("/processing/ocr?wait_for=0",
                       files={"file": ("doc.pdf", document)}).json()["processing_id"]
           for _ in range(count)]
    db = Database(fleet.database_url, pool_size=1, timeout=5)
    try:
        records = PgRecords(db)

        def finished() -> bool:
            found = [records.load(pid) for pid in ids]
            return all(record is not None and record.done for record in found)

        until(finished, 60, step=0.2)
    finally:
        db.close()
    return ids


def cold_reads(fleet: Fleet, secret: str, unread: list[str]) -> Counter[int]:
    """Every node asked, during an outage, for what it cannot hold: 503 with
    Retry-After is the answer, never a 500."""
    seen: Counter[int] = Counter()
    for node in fleet.nodes:
        reader = node.client(secret)
        for pid in unread:
            for path in COLD:
                answer = reader.get(f"/processing/results/{pid}{path}")
                seen[answer.status_code] += 1
                if answer.status_code == 503:
                    assert answer.headers.get("retry-after"), path
                    assert answer.json()["detail"], path
    return seen


def full_service(fleet: Fleet, secret: str, small: bytes, load: Load,
                 unread: list[str]) -> None:
    """After recovery, without a restart: uploads finish, every node reads everything,
    and each job accepted during the load ends."""
    client = fleet.client(secret=secret)
    until(lambda: client.post("/processing/ocr?wait_for=60",
                              files={"file": ("doc.pdf", small)}).status_code == 201,
          30, step=0.5)
    for node in fleet.nodes:
        reader = node.client(secret)
        for url in [f"/processing/results/{pid}{path}" for pid in unread for path in COLD]:
            until(lambda url=url, reader=reader: reader.get(url).status_code == 200,  # type: ignore[misc]
                  15, step=0.2)
    for pid in load.accepted:
        answer = client.get(f"/processing/results/{pid}?wait_for=60")
        assert answer.status_code == 200, f"{pid}: {answer.text}"


COLD = ("/ocr", "/pdf", "/page-images/1?width=64")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("fleet-small") / "one.pdf"
    return make_text_pdf(path, [INVOICE]).read_bytes()


def test_the_store_stopped_and_restarted_under_load(
        fleet: Fleet, secret: str, processed: dict[str, object], small: bytes,
        fleet_seaweed: SeaweedFS) -> None:
    unread = fresh_processings(fleet, secret, small, 1)
    load = Load(fleet, secret, result_paths(processed)[:6], small)
    with load.running():
        time.sleep(1.0)
        fleet_seaweed.kill()
        time.sleep(0.5)
        cold = cold_reads(fleet, secret, unread)
        time.sleep(1.0)
        fleet_seaweed.start()
        time.sleep(1.0)
    print(f"\nstore stopped under load: {dict(load.statuses)}; cold reads {dict(cold)}")
    assert load.failures == [], load.failures[:5]
    assert set(cold) == {503}
    assert load.statuses[("upload", 503)], "no upload met the outage"
    full_service(fleet, secret, small, load, unread)


def stop_database(url: str, proxy: Proxy) -> None:
    """The database goes as a server's fast shutdown makes it go: every session of the
    fleet ended by the server (57P01, "terminating connection due to administrator
    command"), then no new connection accepted. The shared server itself keeps running
    for the other tests."""
    name = url.rpartition("/")[2]
    run_coroutine(_admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"))
    proxy.down()


def test_the_database_stopped_and_restarted_under_load(
        fleet: Fleet, secret: str, processed: dict[str, object], small: bytes,
        database_proxy: Proxy, postgres_database: str) -> None:
    unread = fresh_processings(fleet, secret, small, 1)
    load = Load(fleet, secret, result_paths(processed)[:6], small)
    with load.running():
        time.sleep(1.0)
        stop_database(postgres_database, database_proxy)
        time.sleep(0.5)
        cold = cold_reads(fleet, secret, unread)
        time.sleep(1.0)
        database_proxy.up()
        time.sleep(1.0)
    print(f"\ndatabase stopped under load: {dict(load.statuses)}; cold reads {dict(cold)}")
    assert load.failures == [], load.failures[:5]
    assert set(cold) == {503}
    assert load.statuses[("upload", 503)], "no upload met the outage"
    full_service(fleet, secret, small, load, unread)


def test_no_process_logged_a_traceback(fleet: Fleet) -> None:
    for member in fleet.nodes + fleet.workers:
        text = member.log.read_text(errors="replace") if member.log.exists() else ""
        assert "Traceback" not in text, f"{member.name}:\n{text[-4000:]}"
