"""Decoded page images, kept while several sizes of the same page are being made.

Decoding a 220 DPI page costs about as much as scaling and encoding it, so
a viewer zooming through widths, or a CDN warming several sizes of a page,
pays it once. A page is decoded whole only on its second miss: a single size
is cheaper through shrink-on-load straight from the file. Bounded by bytes,
least recently used out first; 0 bytes turns it off.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

MISSES_REMEMBERED = 4096


class DecodedPages:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size_bytes = 0
        self._images: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._misses: OrderedDict[str, None] = OrderedDict()

    def get(self, key: str) -> Any:
        entry = self._images.get(key)
        if entry is None:
            return None
        self._images.move_to_end(key)
        return entry[0]

    def wants(self, key: str) -> bool:
        """Record a render from the file; True when this page was rendered before."""
        if self.max_bytes <= 0:
            return False
        if key in self._misses:
            return True
        self._misses[key] = None
        if len(self._misses) > MISSES_REMEMBERED:
            self._misses.popitem(last=False)
        return False

    def put(self, key: str, image: Any) -> None:
        size = int(image.width * image.height * image.bands)
        if size > self.max_bytes or key in self._images:
            return
        self._images[key] = (image, size)
        self.size_bytes += size
        while self.size_bytes > self.max_bytes:
            _, (_, dropped) = self._images.popitem(last=False)
            self.size_bytes -= dropped
