"""CPU per hot answer through folio's protocol class, without the kernel: where the µs go.

    .venv/bin/python -m benchmarks.lane_cost [--requests N] [--profile]

Feeds raw request heads to `FolioHttpTools.data_received` (uvicorn's httptools
parser, folio's connection limits, the parser lane, the planner) on a transport
that keeps nothing, and prints µs of CPU per answer for a 10 KB, a 64 KB and a
224 KB page image, a 304 and a 10 KB OCR JSON, each with an API key, a signed URL
and a share token. `--profile` adds cProfile's top entries for the 10 KB keyed
image. The copy into the socket and the client's wake-up (about half of a hot
answer's server time on loopback, benchmarks/ANALYSIS.md) are not in these
figures; `benchmarks/matrix.py` measures whole answers against nginx.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

os.environ.setdefault("FOLIO_ACCESS_LOG", "false")
os.environ.setdefault("FOLIO_RATE_LIMIT_RPS", "1e9")
os.environ.setdefault("FOLIO_RATE_LIMIT_BURST", "1000000000")

from uvicorn.config import Config
from uvicorn.server import ServerState

from benchmarks import fixtures
from service.artifacts.catalogue import page_file, write_full_body
from service.artifacts.store import FileStore
from service.config import Settings
from service.web.app import create_app
from service.web.http_protocol import FolioHttpTools

KEY = "bench-lane-key-0123456789abcdef"


class _Sink(asyncio.Transport):
    """A transport that takes every write and keeps nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.written = 0

    def write(self, data: Any) -> None:
        self.written += len(data)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.written += len(line)

    def is_closing(self) -> bool:
        return False

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 1), "sockname": ("127.0.0.1", 2)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def set_write_buffer_limits(self, high: Any = None, low: Any = None) -> None:
        pass

    def close(self) -> None:
        pass


def _prepare(data: Path) -> tuple[str, str]:
    store = FileStore(data)
    rec = store.create("bench", "ocr")
    pid = rec.processing_id
    store.write_artifact(pid, page_file(1), fixtures.page_jpeg())
    store.write_artifact(pid, "ocr.json", b'{"pages":[' + b'{"w":"x"},' * 1000 + b'{}]}',
                         compress=True)
    done = store.succeed(pid, pages=[(fixtures.PAGE_W, fixtures.PAGE_H)],
                         results=["ocr", "page-images"])
    write_full_body(store, done, "OCR")
    return pid, rec.version


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    asyncio.run(_run(args.requests, args.profile))


async def _run(requests: int, profile: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        pid, _ = _prepare(data)
        os.environ["FOLIO_DATA_DIR"] = str(data)
        os.environ["FOLIO_API_KEYS"] = f"bench:{KEY}"
        settings = Settings.from_env()
        app = create_app(settings)
        config = Config(app=app, lifespan="off", log_config=None, access_log=False)
        config.load()
        state = ServerState()
        state.default_headers = [(b"date", b"Sun, 06 Dec 2026 00:00:00 GMT"),
                                 (b"server", b"uvicorn")]
        loop = asyncio.get_running_loop()
        protocol = FolioHttpTools(config=config, server_state=state, app_state={}, _loop=loop)
        sink = _Sink()
        protocol.connection_made(sink)
        base = f"/processing/results/{pid}"
        signer = app.svc.gate.signer
        token = await _token(app, base, pid)
        cases: dict[str, str] = {}
        for label, target in (("10 KB image", f"{base}/page-images/1?width=256"),
                              ("64 KB image", f"{base}/page-images/1?width=500"),
                              ("224 KB image", f"{base}/page-images/1?width=800"),
                              ("OCR JSON", f"{base}/ocr")):
            cases[f"{label}, key"] = target
            parts = urlsplit(signer.sign(target, 3600))
            cases[f"{label}, signed"] = parts.path + "?" + parts.query
            cases[f"{label}, token"] = target + ("&" if "?" in target else "?") + "token=" + token
        heads = {name: _head(target, "token" not in name and "signed" not in name)
                 for name, target in cases.items()}
        for head in heads.values():  # warm: the first of each is the app's, with a render
            await _answer(protocol, sink, head)
        etag = await _etag(protocol, sink, heads["10 KB image, key"])
        heads["304, key"] = heads["10 KB image, key"].replace(
            b"\r\n\r\n", f"\r\nIf-None-Match: {etag}\r\n\r\n".encode())
        print(f"{'answer':28} {'µs CPU per answer':>18}")
        for name, head in heads.items():
            if name.endswith("token"):  # a token is checked in full once a second
                await app.svc.gate.tokens.check(token, pid)
            before = sink.written
            protocol.data_received(head)
            if sink.written == before:
                await _answer(protocol, sink, b"")  # let what went to the app finish
                protocol.data_received(head)
                if sink.written == before:
                    raise RuntimeError(f"{name}: not answered from the parser")
            start = time.process_time()
            for _ in range(requests):
                protocol.data_received(head)
            took = (time.process_time() - start) / requests * 1e6
            print(f"{name:28} {took:>18.1f}")
        if profile:
            stats = cProfile.Profile()
            head = heads["10 KB image, key"]
            stats.enable()
            for _ in range(requests):
                protocol.data_received(head)
            stats.disable()
            pstats.Stats(stats).sort_stats("tottime").print_stats(18)


def _head(target: str, keyed: bool) -> bytes:
    auth = f"Authorization: ApiKey {KEY}\r\n" if keyed else ""
    return f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}User-Agent: wrk\r\n\r\n".encode()


async def _answer(protocol: FolioHttpTools, sink: _Sink, head: bytes) -> None:
    protocol.data_received(head)
    for _ in range(6000):  # an answer the app gives takes a few loop turns (and a render)
        await asyncio.sleep(0.005)
        if protocol.cycle is None or protocol.cycle.response_complete:
            return
    raise RuntimeError("the app did not answer within 30 s")


async def _etag(protocol: FolioHttpTools, sink: _Sink, head: bytes) -> str:
    captured: list[bytes] = []
    write = sink.write

    def keep(data: Any) -> None:
        captured.append(bytes(data))
        write(data)

    sink.write = keep  # type: ignore[method-assign]
    sink.writelines = lambda lines: [keep(line) for line in lines]  # type: ignore[method-assign]
    protocol.data_received(head)
    del sink.write, sink.writelines
    raw = b"".join(captured)
    for line in raw.split(b"\r\n"):
        if line.lower().startswith(b"etag:"):
            return line.split(b":", 1)[1].strip().decode()
    raise RuntimeError("no ETag in the answer")


async def _token(app: Any, base: str, pid: str) -> str:
    import datetime as dt

    tokens = app.svc.gate.tokens

    body = tokens.create("bench", pid, dt.date.today() + dt.timedelta(days=2), "bench")
    await tokens.check(body["token"], pid)
    return str(body["token"])


if __name__ == "__main__":
    main()
