"""A stored file as an ASGI answer: whole, one byte range (206), several
(multipart/byteranges) or none (416), decided by the planner's Range rules
(`planner.preconditions`). A whole file or one range goes zero-copy where the
server offers it: `http.response.pathsend` (granian), or folio's own sendfile
under uvicorn (`service.web.zero_copy`); else, and for multipart answers, it is
streamed with aiofiles.
"""

from __future__ import annotations

import os
from secrets import token_hex

import aiofiles
from starlette.datastructures import MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from service.errors import ApiError, StoreUnavailable
from service.objects.base import ObjectStore
from service.web.planner import preconditions
from service.web.planner.exchange import exchange_of
from service.web.planner.representation import header
from service.web.zero_copy import SCOPE_KEY as ZERO_COPY
from service.web.zero_copy import ZeroCopy
from service.wire.errors import error_parts

RawHeaders = list[tuple[bytes, bytes]]
CHUNK = 512 * 1024  # every chunk is one thread-pool hop in aiofiles: fewer, larger reads
# below this a sendfile's thread hop costs more than the one read and write it saves
ZERO_COPY_ABOVE = 256 * 1024


class FileAnswer:
    def __init__(self, path: str | os.PathLike[str], size: int, headers: RawHeaders) -> None:
        self.path = os.fspath(path)
        self.size = size
        self.status_code = 200
        self.raw_headers = headers

    @property
    def headers(self) -> MutableHeaders:
        return MutableHeaders(raw=self.raw_headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        facts = exchange_of(scope).facts
        head_only = facts.method == "HEAD"
        ranges = None
        etag = header(self.raw_headers, b"etag") or ""
        if header(self.raw_headers, b"accept-ranges") and preconditions.range_applies(
                facts, etag, header(self.raw_headers, b"last-modified")):
            assert facts.range is not None
            ranges = preconditions.byte_ranges(facts.range, self.size)
        if ranges == []:
            status, headers, body = error_parts(ApiError(
                "The requested range is not satisfiable.", 416,
                {"content-range": f"bytes */{self.size}"}))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        if not ranges:
            await self._whole(scope, send, head_only)
        elif len(ranges) == 1:
            start, end = ranges[0]
            headers = [(n, v) for n, v in self.raw_headers if n != b"content-length"]
            headers += [(b"content-range", b"bytes %d-%d/%d" % (start, end - 1, self.size)),
                        (b"content-length", b"%d" % (end - start))]
            await send({"type": "http.response.start", "status": 206, "headers": headers})
            if head_only or not await self._zero_copy(scope, send, start, end):
                await self._stream(send, [(start, end)], head_only)
        else:
            await self._multipart(send, list(ranges), head_only)

    async def _whole(self, scope: Scope, send: Send, head_only: bool) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        if head_only:
            await send({"type": "http.response.body", "body": b""})
        elif "http.response.pathsend" in scope.get("extensions", {}):
            await send({"type": "http.response.pathsend", "path": self.path})
        elif not await self._zero_copy(scope, send, 0, self.size):
            await self._stream(send, [(0, self.size)], False)

    async def _zero_copy(self, scope: Scope, send: Send, start: int, end: int) -> bool:
        """The span sent by the server's sendfile (`service.web.zero_copy`); False when
        the server offers none (or the file is too small to gain from it)."""
        sendfile: ZeroCopy | None = scope.get(ZERO_COPY)
        if sendfile is None or end - start < ZERO_COPY_ABOVE:
            return False
        fd = os.open(self.path, os.O_RDONLY)
        try:
            sent = await sendfile(fd, start, end - start)
        finally:
            os.close(fd)
        if sent == end - start:
            await send({"type": "http.response.body", "body": b""})
        return True

    async def _stream(self, send: Send, spans: list[tuple[int, int]], head_only: bool,
                      between: list[bytes] | None = None, tail: bytes = b"") -> None:
        if head_only:
            await send({"type": "http.response.body", "body": b""})
            return
        async with aiofiles.open(self.path, mode="rb") as handle:
            for i, (start, end) in enumerate(spans):
                if between is not None:
                    await send({"type": "http.response.body", "body": between[i],
                                "more_body": True})
                await handle.seek(start)
                while start < end:
                    chunk: bytes = await handle.read(min(CHUNK, end - start))
                    if not chunk:
                        raise RuntimeError(f"{self.path} is shorter than its stat said")
                    start += len(chunk)
                    await send({"type": "http.response.body", "body": chunk,
                                "more_body": True})
        await send({"type": "http.response.body", "body": tail})

    async def _multipart(self, send: Send, ranges: list[tuple[int, int]],
                         head_only: bool) -> None:
        boundary = token_hex(13)
        media_type = header(self.raw_headers, b"content-type") or "application/octet-stream"
        parts = [(b"\r\n" if i else b"") + (
            f"--{boundary}\r\nContent-Type: {media_type}\r\n"
            f"Content-Range: bytes {start}-{end - 1}/{self.size}\r\n\r\n").encode("latin-1")
            for i, (start, end) in enumerate(ranges)]
        tail = f"\r\n--{boundary}--\r\n".encode("latin-1")
        length = sum(len(p) for p in parts) + sum(e - s for s, e in ranges) + len(tail)
        headers = [(n, v) for n, v in self.raw_headers
                   if n not in (b"content-length", b"content-type")]
        headers += [(b"content-type", f"multipart/byteranges; boundary={boundary}".encode()),
                    (b"content-length", b"%d" % length)]
        await send({"type": "http.response.start", "status": 206, "headers": headers})
        await self._stream(send, ranges, head_only, parts, tail)


class StoreRangeAnswer(FileAnswer):
    """A FileAnswer whose bytes are read from the object store, range by range: a
    large object this machine has no copy of, asked for in parts."""

    def __init__(self, store: ObjectStore, key: str, size: int, headers: RawHeaders) -> None:
        super().__init__(key, size, headers)
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # the head waits for the first bytes: a store that fails before them is still
        # a 503 answer, not a 206 cut short
        held: Message | None = None

        async def holding(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                held = message
                return
            if held is not None:
                await send(held)
                held = None
            await send(message)

        try:
            await super().__call__(scope, receive, holding)
        except StoreUnavailable as exc:
            if held is None:
                raise  # the answer has begun: nothing better than cutting it
            status, headers, body = error_parts(exc)
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})

    async def _whole(self, scope: Scope, send: Send, head_only: bool) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        await self._stream(send, [(0, self.size)], head_only)

    async def _stream(self, send: Send, spans: list[tuple[int, int]], head_only: bool,
                      between: list[bytes] | None = None, tail: bytes = b"") -> None:
        if head_only:
            await send({"type": "http.response.body", "body": b""})
            return
        for i, (start, end) in enumerate(spans):
            if between is not None:
                await send({"type": "http.response.body", "body": between[i],
                            "more_body": True})
            while start < end:
                chunk = await self.store.get_range(self.path, start, min(start + CHUNK, end))
                if not chunk:
                    raise RuntimeError(f"{self.path} is shorter than its size said")
                start += len(chunk)
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": tail})
