"""A mixed soak: uploads, cached reads, cache churn and hostile requests for a while.

    python -m benchmarks.soak [--duration 600] [--readers 4] [--cache-maxmemory 64mb]

Starts two redis-servers of its own on free ports — the queue's (no eviction) and
the image cache's (`maxmemory` + `allkeys-lru`, FOLIO_REDIS_CACHE_URL) — and a real
`folio serve` (uvicorn, job workers in serve) on them, then for `--duration` seconds:
uploads small generated PDFs and images (one at a time, at most one a second),
reads results with a key (full body, ocr, hocr, pdf, page images at many widths so
the cache keeps evicting, IIIF tiles), through signed URLs and share tokens,
revalidates with If-None-Match, and sends a sprinkling of hostile requests. Every
10 s it samples the RSS of the server's whole process tree and both Redis'
`used_memory`. Prints counts per status, every 5xx with its body, memory first vs
last minute, and how every processing ended. Not a CI test: a measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import httpx
import redis

from service.access.signing import Signer
from tests.helpers import free_port, run_server
from tests.pipeline.conftest import INVOICE, make_text_pdf, text_image

SECRET = "secret-soak-0123456789"
SIGNING = ("soak", "signing-secret-soak-0123456789")
WORKFLOWS = ("ocr", "invoice_extraction", "generic_splitting")
SAMPLE_EVERY = 10.0
# 5xx answers the contract asks for: IIIF's 501 for a feature folio does not implement
# (a 45 degree rotation). Counted, listed apart, not failures.
EXPECTED_5XX = {("bad-iiif", 501)}


class OwnRedis:
    """A redis-server on a free port with extra config arguments, never the shared one."""

    def __init__(self, *extra: str) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def info(self) -> dict[str, int]:
        memory: dict[str, Any] = self.client.info("memory")  # type: ignore[assignment]
        stats: dict[str, Any] = self.client.info("stats")  # type: ignore[assignment]
        keys: int = self.client.dbsize()  # type: ignore[assignment]
        return {"used": int(memory["used_memory"]), "evicted": int(stats["evicted_keys"]),
                "keys": keys}

    def stop(self) -> None:
        self.client.close()
        self.process.terminate()
        self.process.wait(10)


def tree_rss(root: int) -> tuple[int, int, str]:
    """Sum of VmRSS (bytes) over `root` and all its descendants, how many there are, and
    each one's RSS in MiB (the root first), to see which process grows."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    total = 0
    each = []
    for pid in sorted(tree, key=lambda p: (p != root, p)):
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss = int(line.split()[1]) * 1024
                        total += rss
                        each.append(f"{rss / 2**20:.0f}")
        except OSError:
            continue
    return total, len(tree), "/".join(each)


@dataclass
class Tally:
    statuses: Counter[str] = field(default_factory=Counter)
    by_kind: dict[str, Counter[int | str]] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    expected: Counter[str] = field(default_factory=Counter)
    samples: list[dict[str, Any]] = field(default_factory=list)

    def note(self, kind: str, response: httpx.Response | None, url: str,
             error: str = "") -> None:
        status: int | str = response.status_code if response is not None else f"error {error}"
        self.statuses[str(status)] += 1
        self.by_kind.setdefault(kind, Counter())[status] += 1
        if response is not None and (kind, response.status_code) in EXPECTED_5XX:
            self.expected[f"{kind} {response.status_code} {response.text[:120]!r}"] += 1
        elif response is not None and response.status_code >= 500:
            self.server_errors.append(f"{kind} {url} -> {response.status_code} "
                                      f"{response.text[:300]!r}")
        elif response is None:
            self.server_errors.append(f"{kind} {url} -> transport error {error}")


@dataclass
class Corpus:
    """The documents uploaded, and what the readers may read of the finished ones."""

    uploads: list[tuple[str, bytes]]
    ids: dict[str, str] = field(default_factory=dict)  # processing id -> workflow
    ready: list[str] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)
    etags: dict[str, str] = field(default_factory=dict)


