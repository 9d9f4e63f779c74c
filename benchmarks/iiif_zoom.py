"""IIIF scenarios: tile hits and misses against page images, and a cold zoom step.

    .venv/bin/python -m benchmarks.run --only iiif     # writes RESULTS-iiif.md

- tile hit: one 512-px tile (`0,0,1024,1024/512,512`, scale factor 2) answered
  from the memory tier, against the page-image hit of P1 (`?width=800`), paired;
- tile miss: a wrk Lua script asks for a new tile every request (offsets and
  scale factors 1, 2, 4 vary), against P4's page-image miss (a new width);
- cold zoom: a fresh processing (nothing cached, nothing decoded), the tiles an
  800x800 OpenSeadragon asks for at one zoom step, 6 at a time as a browser
  does, wall time from the first request to the last byte; the whole page at
  its own size (one 1819x2573 JPEG) as the reference.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from benchmarks.tools import WORK, say

if TYPE_CHECKING:
    from benchmarks.run import Bench

BROWSER_CONNECTIONS = 6  # what a browser opens per host


def run(b: Bench, auth: str, headers: dict[str, str]) -> None:
    from benchmarks.run import P1_WIDTH, Row, quiet, renders

    pid = b.processing()
    folio, base = b.folio("folio-iiif")
    tile = f"{base}/iiif/3/{pid}~1/0,0,1024,1024/512,512/0/default.jpg"
    page = f"{base}/processing/results/{pid}/page-images/1?width={P1_WIDTH}"
    sizes = {}
    for url in (tile, page):
        httpx.get(url, headers=headers)
        second = httpx.get(url, headers=headers)
        assert second.status_code == 200, second.text
        sizes[url] = (len(second.content), second.headers.get("x-cache"))
    say("IIIF tile hit vs page-image hit")
    ft, fp, note = b.paired((tile, [auth]), (page, [auth]))
    b.add(Row("IIIF 512-px tile hit vs page-image hit (800 px)", ft, "folio page image",
              fp, "req/s", ">=0.9x",
              f"tile {sizes[tile][0]:,} bytes ({sizes[tile][1]}), page image "
              f"{sizes[page][0]:,} bytes ({sizes[page][1]}); {note}"))

    say("IIIF tile miss vs page-image miss")
    seconds = max(b.seconds, 5.0)
    tiles = _script("miss-tiles", f"""local n = 0
local counter = 0
function setup(thread) thread:set("offset", n); n = n + 1 end
function request()
  local c = 2 * counter + (offset or 0)
  counter = counter + 1
  local s = ({{1, 2, 4}})[c % 3 + 1]
  local x, y = (c * 7) % 1300, (c * 13) % 2000
  return wrk.format(nil, string.format(
    "/iiif/3/{pid}~1/%d,%d,%d,%d/!512,512/0/default.jpg", x, y, 512 * s, 512 * s))
end
""")
    widths = _script("miss-widths", f"""local n = 0
local counter = 0
function setup(thread) thread:set("offset", n); n = n + 1 end
function request()
  local w = 200 + ((offset or 0) + 2 * counter) % 1601
  counter = counter + 1
  return wrk.format(nil, string.format("/processing/results/{pid}/page-images/1?width=%d", w))
end
""")
    before = renders(base)
    tm = b.wrk(base, [auth], warm=False, script=tiles, seconds=seconds)
    made_tiles = quiet(base) - before
    before = renders(base)
    pm = b.wrk(base, [auth], warm=False, script=widths, seconds=seconds)
    made_pages = quiet(base) - before
    b.add(Row("IIIF tile miss (new tile each request, scale 1/2/4) vs page-image miss", tm.rps,
              "folio page image", pm.rps, "req/s", "info",
              f"{made_tiles:.0f} tile renders for {tm.requests} requests, "
              f"{made_pages:.0f} page renders for {pm.requests}"))

    say("IIIF cold zoom step")
    steps = {
        "home view (1 request, scale 8)": ["full/228,322"],
        "first zoom step (6 tiles, scale 4 -> 2)": [
            f"{x},{y},{min(1024, 1819 - x)},{min(1024, 2573 - y)}/"
            f"{-(-min(1024, 1819 - x) // 2)},{-(-min(1024, 2573 - y) // 2)}"
            for y in (0, 1024, 2048) for x in (0, 1024)],
        "deep zoom step (9 tiles, scale 1)": [
            f"{x},{y},512,512/512,512" for y in (512, 1024, 1536) for x in (512, 1024, 1280)],
    }
    for label, parts in steps.items():
        cold, whole = [], []
        for _ in range(3):
            fresh = b.processing()
            urls = [f"{base}/iiif/3/{fresh}~1/{p}/0/default.jpg" for p in parts]
            took, tile_bytes = _fetch_all(urls, headers)
            cold.append(took)
            other = b.processing()
            took, page_bytes = _fetch_all(
                [f"{base}/processing/results/{other}/page-images/1"], headers)
            whole.append(took)
        b.add(Row(f"IIIF cold zoom: {label}", round(statistics.median(cold), 1),
                  "whole page 1819x2573", round(statistics.median(whole), 1), "ms", "info",
                  "median of 3 fresh processings (" + "/".join(f"{x:.0f}" for x in cold)
                  + f" ms); {tile_bytes:,} bytes of tiles vs {page_bytes:,} bytes of page "
                  "(on loopback, where bytes cost nothing)"))
    b.stop(folio)


def _script(name: str, text: str) -> Path:
    path = WORK / f"{name}.lua"
    path.write_text(text)
    return path


def _fetch_all(urls: list[str], headers: dict[str, str]) -> tuple[float, int]:
    """Wall milliseconds to fetch every URL, BROWSER_CONNECTIONS at a time; bytes."""

    async def go() -> tuple[float, int]:
        limits = httpx.Limits(max_connections=BROWSER_CONNECTIONS)
        async with httpx.AsyncClient(headers=headers, timeout=60, limits=limits) as client:
            await client.get(urls[0].split("/iiif/")[0].split("/processing/")[0] + "/healthz")
            t = time.perf_counter()
            responses = await asyncio.gather(*(client.get(u) for u in urls))
            took = (time.perf_counter() - t) * 1000
        bad = [r.status_code for r in responses if r.status_code != 200]
        assert not bad, f"cold zoom answers {bad}"
        return took, sum(len(r.content) for r in responses)

    return asyncio.run(go())
