"""Peak memory of page-image misses, measured in a fresh process (VmHWM) with real libvips.

A page that cannot be kept in the decoded-page budget must not be decoded whole
on each miss, and concurrent misses of one page decode it at most once.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT, jpeg

MIB = 1024 * 1024

# Runs in a subprocess: renders the given widths of one stored page through the
# Scaler (sequentially, then `concurrent` at once) and prints how far the peak
# resident size rose above the resident size before the first render.
SCRIPT = """
import asyncio, sys
from pathlib import Path
from service.artifacts.store import FileStore
from service.config import Settings
from service.images import imaging
from service.images.arenas import cap_malloc_arenas
from service.images.scaler import Scaler, Variant
from service.wire.metrics import Metrics

path, page_w, page_h, budget, sequential, concurrent = sys.argv[1:7]
page_w, page_h, budget = int(page_w), int(page_h), int(budget)
cap_malloc_arenas()  # as the app does before its render threads exist
settings = Settings(data_dir=Path(path).parent, decoded_cache_bytes=budget, render_threads=8)
scaler = Scaler(settings, FileStore(Path(path).parent), Metrics(), None)

def variant(width, source_key="p:1:1"):
    out_w, out_h = imaging.output_size(page_w, page_h, width, None)
    return Variant(processing_id="p", source=1, source_key=source_key,
                   source_size=(page_w, page_h), width=out_w, height=out_h, fmt="jpeg",
                   quality=80, etag="e", key=f"k{width}", media_type="image/jpeg")

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)

async def main():
    # libjpeg and the encoders loaded, the pool's threads started
    await asyncio.gather(*(scaler._render(path, variant(8 + i, f"warm:{i}"))
                           for i in range(8)))
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM to the current resident size
    before = status("VmRSS")
    for w in [int(x) for x in sequential.split(",") if x]:
        await scaler._render(path, variant(w))
    await asyncio.gather(*(scaler._render(path, variant(int(w)))
                           for w in concurrent.split(",") if w))
    print(status("VmHWM") - before)

asyncio.run(main())
"""


def peak_growth(tmp_path: Path, size: tuple[int, int], budget: int, sequential: list[int],
                concurrent: list[int]) -> int:
    path = tmp_path / "1.jpg"
    path.write_bytes(jpeg(*size))
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(path), str(size[0]), str(size[1]), str(budget),
         ",".join(map(str, sequential)), ",".join(map(str, concurrent))],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=240)
    return int(out.stdout.strip().splitlines()[-1])


def test_a_page_over_the_budget_is_not_decoded_whole_on_each_miss(tmp_path: Path) -> None:
    # 6000 x 5000 x 3 = 86 MiB decoded, four times the budget
    growth = peak_growth(tmp_path, (6000, 5000), 16 * MIB, [100, 200, 300, 400], [])
    print(f"peak growth, 4 misses of a 30 MP page over the budget: {growth / MIB:.1f} MiB")
    assert growth < 40 * MIB


def test_concurrent_misses_decode_a_page_at_most_once(tmp_path: Path) -> None:
    # 3000 x 2500 x 3 = 21.5 MiB decoded: fits the 32 MiB budget
    growth = peak_growth(tmp_path, (3000, 2500), 32 * MIB, [100],
                         [150, 200, 250, 300, 350, 400, 450, 500])
    print(f"peak growth, 8 concurrent misses of a 7.5 MP page: {growth / MIB:.1f} MiB")
    # one decode (21.5 MiB) and seven renders from the file; before: eight decodes
    assert growth < 3 * 21.5 * MIB