def documents(tmp: Path) -> list[tuple[str, bytes]]:
    """Small PDFs (1-3 pages of text) and a PNG and a JPEG scan of a few lines."""
    out = []
    for pages in (1, 2, 3):
        path = make_text_pdf(tmp / f"doc{pages}.pdf",
                             [INVOICE[i:i + 6] for i in range(0, 6 * pages, 6)])
        out.append((path.name, path.read_bytes()))
    scan = text_image("Muster GmbH\nRechnung RE-2024-0042\nGesamt 119,00 EUR", 1200, 900)
    out.append(("scan.png", scan.write_to_buffer(".png")))
    out.append(("scan.jpg", scan.write_to_buffer(".jpg[Q=85]")))
    return out


async def uploader(client: httpx.AsyncClient, corpus: Corpus, tally: Tally,
                   stop: asyncio.Event) -> None:
    """One upload at a time (2 shared cores), at most one a second."""
    n = 0
    while not stop.is_set():
        name, body = corpus.uploads[n % len(corpus.uploads)]
        workflow = WORKFLOWS[n % len(WORKFLOWS)]
        n += 1
        url = f"/processing/{workflow}?wait_for=0"
        try:
            response = await client.post(url, files={"file": (name, body)},
                                         data={"parameters": '{"language": "de"}'})
        except httpx.HTTPError as exc:
            tally.note("upload", None, url, type(exc).__name__)
            await asyncio.sleep(1)
            continue
        tally.note("upload", response, url)
        if response.status_code in (201, 202):
            pid = response.json()["processing_id"]
            corpus.ids[pid] = workflow
            started = time.monotonic()
            while not stop.is_set():
                got = await request(client, "poll", "GET",
                                    f"/processing/results/{pid}?wait_for=5", tally)
                if got is not None and got.status_code != 202:
                    if got.status_code == 200:
                        corpus.ready.append(pid)
                    break
            await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
        else:
            await asyncio.sleep(1)


def keyed_urls(pid: str, workflow: str) -> list[tuple[str, str]]:
    base = f"/processing/results/{pid}"
    width = random.randint(16, 2000)
    urls = [
        ("full", f"{base}?wait_for=0"),
        ("ocr", f"{base}/ocr"),
        ("hocr", f"{base}/hocr"),
        ("pdf", f"{base}/pdf"),
        ("page-width", f"{base}/page-images/1?width={width}"),
        ("page-width", f"{base}/page-images/1?width={random.randint(16, 2000)}"),
        ("page-height", f"{base}/page-images/1?height={random.randint(16, 2800)}"
                        f"&format={random.choice(['jpeg', 'png', 'webp'])}"),
        ("thumbnail", f"{base}/thumbnail"),
        ("iiif-info", f"/iiif/3/{pid}~1/info.json"),
        ("iiif-tile", f"/iiif/3/{pid}~1/{random.choice([0, 512, 1024])},"
                      f"{random.choice([0, 512, 1024, 1536])},512,512/"
                      f"{random.choice([128, 256, 512])},/0/default.jpg"),
        ("iiif-full", f"/iiif/3/{pid}~1/full/{random.randint(40, 900)},/0/default.jpg"),
    ]
    if workflow == "invoice_extraction":
        urls.append(("extractions", f"{base}/extractions"))
    if workflow == "generic_splitting":
        urls.append(("sub-pdf", f"{base}/sub-pdfs/0"))
    return urls


