"""Redis killed (SIGKILL, no persistence) and restarted under load.

    python -m benchmarks.redis_restart [--clients 8] [--down 3]

Starts its own redis-server and `folio serve` (Redis mode, job workers in serve),
reads cached page images from several clients and submits documents, kills Redis
mid-run and starts it again. Prints failed reads, whether the worker lived, and
how long after Redis came back the last in-flight job ended.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx

from tests.helpers import SpareRedis, make_processing, run_server
from tests.pipeline.conftest import INVOICE, make_text_pdf

SECRET = "secret-bench-0123456789"


async def reader(client: httpx.AsyncClient, urls: list[str], stop: asyncio.Event,
                 tally: dict[str, int]) -> None:
    n = 0
    while not stop.is_set():
        url = urls[n % len(urls)]
        n += 1
        try:
            status = (await client.get(url)).status_code
        except httpx.HTTPError:
            status = -1
        key = "ok" if status == 200 else f"status {status}"
        tally[key] = tally.get(key, 0) + 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--down", type=float, default=3.0)
    parser.add_argument("--jobs", type=int, default=6)
    args = parser.parse_args()
    redis = SpareRedis()
    redis.start()
    with TemporaryDirectory() as tmp:
        pdf = make_text_pdf(Path(tmp) / "one.pdf", [INVOICE[:3]])
        env = {"FOLIO_API_KEYS": f"acme:{SECRET}", "FOLIO_REDIS_URL": redis.url,
               "FOLIO_RATE_LIMIT_RPS": "100000", "FOLIO_RATE_LIMIT_BURST": "100000",
               "FOLIO_PAGE_WORKERS": "1", "FOLIO_JOB_WORKERS": "1",
               "FOLIO_MEMORY_CACHE_BYTES": "1"}  # every read goes to Redis (L2)
        with run_server(Path(tmp) / "d", env) as srv:
            record = make_processing(srv.store, "acme", workflow="ocr", sizes=[(640, 640)])
            urls = [f"/processing/results/{record.processing_id}/page-images/1?width={w}"
                    for w in range(100, 140)]
            outcome = asyncio.run(run(srv.url, srv, urls, pdf, redis, args))
        print(outcome)
    redis.stop()


async def run(base: str, srv: object, urls: list[str], pdf: Path, redis: SpareRedis,
              args: argparse.Namespace) -> str:
    headers = {"Authorization": f"ApiKey {SECRET}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        for url in urls:  # warm the cache
            await client.get(url)
        ids = []
        for _ in range(args.jobs):
            response = await client.post("/processing/ocr?wait_for=0",
                                          files={"file": ("one.pdf", pdf.read_bytes())})
            ids.append(response.json()["processing_id"])
        stop = asyncio.Event()
        tally: dict[str, int] = {}
        readers = [asyncio.ensure_future(reader(client, urls, stop, tally))
                   for _ in range(args.clients)]
        await asyncio.sleep(1)
        assert redis.process is not None
        redis.process.kill()
        redis.process.wait()
        redis.process = None
        await asyncio.sleep(args.down)
        redis.start()
        back = time.monotonic()
        ended = None
        while time.monotonic() - back < 120:
            states = [(await client.get(f"/processing/results/{i}")).status_code for i in ids]
            if all(s in (200, 500) for s in states):
                ended = time.monotonic() - back
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(5)  # reads after Redis is back, until a worker beat again
        stop.set()
        await asyncio.gather(*readers)
        ready = (await client.get("/readyz")).json()
        finished = [(await client.get(f"/processing/results/{i}")).status_code for i in ids]
    return (f"reads: {tally}\njobs: {finished} (200 = succeeded, 500 = failed), "
            f"all ended {ended if ended is None else round(ended, 1)} s after Redis came "
            f"back\n/readyz after: {ready}")


if __name__ == "__main__":
    main()
