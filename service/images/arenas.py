"""Keep a serving process' resident memory close to what its caches hold.

glibc gives every thread that allocates its own malloc arena (up to 8 per
core), and freed image buffers left in many arenas stay resident. Render
threads allocate and free megabytes per request, so the arenas are capped.

The other way round, a hit from Redis allocates a few buffers of the image's
size per request (the socket buffer, the parser's, the value) and frees them
again. With glibc's adaptive thresholds, set by the last freed large buffer,
those land at the top of the heap and are handed back to the kernel after
every request, then faulted in again, page by page, by the next one: ~45 page
faults and ~20 % of the process' CPU per 224 KB hit. `keep_freed_memory` fixes
the thresholds so that up to FOLIO_MALLOC_KEEP_BYTES of freed memory stays for
reuse (buffers below half of it come from the heap).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

log = logging.getLogger("folio")
M_TRIM_THRESHOLD = -1  # from glibc's malloc.h
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
MMAP_THRESHOLD_MAX = 32 * 1024 * 1024  # glibc's ceiling on 64-bit
ARENAS = 2


def cap_malloc_arenas(arenas: int = ARENAS) -> bool:
    return _mallopt("malloc arenas", (M_ARENA_MAX, arenas))


def keep_freed_memory(keep_bytes: int) -> bool:
    """Fixed malloc thresholds: keep up to `keep_bytes` freed at the heap's top.

    0 leaves glibc's adaptive thresholds alone. Setting them ends the adaptation
    for good, so the mmap threshold is set too (else it would stay at 128 KiB
    and every image-sized buffer would be a fresh mapping).
    """
    if keep_bytes <= 0:
        return False
    return _mallopt("malloc thresholds",
                    (M_MMAP_THRESHOLD, min(keep_bytes // 2, MMAP_THRESHOLD_MAX)),
                    (M_TRIM_THRESHOLD, keep_bytes))


def _mallopt(what: str, *settings: tuple[int, int]) -> bool:
    """glibc's mallopt for each (parameter, value) in turn; False where there is none."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
        return all(libc.mallopt(param, value) for param, value in settings)
    except (OSError, AttributeError):
        log.debug("mallopt is not available; %s left as they are", what)
        return False