def hostile_urls(pid: str) -> list[tuple[str, str, dict[str, str]]]:
    base = f"/processing/results/{pid}"
    other = "0b6d2b1e-6a1f-4c1e-9f0e-000000000000"
    return [
        ("bad-width", f"{base}/page-images/1?width=0", {}),
        ("bad-width", f"{base}/page-images/1?width=abc", {}),
        ("bad-height", f"{base}/page-images/1?height=-5", {}),
        ("bad-page", f"{base}/page-images/9999", {}),
        ("bad-page", f"{base}/page-images/0", {}),
        ("unknown-id", f"/processing/results/{other}", {}),
        ("unknown-id", f"/processing/results/{other}/page-images/1?width=100", {}),
        ("bad-id", "/processing/results/not-a-uuid/ocr", {}),
        ("bad-pdf-opt", f"{base}/pdf?dpi=5", {}),
        ("bad-pdf-opt", f"{base}/pdf?page_width=100", {}),
        ("bad-iiif", f"/iiif/3/{pid}~1/0,0,0,0/max/0/default.jpg", {}),
        ("bad-iiif", f"/iiif/3/{pid}~1/full/max/45/default.jpg", {}),
        ("bad-iiif", f"/iiif/3/{pid}~99/full/max/0/default.jpg", {}),
        ("bad-token", f"{base}/ocr?token=nope", {"authorization": ""}),
        ("bad-signature", f"{base}/ocr?expires=9999999999&kid=soak&signature=AAAA",
         {"authorization": ""}),
        ("bad-key", f"{base}/ocr", {"authorization": "ApiKey wrong"}),
        ("oversize-header", f"{base}/ocr", {"x-junk": "a" * 64 * 1024}),
        ("unknown-workflow", "/processing/nope", {}),
    ]


async def reader(client: httpx.AsyncClient, corpus: Corpus, tally: Tally, signer: Signer,
                 stop: asyncio.Event) -> None:
    while not stop.is_set():
        if not corpus.ready:
            await asyncio.sleep(0.5)
            continue
        pid = random.choice(corpus.ready)
        roll = random.random()
        try:
            if roll < 0.55:
                kind, url = random.choice(keyed_urls(pid, corpus.ids[pid]))
                await fetch(client, kind, url, tally, corpus)
            elif roll < 0.65:
                kind, url = random.choice(keyed_urls(pid, corpus.ids[pid]))
                signed = signer.sign(url, 600)
                await request(client, "signed-" + kind, "GET", signed, tally,
                              headers={"authorization": ""})
            elif roll < 0.75:
                token = await share_token(client, pid, corpus, tally)
                if token:
                    kind, url = random.choice(keyed_urls(pid, corpus.ids[pid]))
                    sep = "&" if "?" in url else "?"
                    await request(client, "token-" + kind, "GET", f"{url}{sep}token={token}",
                                  tally, headers={"authorization": ""})
            elif roll < 0.90:
                await revalidate(client, pid, corpus, tally)
            else:
                await hostile(client, pid, tally)
        except httpx.HTTPError as exc:
            tally.note("transport", None, pid, type(exc).__name__)


async def request(client: httpx.AsyncClient, kind: str, method: str, url: str, tally: Tally,
                  **kwargs: object) -> httpx.Response | None:
    """One request, the whole body read; a transport error is tallied under its kind."""
    try:
        response = await client.request(method, url, **kwargs)  # type: ignore[arg-type]
    except httpx.HTTPError as exc:
        tally.note(kind, None, url, type(exc).__name__)
        return None
    tally.note(kind, response, url)
    return response


async def fetch(client: httpx.AsyncClient, kind: str, url: str, tally: Tally,
                corpus: Corpus) -> None:
    response = await request(client, kind, "GET", url, tally)
    if response is not None and response.status_code == 200 and "etag" in response.headers:
        corpus.etags[url] = response.headers["etag"]


async def share_token(client: httpx.AsyncClient, pid: str, corpus: Corpus,
                      tally: Tally) -> str | None:
    if pid not in corpus.tokens:
        expires = (date.today() + timedelta(days=2)).isoformat()
        response = await request(client, "share-token-create", "POST",
                                 "/share-tokens/documents", tally,
                                 json={"document_id": pid, "expires_at": expires})
        if response is None or response.status_code not in (200, 201):
            return None
        corpus.tokens[pid] = response.json()["token"]
    return corpus.tokens[pid]


