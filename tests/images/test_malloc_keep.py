"""FOLIO_MALLOC_KEEP_BYTES: image-sized buffers freed and allocated again per
request (a Redis-tier hit) are reused instead of being faulted in anew.

Each case runs in a fresh interpreter, as malloc's thresholds are per process.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from service.config import Settings

SNIPPET = """
import sys
from service.images.arenas import cap_malloc_arenas, keep_freed_memory
cap_malloc_arenas()
keep_freed_memory(int(sys.argv[1]))

def minflt():
    with open("/proc/self/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[7])

def request():
    # what a 224 KB hit from Redis allocates: socket buffer, parser buffer, value
    bufs = [bytearray(230_000) for _ in range(3)]
    value = bytes(bufs[0])
    del bufs, value

for _ in range(20):
    request()
before = minflt()
for _ in range(200):
    request()
print(minflt() - before)
"""


def faults(keep_bytes: int) -> int:
    out = subprocess.run([sys.executable, "-c", SNIPPET, str(keep_bytes)],
                         capture_output=True, text=True, check=True, timeout=60)
    return int(out.stdout.strip())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc mallopt")
def test_freed_image_buffers_are_reused_not_faulted_in_again() -> None:
    adaptive = faults(0)
    if adaptive < 200:
        pytest.skip(f"this libc keeps the buffers anyway ({adaptive} faults)")
    kept = faults(Settings().malloc_keep_bytes)
    # 200 requests of ~4 x 225 KB: without the setting each faults in dozens of pages
    assert kept < 50, (kept, adaptive)


def test_negative_keep_bytes_is_refused() -> None:
    from service.config import ConfigError

    with pytest.raises(ConfigError):
        Settings.from_env({"FOLIO_MALLOC_KEEP_BYTES": "-1"})
