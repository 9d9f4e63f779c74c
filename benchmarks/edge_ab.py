"""The web edge's before and after, in one run: this checkout against another one.

    .venv/bin/python -m benchmarks.edge_ab --against /path/to/other/checkout [--rounds N]

Both `folio serve` (one process each; the other checkout with its own .venv) read
one data directory; nginx (one worker, sendfile, open_file_cache) serves the same
bytes. Rows: the P1 hot hit (800 px of the benchmark page, ~224 KB), an 800-px
image of a clean page (~40 KB), and the P3 304; wrk -t2 -c32, the three servers
alternating each round, medians of req/s and of the servers' CPU per answer.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import httpx

from benchmarks import fixtures
from benchmarks.run import API_KEY, AUTH, HEADERS, Bench
from benchmarks.tools import cpu_seconds, say, wrk
from service.artifacts.catalogue import page_file, write_full_body
from service.artifacts.store import FileStore


def _processing(bench: Bench, jpeg: bytes) -> str:
    store = FileStore(bench.data)
    rec = store.create("bench", "ocr")
    store.write_artifact(rec.processing_id, page_file(1), jpeg)
    done = store.succeed(rec.processing_id, pages=[(fixtures.PAGE_W, fixtures.PAGE_H)],
                         results=["page-images"])
    write_full_body(store, done, "OCR")
    return rec.processing_id


def _measure(url: str, headers: list[str] | None, pid: int | None, seconds: float
             ) -> tuple[float, float]:
    before = cpu_seconds(pid) if pid else 0.0
    result = wrk(url, seconds, headers=headers)
    assert result.ok, result.raw[-400:]
    used = (cpu_seconds(pid) - before) if pid else 0.0
    return result.rps, used / max(result.requests, 1) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    bench = Bench(False, args.seconds)
    bench.data.mkdir(parents=True, exist_ok=True)
    bench.static.mkdir(parents=True, exist_ok=True)
    try:
        noisy = _processing(bench, fixtures.page_jpeg())
        clean = _processing(bench, bytes(fixtures.page_image(noise=False)
                                         .jpegsave_buffer(Q=90, keep="none")))
        after, base_after = bench.folio("edge-after")
        before, base_before = bench.folio("edge-before", checkout=args.against)
        nginx = bench.nginx(open_file_cache=True)
        assert nginx is not None, "nginx is needed"
        rows = []
        for name, pid_, extra, query in (
                ("P1 hot hit, 800 px (~224 KB)", noisy, None, "width=800"),
                ("800 px of a clean page at quality 40 (~40 KB)", clean, None,
                 "width=800&quality=40"),
                ("P3 304 If-None-Match", noisy, "304", "width=800")):
            path = f"/processing/results/{pid_}/page-images/1?{query}"
            answer = httpx.get(base_after + path, headers=HEADERS)
            httpx.get(base_before + path, headers=HEADERS)
            (bench.static / f"{pid_}.jpg").write_bytes(answer.content)
            headers = [AUTH]
            if extra == "304":
                headers.append(f"If-None-Match: {answer.headers['etag']}")
            sides: dict[str, list[tuple[float, float]]] = {"before": [], "after": [],
                                                           "nginx": []}
            for _ in range(args.rounds):
                sides["before"].append(_measure(base_before + path, headers, before.pid,
                                                args.seconds))
                sides["after"].append(_measure(base_after + path, headers, after.pid,
                                               args.seconds))
                if extra != "304":
                    sides["nginx"].append(_measure(f"{nginx}/{pid_}.jpg", None, None,
                                                   args.seconds))
            med = {k: (statistics.median(r for r, _ in v), statistics.median(c for _, c in v))
                   for k, v in sides.items() if v}
            rows.append((name, len(answer.content), med))
            say(f"{name}: {med}")
        print("\n| answer | bytes | before req/s | after req/s | nginx req/s | before/nginx "
              "| after/nginx | after/before | CPU µs before / after |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, size, med in rows:
            n = med.get("nginx", (0.0, 0.0))[0]
            b, a = med["before"], med["after"]
            ratio = (f"{b[0] / n:.2f}x | {a[0] / n:.2f}x" if n else "- | -")
            print(f"| {name} | {size:,} | {b[0]:,.0f} | {a[0]:,.0f} | {n:,.0f} | {ratio} | "
                  f"{a[0] / b[0]:.2f}x | {b[1]:.0f} / {a[1]:.0f} |")
    finally:
        bench.stop_all()


if __name__ == "__main__":
    assert API_KEY
    main()
