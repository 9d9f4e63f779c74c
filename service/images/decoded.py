"""Decoded page images, kept while several sizes of the same page are being made.

Decoding a 220 DPI page costs about as much as scaling and encoding it, so
a viewer zooming through widths, or a CDN warming several sizes of a page,
pays it once. A page is decoded whole only on its second miss: a single size
is cheaper through shrink-on-load straight from the file. Bounded by bytes,
least recently used out first; 0 bytes turns it off.

A page that would not fit the budget is never decoded whole (it could not be
kept, so every miss would pay a full decode for one size: a 99.8 MP page is
300 MB). Decodes in flight are bounded too: one per page, and at most
`concurrency` at once; a miss that finds no free slot renders from the file
rather than waiting. So the decoded pages never take more than the budget plus
`concurrency` pages of at most the budget each.

All methods run on the event loop thread: no locks.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

MISSES_REMEMBERED = 4096


class DecodedPages:
    def __init__(self, max_bytes: int, concurrency: int = 1) -> None:
        self.max_bytes = max_bytes
        self.concurrency = concurrency
        self.size_bytes = 0
        self._images: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._misses: OrderedDict[str, None] = OrderedDict()
        self._decoding: set[str] = set()

    def get(self, key: str) -> Any:
        entry = self._images.get(key)
        if entry is None:
            return None
        self._images.move_to_end(key)
        return entry[0]

    def fits(self, size_bytes: int) -> bool:
        return 0 < size_bytes <= self.max_bytes

    def claim(self, key: str, min_bytes: int) -> bool:
        """Record a render from the file; True when this page should be decoded whole now.

        `min_bytes` is the least the decoded page can take (width x height,
        one band): a page over the budget is never decoded. A True answer
        holds a decode slot until `release(key)`.
        """
        if self.max_bytes <= 0 or not self.fits(min_bytes):
            return False
        if key not in self._misses:
            self._misses[key] = None
            if len(self._misses) > MISSES_REMEMBERED:
                self._misses.popitem(last=False)
            return False
        if key in self._decoding or len(self._decoding) >= self.concurrency:
            return False
        self._decoding.add(key)
        return True

    def release(self, key: str) -> None:
        self._decoding.discard(key)

    def drop_prefix(self, prefix: str) -> None:
        """Forget the pages whose key starts with `prefix` (a deleted processing's)."""
        for key in [k for k in self._images if k.startswith(prefix)]:
            self.size_bytes -= self._images.pop(key)[1]
        for key in [k for k in self._misses if k.startswith(prefix)]:
            del self._misses[key]

    def put(self, key: str, image: Any) -> None:
        size = int(image.width * image.height * image.bands)
        if not self.fits(size) or key in self._images:
            return
        self._images[key] = (image, size)
        self.size_bytes += size
        while self.size_bytes > self.max_bytes:
            _, (_, dropped) = self._images.popitem(last=False)
            self.size_bytes -= dropped