async def revalidate(client: httpx.AsyncClient, pid: str, corpus: Corpus,
                     tally: Tally) -> None:
    mine = [u for u in corpus.etags if pid in u]
    if not mine:
        kind, url = random.choice(keyed_urls(pid, corpus.ids[pid]))
        await fetch(client, kind, url, tally, corpus)
        return
    url = random.choice(mine)
    await request(client, "revalidate", "GET", url, tally,
                  headers={"if-none-match": corpus.etags[url]})


async def hostile(client: httpx.AsyncClient, pid: str, tally: Tally) -> None:
    roll = random.random()
    if roll < 0.15:
        url = "/processing/ocr?wait_for=0"
        kind = random.choice(["garbage-upload", "empty-upload", "bad-parameters"])
        if kind == "garbage-upload":
            files = {"file": ("x.pdf", os.urandom(2048))}
            data: dict[str, str] = {}
        elif kind == "empty-upload":
            files = {"file": ("x.pdf", b"")}
            data = {}
        else:
            files = {"file": ("x.pdf", b"%PDF-1.4\n")}
            data = {"parameters": '{"language": "klingon", "x": 1}'}
        await request(client, kind, "POST", url, tally, files=files, data=data)
        return
    kind, url, headers = random.choice(hostile_urls(pid))
    await request(client, kind, "GET", url, tally, headers=headers)


async def sampler(server_pid: int, queue: OwnRedis, cache: OwnRedis, tally: Tally,
                  started: float, stop: asyncio.Event) -> None:
    while True:
        rss, procs, each = tree_rss(server_pid)
        q, c = queue.info(), cache.info()
        tally.samples.append({"t": time.monotonic() - started, "rss": rss, "procs": procs,
                              "each": each,
                              "queue_used": q["used"], "cache_used": c["used"],
                              "cache_keys": c["keys"], "evicted": c["evicted"],
                              "load": os.getloadavg()[0]})
        try:
            await asyncio.wait_for(stop.wait(), SAMPLE_EVERY)
            return
        except TimeoutError:
            pass


async def run(base: str, server_pid: int, corpus: Corpus, queue: OwnRedis, cache: OwnRedis,
              args: argparse.Namespace) -> tuple[Tally, dict[str, Counter[int]], float]:
    tally = Tally()
    signer = Signer([SIGNING])
    headers = {"Authorization": f"ApiKey {SECRET}"}
    limits = httpx.Limits(max_connections=args.readers + 4)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60,
                                 limits=limits) as client:
        stop = asyncio.Event()
        started = time.monotonic()
        tasks = [asyncio.ensure_future(uploader(client, corpus, tally, stop)),
                 asyncio.ensure_future(sampler(server_pid, queue, cache, tally, started,
                                               stop))]
        tasks += [asyncio.ensure_future(reader(client, corpus, tally, signer, stop))
                  for _ in range(args.readers)]
        await asyncio.sleep(args.duration)
        stop.set()
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - started
        # every processing must end: wait for the last ones (the uploader stops after one)
        deadline = time.monotonic() + 120
        ending: dict[str, Counter[int]] = {}
        while True:
            ending = {}
            for pid, workflow in corpus.ids.items():
                status = (await client.get(f"/processing/results/{pid}?wait_for=0")).status_code
                ending.setdefault(workflow, Counter())[status] += 1
            if all(202 not in c for c in ending.values()) or time.monotonic() > deadline:
                break
            await asyncio.sleep(2)
        rss, procs, each = tree_rss(server_pid)
        q, c = queue.info(), cache.info()
        tally.samples.append({"t": time.monotonic() - started, "rss": rss, "procs": procs,
                              "each": each,
                              "queue_used": q["used"], "cache_used": c["used"],
                              "cache_keys": c["keys"], "evicted": c["evicted"],
                              "load": os.getloadavg()[0]})
    return tally, ending, elapsed


def mib(n: float) -> str:
    return f"{n / 2**20:.1f}"


