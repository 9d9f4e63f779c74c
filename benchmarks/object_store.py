"""The object store's cost, in one run: a node on the data directory beside a node on
S3 (SeaweedFS on loopback), same machine, same data.

    .venv/bin/python -m benchmarks.object_store [--pages 50] [--seconds 4]

Measures: hot hits (memory tier) on both nodes and their ratio; a node's first read
of an artifact another node wrote (store -> disk tier), p50 and p99, beside the same
first read from the data directory; one upload's processing time on both stores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks import fleet
from service.artifacts.store import FileStore
from service.objects.disk_tier import DiskTier
from tests.helpers import make_processing, run_server, tiny_pdf
from tests.objects.seaweed import SeaweedFS
from tests.objects.test_contract import s3_store

TENANT, SECRET = "bench", "bench-secret-0123456789"
COMMON = {"FOLIO_API_KEYS": f"{TENANT}:{SECRET}", "FOLIO_RATE_LIMIT_RPS": "1000000",
          "FOLIO_RATE_LIMIT_BURST": "1000000", "FOLIO_JOB_WORKERS": "1"}


async def rate(url: str, path: str, seconds: float, concurrency: int = 8) -> float:
    return (await fleet.rate(url, SECRET, path, seconds, concurrency))[0]


def first_reads(url: str, ids: list[str], path: str) -> list[float]:
    return fleet.first_reads(url, SECRET, [f"/processing/results/{pid}/{path}" for pid in ids])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def upload(url: str, pdf: bytes) -> float:
    with httpx.Client(base_url=url, headers={"Authorization": f"ApiKey {SECRET}"},
                      timeout=600) as client:
        start = time.perf_counter()
        answer = client.post("/processing/ocr?wait_for=180",
                             files={"file": ("doc.pdf", pdf, "application/pdf")})
        assert answer.status_code == 201, answer.text
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="folio-objects-"))
    seaweed = SeaweedFS(root / "seaweedfs")
    seaweed.start()
    try:
        local_env = {**COMMON}
        s3_env = {**COMMON, **seaweed.env("bench"), "FOLIO_CACHE_DIR": str(root / "tier")}
        with run_server(root / "local", local_env) as local, \
                run_server(root / "s3", s3_env) as remote:
            plain = FileStore(root / "local")
            writer = FileStore(root / "s3", objects=DiskTier(
                s3_store(seaweed.endpoint, "bench"), root / "writer", 1 << 34))
            local_ids, remote_ids = [], []
            for _ in range(args.count):
                local_ids.append(make_processing(plain, TENANT).processing_id)
                record = make_processing(writer, TENANT)
                writer.flush(record.processing_id)
                remote_ids.append(record.processing_id)
            os.sync()
            for what in ("ocr", "pdf"):
                cold_local = first_reads(local.url, local_ids, what)
                cold_remote = first_reads(remote.url, remote_ids, what)
                print(f"first read of {what}: data directory p50 {pct(cold_local, .5):.2f} ms"
                      f" p99 {pct(cold_local, .99):.2f} ms; S3 -> disk tier p50 "
                      f"{pct(cold_remote, .5):.2f} ms p99 {pct(cold_remote, .99):.2f} ms")
            hot = f"/processing/results/{local_ids[0]}/ocr"
            hot_remote = f"/processing/results/{remote_ids[0]}/ocr"
            rates: dict[str, list[float]] = {"local": [], "s3": []}
            for _ in range(2):
                rates["local"].append(asyncio.run(rate(local.url, hot, args.seconds)))
                rates["s3"].append(asyncio.run(rate(remote.url, hot_remote, args.seconds)))
            l_rate, r_rate = (statistics.median(v) for v in rates.values())
            print(f"hot hit (memory tier) req/s: data directory {l_rate:.0f}, S3 node "
                  f"{r_rate:.0f}, ratio {r_rate / l_rate:.3f}")
            # a file too large for the memory tier: served from disk on both nodes
            # (new processings: the first reads above put the small PDFs in memory)
            big = tiny_pdf(1) + os.urandom(6 * 1024 * 1024)
            local_big = make_processing(plain, TENANT).processing_id
            plain.write_artifact(local_big, "searchable.pdf", big)
            record = make_processing(writer, TENANT)
            remote_big = record.processing_id
            # the store's object first: the staged small PDF then stays out of it
            asyncio.run(s3_store(seaweed.endpoint, "bench").put(
                f"processings/{remote_big[:2]}/{remote_big}/searchable.pdf", big))
            writer.flush(remote_big)
            disk: dict[str, list[float]] = {"local": [], "s3": []}
            for _ in range(2):
                disk["local"].append(asyncio.run(rate(
                    local.url, f"/processing/results/{local_big}/pdf", args.seconds, 4)))
                disk["s3"].append(asyncio.run(rate(
                    remote.url, f"/processing/results/{remote_big}/pdf", args.seconds, 4)))
            l_disk, r_disk = (statistics.median(v) for v in disk.values())
            print(f"disk hit (6 MB PDF, streamed) req/s: data directory {l_disk:.0f}, S3 "
                  f"node's disk tier {r_disk:.0f}, ratio {r_disk / l_disk:.3f}")
            pdf = tiny_pdf(args.pages)
            took_local = upload(local.url, pdf)
            took_remote = upload(remote.url, pdf)
            print(f"{args.pages}-page upload processed: data directory {took_local:.2f} s, "
                  f"S3 {took_remote:.2f} s, ratio {took_remote / took_local:.3f}")
    finally:
        seaweed.kill()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
