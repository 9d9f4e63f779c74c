"""`format=auto`: the image format a client's `Accept` header asks for.

AVIF and WebP count only when the client names them (`image/avif`,
`image/webp`): a wildcard such as curl's `*/*` or an old browser's `image/*`
promises nothing about decoding them. JPEG is always acceptable unless the
client refuses it with q=0 and wildcards alike; even then it is the answer,
because the page exists only as an image and a 406 helps no viewer.
Among acceptable formats the highest q wins; a tie goes to the smaller format
(AVIF, then WebP, then JPEG).
"""

from __future__ import annotations

import functools
import logging

import pyvips

log = logging.getLogger("folio.negotiate")

AUTO = "auto"
FALLBACK = "jpeg"
# smallest first: the tie-break order
_EXPLICIT = (("avif", "image/avif"), ("webp", "image/webp"))


@functools.cache
def can_encode(fmt: str) -> bool:
    """Whether this libvips build can write `fmt` (AVIF needs heifsave with an AV1 encoder)."""
    try:
        pyvips.Image.black(8, 8).write_to_buffer(f".{fmt}")
    except pyvips.Error as exc:
        log.warning("format=auto will not offer %s: %s", fmt, exc)
        return False
    return True


def _ranges(accept: str) -> dict[str, float]:
    """media range → q; malformed q-values count as 0 (refused), the safe reading."""
    ranges: dict[str, float] = {}
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value)))
                except ValueError:
                    q = 0.0
        media = media.lower()
        # the first mention of a range counts, as in most servers
        ranges.setdefault(media, q)
    return ranges


def choose(accept: str | None) -> str:
    """The format to encode for this Accept header: avif, webp or jpeg."""
    if not accept:
        return FALLBACK
    ranges = _ranges(accept)
    best, best_q = FALLBACK, 0.0
    for fmt, media in _EXPLICIT:
        q = ranges.get(media, 0.0)
        if q > best_q and can_encode(fmt):
            best, best_q = fmt, q
    jpeg_q = next((ranges[m] for m in ("image/jpeg", "image/*", "*/*") if m in ranges),
                  0.0)
    return best if best_q > 0 and best_q >= jpeg_q else FALLBACK