def report(tally: Tally, ending: dict[str, Counter[int]], elapsed: float,
           args: argparse.Namespace) -> str:
    lines = [f"duration {elapsed:.0f} s, {sum(tally.statuses.values())} requests, "
             f"{args.readers} readers + 1 uploader", "",
             "## Status counts", "", "| status | count |", "|---|---|"]
    lines += [f"| {s} | {n} |" for s, n in sorted(tally.statuses.items())]
    lines += ["", "## By kind", "", "| kind | statuses |", "|---|---|"]
    for kind, counts in sorted(tally.by_kind.items()):
        lines.append(f"| {kind} | " + ", ".join(f"{s}: {n}" for s, n in
                                                 sorted(counts.items(), key=str)) + " |")
    lines += ["", f"## 5xx and transport errors: {len(tally.server_errors)}", ""]
    lines += [f"- {e}" for e in tally.server_errors[:50]]
    lines += ["", "Expected 5xx (contract answers, not failures):", ""]
    lines += [f"- {n} x {e}" for e, n in tally.expected.items()]
    lines += ["", "## Memory every 10 s", "",
              "| t s | server RSS MiB (procs) | per process MiB, serve first | queue Redis MiB "
              "| cache Redis MiB | cache keys | evicted | load1 |",
              "|---|---|---|---|---|---|---|---|"]
    for s in tally.samples:
        lines.append(f"| {s['t']:.0f} | {mib(s['rss'])} ({s['procs']:.0f}) | {s['each']} | "
                     f"{mib(s['queue_used'])} | {mib(s['cache_used'])} | {s['cache_keys']:.0f} | "
                     f"{s['evicted']:.0f} | {s['load']:.2f} |")
    during = [s for s in tally.samples if s["t"] <= elapsed]
    first = [s for s in during if s["t"] < 60]
    last = [s for s in during if s["t"] >= elapsed - 60]
    lines += ["", "## First vs last minute (median)", "", "| | first | last |", "|---|---|---|"]
    for key, label in (("rss", "server RSS MiB"), ("queue_used", "queue Redis MiB"),
                       ("cache_used", "cache Redis MiB")):
        if first and last:
            lines.append(f"| {label} | {mib(statistics.median(s[key] for s in first))} | "
                         f"{mib(statistics.median(s[key] for s in last))} |")
    lines += ["", "## How the processings ended (GET status)", ""]
    for workflow, ends in sorted(ending.items()):
        lines.append(f"- {workflow}: " + ", ".join(f"{s}: {n}" for s, n in sorted(ends.items())))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=600.0)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--cache-maxmemory", default="64mb")
    parser.add_argument("--memory-cache-bytes", default=str(8 * 2**20),
                        help="FOLIO_MEMORY_CACHE_BYTES: small, so reads go to Redis")
    parser.add_argument("--out", type=Path, help="also write the report here")
    args = parser.parse_args()
    random.seed(10)
    queue = OwnRedis()
    cache = OwnRedis("--maxmemory", args.cache_maxmemory, "--maxmemory-policy", "allkeys-lru")
    try:
        with TemporaryDirectory() as tmp:
            corpus = Corpus(documents(Path(tmp)))
            env = {"FOLIO_API_KEYS": f"acme:{SECRET}", "FOLIO_REDIS_URL": queue.url,
                   "FOLIO_REDIS_CACHE_URL": cache.url,
                   "FOLIO_SIGNING_KEYS": f"{SIGNING[0]}:{SIGNING[1]}",
                   "FOLIO_RATE_LIMIT_RPS": "100000", "FOLIO_RATE_LIMIT_BURST": "100000",
                   "FOLIO_JOB_WORKERS": "1", "FOLIO_PAGE_WORKERS": "1",
                   "FOLIO_MEMORY_CACHE_BYTES": args.memory_cache_bytes}
            with run_server(Path(tmp) / "data", env) as srv:
                tally, ending, elapsed = asyncio.run(
                    run(srv.url, srv.process.pid, corpus, queue, cache, args))
                alive = srv.process.poll() is None
            text = report(tally, ending, elapsed, args) + f"\n\nserver alive at the end: {alive}\n"
    finally:
        queue.stop()
        cache.stop()
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
