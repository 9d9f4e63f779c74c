"""CPU per hot answer inside the planner, without the network: where the µs go.

    .venv/bin/python -m benchmarks.planner_cost [--calls N] [--profile]

Builds folio's app on a scratch data directory with one finished processing,
warms each answer once, then times `FastPath.now` on the request's ASGI scope
(what the parser lane calls for every GET: facts, route, gate, record, variant,
preconditions, tier, headers) and prints µs per call; `--profile` adds the
cProfile top entries of the 10 KB image answer. uvicorn's parse and the
kernel's copy are not in these figures: `benchmarks/matrix.py` measures whole
answers against nginx.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import fixtures
from service.artifacts.catalogue import page_file, write_full_body
from service.artifacts.store import FileStore
from service.config import Settings
from service.web.app import create_app
from service.web.fastpath import FastPath

KEY = "bench-planner-key-0123456789"


def _scope(path: str, query: bytes = b"", **headers: str) -> dict[str, Any]:
    raw = [(b"host", b"127.0.0.1:8000"), (b"authorization", f"ApiKey {KEY}".encode()),
           (b"user-agent", b"wrk"), (b"accept", b"*/*")]
    raw += [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    return {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(),
            "query_string": query, "headers": raw, "http_version": "1.1"}


def _processing(data: Path) -> str:
    store = FileStore(data)
    rec = store.create("bench", "ocr")
    pid = rec.processing_id
    store.write_artifact(pid, page_file(1), fixtures.page_jpeg())
    store.write_artifact(pid, "ocr.json", fixtures.ocr_json(pages=1), compress=True)
    done = store.succeed(pid, pages=[(fixtures.PAGE_W, fixtures.PAGE_H)],
                         results=["ocr", "page-images"])
    write_full_body(store, done, "OCR")
    return pid


async def _warm(app: FastPath, scope: dict[str, Any]) -> None:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(dict(scope), receive, send)
    assert sent and sent[0]["status"] == 200, sent[:1]


def _time(app: FastPath, scope: dict[str, Any], calls: int) -> tuple[float, int]:
    reply = app.now(dict(scope))
    assert isinstance(reply, tuple), f"not answered at once: {reply!r}"  # a Reply
    start = time.perf_counter()
    for _ in range(calls):
        app.now(dict(scope))
    return (time.perf_counter() - start) / calls * 1e6, len(reply.body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        pid = _processing(data)
        settings = Settings(data_dir=data, api_keys=(("bench", KEY),), access_log=False,
                            rate_limit_rps=1e9, rate_limit_burst=1_000_000_000)
        app = create_app(settings)
        base = f"/processing/results/{pid}"
        cases = {
            "page image 256 px (~10 KB)": _scope(base + "/page-images/1", b"width=256"),
            "page image 800 px (~64 KB)": _scope(base + "/page-images/1", b"width=800"),
            "page image as stored": _scope(base + "/page-images/1"),
            "OCR JSON (memory tier)": _scope(base + "/ocr"),
        }
        loop = asyncio.new_event_loop()
        for scope in cases.values():
            loop.run_until_complete(_warm(app, scope))
        etag = app.now(dict(cases["page image 256 px (~10 KB)"]))
        assert isinstance(etag, tuple)
        tag = dict(etag.headers)[b"etag"].decode()
        cases["304 of the 256 px image"] = _scope(base + "/page-images/1", b"width=256",
                                                  if_none_match=tag)
        print(f"{'answer':32} {'bytes':>9} {'µs per now()':>13}")
        for name, scope in cases.items():
            us, size = _time(app, scope, args.calls)
            print(f"{name:32} {size:>9,} {us:>13.2f}")
        if args.profile:
            profile = cProfile.Profile()
            scope = cases["page image 256 px (~10 KB)"]
            profile.enable()
            for _ in range(args.calls):
                app.now(dict(scope))
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(14)


if __name__ == "__main__":
    main()
