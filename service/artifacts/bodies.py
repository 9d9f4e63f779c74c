"""The memory tier of finished artifacts: small stored files held as bytes.

A finished processing's files never change (the store writes each once, by
rename, before the record turns succeeded), so once read, the plain and the
gzip body of an OCR JSON, an hOCR page or a small PDF can be answered from
memory for as long as there is room: no open/read/close per request. Entries
are keyed by (processing id and record version, stored file, gzip or not) and
evicted least recently used; the values' bytes are bounded by
FOLIO_MEMORY_ARTIFACT_BYTES, and a file above FOLIO_MEMORY_ARTIFACT_MAX_BYTES
is never read here (it keeps streaming from disk).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

BodyKey = tuple[str, str, bool]  # "<processing id>/<record version>", stored file, gzip twin
RawHeaders = list[tuple[bytes, bytes]]
LARGE_MEMO = 20_000  # keys known to be too large or absent, before the memo is cleared


@dataclass(frozen=True, slots=True)
class Body:
    data: bytes
    headers: RawHeaders  # the 200's headers as the file answer has them, before cache policy


class Bodies:
    def __init__(self, max_bytes: int, max_body_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.max_body_bytes = min(max_body_bytes, max_bytes)
        self.size_bytes = 0
        self._entries: OrderedDict[BodyKey, Body] = OrderedDict()
        # too large or missing: the request falls through without a stat each time
        self._skip: set[BodyKey] = set()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def enabled(self) -> bool:
        return self.max_body_bytes > 0

    def get(self, key: BodyKey) -> Body | None:
        body = self._entries.get(key)
        if body is not None:
            self._entries.move_to_end(key)
        return body

    def skipped(self, key: BodyKey) -> bool:
        return key in self._skip

    def skip(self, key: BodyKey) -> None:
        if len(self._skip) >= LARGE_MEMO:
            self._skip.clear()
        self._skip.add(key)

    def forget(self, processing_id: str) -> None:
        """Drop every body of the processing (it was deleted)."""
        owner = processing_id + "/"
        for key in [k for k in self._entries if k[0].startswith(owner)]:
            self.size_bytes -= len(self._entries.pop(key).data)
        self._skip = {k for k in self._skip if not k[0].startswith(owner)}

    def put(self, key: BodyKey, body: Body) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self.size_bytes -= len(old.data)
        if len(body.data) > self.max_body_bytes:
            return
        self._entries[key] = body
        self.size_bytes += len(body.data)
        while self.size_bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self.size_bytes -= len(evicted.data)


def read_small(path: Path | str, limit: int) -> tuple[bytes, os.stat_result] | None:
    """The file's bytes and its stat, or None when it is larger than `limit` or absent.

    The stat is taken on the open descriptor, so size and Last-Modified describe
    exactly the bytes read."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        stat = os.fstat(fd)
        if stat.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read()
    finally:
        os.close(fd)
    if len(data) != stat.st_size:
        return None  # never for a finished artifact; the file answer will say what is wrong
    return data, stat
