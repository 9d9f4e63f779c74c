"""Limits on incoming connections, in uvicorn's httptools protocol.

uvicorn bounds none of these with httptools, and the parser buffers whatever it
is sent: without them a request's headers may be any size (4 x 64 MB of headers
= +256 MB of memory, before any authentication), a connection that sends its
headers a byte at a time (slowloris), or nothing, is held forever, and a body
shorter than its Content-Length keeps the handler waiting forever.

So: each request's head is counted from its own first byte (the parser is fed
one head, or body, at a time, however many requests a read holds); past
`FOLIO_HEADER_MAX_BYTES`: 431, after the answers to the requests before it. A
head must be complete within `FOLIO_HEADER_TIMEOUT` s of the connection, or of
its first byte (uvicorn's keep-alive timer never cuts a begun head), else 408;
a body idle for `FOLIO_BODY_TIMEOUT` s (not counting while uvicorn itself does
not read) ends with 408 and the handler sees a disconnect. An exception in a
parser callback is folio's failure: logged, 500 (never the parser's 400). Each
answer is JSON with a `detail` and closes the connection after a lingering
close: late bytes are read and dropped for up to LINGER_SECONDS, because closing
a socket with unread bytes makes the kernel send a reset, destroying the answer.

`folio serve` runs uvicorn with this protocol or (by default) its subclass
`service.web.http_protocol`; the limits are read in each worker process.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.config import Settings

log = logging.getLogger(__name__)

# how long (how much) a refused connection's late bytes are drained before the close
LINGER_SECONDS = 2.0
LINGER_BYTES = 8 * 1024 * 1024
IMPORT_PATH = "service.web.connection_limits:LimitedHttpTools"
_REASONS = {400: b"Bad Request", 408: b"Request Timeout", 431: b"Request Header Fields Too Large",
            500: b"Internal Server Error"}
_UNKNOWN = -1  # a body's length not looked up yet
_HEAD_END, _CHUNKED_END = b"\r\n\r\n", b"0\r\n\r\n"  # (a chunked body without trailers)
_SPLITS = 64  # pieces a chunked body is cut into per read, at most


@functools.cache
def limits_from_env() -> Settings:
    """The settings, read once per worker process."""
    return Settings.from_env()


class LimitedHttpTools(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = limits_from_env()
        self._header_max, self._header_timeout, self._body_timeout = (
            limits.header_max_bytes, limits.header_timeout, limits.body_timeout)
        self._too_large = f"The request's headers are larger than {self._header_max} bytes."
        self._in_headers = True  # the bytes arriving belong to a request's head
        self._begun = False  # a request's head has begun and not ended
        self._heads = 0  # heads parsed on this connection
        self._header_bytes = 0  # bytes of the head in progress (from its first byte)
        self._tail = b""  # the last bytes fed, inside a head or a chunked body
        self._unsized = False  # a head began in a piece where its start is unknown
        self._body_length: int | None = _UNKNOWN  # the body in progress's Content-Length
        self._body_got = 0  # its bytes so far
        self._header_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._body_seen = 0.0  # loop time the last body bytes came in
        self._draining = False  # refused: late bytes are dropped until the close
        self._drained = 0
        self._refusal: tuple[int, str] | None = None  # due once the answers under way end
        self._linger_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()  # a connection that never sends a byte is held no longer

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        self._cancel_body_timer()
        if self._linger_timer is not None:
            self._linger_timer.cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._draining or self._refusal is not None:
            self._drained += len(data)
            if self._drained > LINGER_BYTES:
                self.transport.close()
            return
        self._feed(data)
        if self.transport.is_closing() or self._draining or self._refusal is not None:
            return
        # timers only when a feed ends inside a request: a whole one costs none
        if self._in_headers and (self._begun or self._header_bytes):
            self._arm_header_timer()
        elif not self._in_headers and self._body_timer is None:
            self._body_seen = self.loop.time()
            self._body_timer = self.loop.call_later(self._body_timeout, self._body_timed_out)

    def _feed(self, data: bytes) -> None:
        """Feed the parser pieces ending where a head or body does: each head counted on
        its own, each request seen by uvicorn as in a read of its own."""
        pos, end = 0, len(data)
        view: memoryview | None = None
        splits = 0
        while pos < end:
            if self._in_headers:
                room = self._header_max - self._header_bytes
                cut = self._find(_HEAD_END, data, pos, pos + room)
                if cut < 0:
                    cut = min(end, pos + room)
                self._header_bytes += cut - pos
            elif self._body_length == _UNKNOWN:
                self._body_length = self._content_length()
                continue
            elif self._body_length is not None:  # Content-Length: up to the body's end
                left = self._body_length - self._body_got
                cut = min(end, pos + left) if left > 0 else end
            else:  # chunked: up to where such a body usually ends, a few times a read
                splits += 1
                cut = self._find(_CHUNKED_END, data, pos, end) if splits <= _SPLITS else -1
                if cut < 0:  # where it ends in this piece is unknown: so is a next head's size
                    cut, self._unsized = end, True
            heads, in_headers = self._heads, self._in_headers
            if pos == 0 and cut == end:
                super().data_received(data)
            else:
                view = memoryview(data) if view is None else view
                super().data_received(view[pos:cut])  # type: ignore[arg-type]  # a view will do
            if self.transport.is_closing() or self._draining or self._refusal is not None \
                    or (self._heads != heads and self.parser.should_upgrade()):
                return  # answered and closing, or upgraded: uvicorn drops the rest
            pos = cut
            if in_headers and self._heads == heads and self._header_bytes >= self._header_max \
                    and pos < end:
                self._refuse_after_answers(431, self._too_large)
                return
        if self._begun or not self._in_headers:  # a head or a body goes on in the next read
            self._tail = (self._tail + data[-4:])[-4:]

    def _find(self, mark: bytes, data: bytes, start: int, stop: int) -> int:
        """Where the first `mark` in data[start:stop] (or begun in the tail) ends, or -1."""
        if start == 0 and self._tail and (self._begun or not self._in_headers):
            probe = (self._tail + data[:len(mark) - 1]).find(mark)
            if probe >= 0:
                return min(probe + len(mark) - len(self._tail), stop)
        found = data.find(mark, start, stop)
        return found + len(mark) if found >= 0 else -1

    def _content_length(self) -> int | None:
        """The body's length, as the parser takes it; None when chunked."""
        fields = dict(self.headers)
        length = fields.get(b"content-length", b"0")
        return None if b"transfer-encoding" in fields else int(length) if length.isdigit() else 0

    def send_400_response(self, msg: str) -> None:
        """uvicorn's 400 for what the parser refuses, JSON; a head's after the answers."""
        (self._refuse_after_answers if self._in_headers else self._refuse)(400, msg)

    # -- parser callbacks: an exception is swallowed (else the parser's 400) -----

    def on_message_begin(self) -> None:
        try:
            self._begun = True
            super().on_message_begin()
        except Exception:
            self._fail(later=True)

    def on_headers_complete(self) -> None:
        try:
            # a head partly in a piece of unknown split: the size of what it holds
            oversized = self._unsized and len(self.parser.get_method()) + len(self.url) + 14 \
                + sum(len(name) + len(value) + 4 for name, value in self.headers) \
                > self._header_max
            self._head_ended()
            if oversized:
                self._refuse_after_answers(431, self._too_large)
            elif self._refusal is None and not self._draining:  # else a refused one's
                super().on_headers_complete()
        except Exception:
            self._fail(later=True)

    def _head_ended(self) -> None:
        self._begun = self._in_headers = self._unsized = False
        self._heads += 1
        self._header_bytes = self._body_got = 0
        self._tail = b""
        self._body_length = _UNKNOWN
        self._cancel_header_timer()

    def on_body(self, body: bytes) -> None:
        try:
            self._body_seen = self.loop.time()
            self._body_got += len(body)
            if self._refusal is None:
                super().on_body(body)
        except Exception:
            self._fail()

    def on_message_complete(self) -> None:
        try:
            self._message_ended()
            if self._refusal is None:
                super().on_message_complete()
        except Exception:
            self._fail()

    def _message_ended(self) -> None:
        self._in_headers = True
        self._header_bytes = 0
        self._tail = b""
        self._cancel_body_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._refusal is not None or self._begun:
            # a refusal due, or a next head begun (the header timer's): no keep-alive timer
            self._unset_keepalive_if_required()
            if self._refusal is not None and (self.cycle is None
                                              or self.cycle.response_complete):
                self._refuse(*self._refusal)

    def _fail(self, later: bool = False) -> None:
        """An exception in a callback (`later`: while a new request's head ended)."""
        log.exception("unhandled error in the HTTP protocol")
        refuse = self._refuse_after_answers if later else self._refuse
        refuse(500, "Internal server error.")

    def _arm_header_timer(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self._header_timeout,
                                                      self._headers_timed_out)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _cancel_body_timer(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _headers_timed_out(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or not self._in_headers:
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self._arm_header_timer()  # an earlier request is still being answered
            return
        if not self._begun and not self._header_bytes and self._heads > 0:
            return  # idle between requests: uvicorn's keep-alive timeout has that case
        self._refuse(408, "The request's headers did not arrive in time.")

    def _body_timed_out(self) -> None:
        self._body_timer = None
        if self.transport.is_closing() or self._in_headers:
            return
        now = self.loop.time()
        if self.flow.read_paused or (self.cycle is not None
                                     and self.cycle.waiting_for_100_continue):
            # uvicorn stopped reading, or the client waits for its 100 Continue
            self._body_seen = now
        idle = now - self._body_seen
        if idle < self._body_timeout:
            self._body_timer = self.loop.call_later(self._body_timeout - idle,
                                                    self._body_timed_out)
            return
        self._refuse(408, "The request body stopped arriving.")

    def _refuse_after_answers(self, status: int, detail: str) -> None:
        """Refuse the request being parsed once the earlier ones are answered."""
        if self.cycle is None or self.cycle.response_complete:
            self._refuse(status, detail)
            return
        self._cancel_header_timer()  # from now on, what is read is dropped
        self._cancel_body_timer()
        self._refusal = (status, detail)

    def _refuse(self, status: int, detail: str) -> None:
        """Answer `status` (unless a response has started) and close the connection."""
        self._refusal = None
        if self._draining or self.transport.is_closing():
            return
        self._cancel_header_timer()
        self._cancel_body_timer()
        cycle = self.cycle
        # an answer already (being) sent: nothing more may be written (`cycle` is the
        # last parsed head's: on a kept-alive connection maybe an answered one)
        started = (cycle is not None and cycle.response_started
                   and not cycle.response_complete)
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True  # the handler, if any, sees a disconnect
            cycle.message_event.set()
        if not started:
            body = orjson.dumps({"detail": detail})
            self.transport.write(b"".join([
                b"HTTP/1.1 %d %s\r\n" % (status, _REASONS[status]),
                b"content-type: application/json\r\n",
                b"cache-control: no-store\r\n",
                b"content-length: %d\r\n" % len(body),
                b"connection: close\r\n\r\n",
                body,
            ]))
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        # lingering close: FIN after the answer, late bytes read and dropped (no reset);
        # the client's own close, or the timer, ends the connection
        self.transport.write_eof()
        self._draining = True
        self.transport.resume_reading()
        self._linger_timer = self.loop.call_later(LINGER_SECONDS, self.transport.close)
