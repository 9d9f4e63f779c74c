"""Keep a serving process' resident memory close to what its caches hold.

glibc gives every thread that allocates its own malloc arena (up to 8 per
core), and freed image buffers left in many arenas stay resident. Render
threads allocate and free megabytes per request, so the arenas are capped.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

log = logging.getLogger("folio")
M_ARENA_MAX = -8  # from glibc's malloc.h
ARENAS = 2


def cap_malloc_arenas(arenas: int = ARENAS) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        log.debug("mallopt is not available; malloc arenas left as they are")
        return False
