"""Long-poll wake-up: folio's ctypes inotify watch against watchfiles, and end to end over HTTP.

    .venv/bin/python -m benchmarks.watch_wakeup

1. one waiter: from the record's rename to the waiter waking (ctypes; watchfiles at
   its default step of 50 ms and at 5 ms and 1 ms);
2. 60 waiters on watchfiles: how long one anyio thread hop (Starlette's UploadFile
   writes and run_in_threadpool use them) takes while they wait;
3. end to end on a real folio over TCP: POST with wait_for=0, then GET (long poll);
   from the record turning done (`completed_at`, set just before the rename) to the
   GET's answer arriving.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio.to_thread
import httpx
import watchfiles

from service.artifacts.watch import RecordWatcher
from tests.helpers import run_server
from tests.pipeline.conftest import INVOICE, make_text_pdf

ROUNDS = 30


def _land(directory: Path, delay: float, stamps: list[float]) -> None:
    time.sleep(delay)
    (directory / ".record.tmp").write_bytes(b"{}")
    stamps.append(time.perf_counter())
    os.replace(directory / ".record.tmp", directory / "record.json")


async def ctypes_once(directory: Path) -> float:
    watcher, stamps = RecordWatcher(lambda _id: directory), []
    async with watcher.watch("any") as changed:
        writer = asyncio.get_running_loop().run_in_executor(None, _land, directory, 0.05, stamps)
        await watcher.wait(changed, 5)
        woke = time.perf_counter()
        await writer
    watcher.close()
    return woke - stamps[0]


def watchfiles_once(step: int) -> Callable[[Path], Awaitable[float]]:
    async def once(directory: Path) -> float:
        stamps: list[float] = []
        writer = asyncio.get_running_loop().run_in_executor(None, _land, directory, 0.05, stamps)
        woke = 0.0
        async for _ in watchfiles.awatch(directory, step=step, recursive=False,
                                         watch_filter=None):
            woke = time.perf_counter()
            break
        await writer
        return woke - stamps[0]
    return once


async def thread_hop_while_waiting(waiters: int) -> list[float]:
    base, stop = Path(tempfile.mkdtemp()), asyncio.Event()

    async def wait(directory: Path) -> None:
        async for _ in watchfiles.awatch(directory, step=1, recursive=False,
                                         watch_filter=None, stop_event=stop):
            break

    tasks = []
    for n in range(waiters):
        (base / str(n)).mkdir()
        tasks.append(asyncio.create_task(wait(base / str(n))))
    await asyncio.sleep(1.0)
    hops = []
    for _ in range(5):
        start = time.perf_counter()
        await anyio.to_thread.run_sync(lambda: None)
        hops.append((time.perf_counter() - start) * 1000)
    stop.set()
    await asyncio.gather(*tasks)
    return hops


def end_to_end(rounds: int) -> list[float]:
    work = Path(tempfile.mkdtemp())
    pdf = make_text_pdf(work / "invoice.pdf", [INVOICE]).read_bytes()
    secret = "secret-bench-0123456789"
    late = []
    with run_server(work / "data", {"FOLIO_API_KEYS": f"bench:{secret}"}) as server, \
            httpx.Client(base_url=server.url,
                         headers={"Authorization": f"ApiKey {secret}"}, timeout=60) as client:
        for _ in range(rounds):
            accepted = client.post("/processing/ocr?wait_for=0", files={"file": ("a.pdf", pdf)})
            pid = accepted.json()["processing_id"]
            assert client.get(f"/processing/results/{pid}").status_code == 200
            answered = time.time()
            record = server.store.load(pid)
            assert record is not None and record.completed_at is not None
            late.append((answered - record.completed_at) * 1000)
    return late


def summary(name: str, values: list[float]) -> str:
    values = sorted(values)
    return (f"{name:28s} median {statistics.median(values):8.2f} ms   "
            f"p90 {values[int(len(values) * 0.9)]:8.2f} ms   max {values[-1]:8.2f} ms")


async def main() -> None:
    base = Path(tempfile.mkdtemp())
    for name, once in [("ctypes inotify", ctypes_once),
                       ("watchfiles step=50 (default)", watchfiles_once(50)),
                       ("watchfiles step=5", watchfiles_once(5)),
                       ("watchfiles step=1", watchfiles_once(1))]:
        times = []
        for n in range(ROUNDS):
            directory = base / f"{name.split()[0]}-{name[-3:]}-{n}"
            directory.mkdir()
            times.append(await once(directory) * 1000)
        print(summary(name, times))
    hops = await thread_hop_while_waiting(60)
    print(f"one anyio thread hop while 60 watchfiles long polls wait: "
          f"{', '.join(f'{h:.0f}' for h in hops)} ms")
    print(summary("POST → GET long poll (HTTP)", end_to_end(20)))


if __name__ == "__main__":
    asyncio.run(main())
