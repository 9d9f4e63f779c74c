"""Limits on incoming connections, in uvicorn's httptools protocol.

uvicorn bounds none of these with httptools, and the parser buffers whatever
it is sent, so without them:
- a request's headers may be any size (4 x 64 MB of headers = +256 MB of
  memory, before any authentication);
- a connection that sends its headers a byte at a time (slowloris), or
  nothing at all, is held forever;
- a body shorter than its Content-Length keeps the handler waiting forever.

So: the bytes of a request up to the end of its headers are counted and past
`FOLIO_HEADER_MAX_BYTES` the answer is 431; the headers must be complete
within `FOLIO_HEADER_TIMEOUT` seconds of the connection (or of the request's
first byte, on a kept-alive connection), else 408; and a body that stops
arriving for `FOLIO_BODY_TIMEOUT` seconds ends with 408 (the handler sees a
disconnect). Both answers close the connection — after a lingering close: the
write side is shut and what the client still sends is read and dropped for up to
LINGER_SECONDS, because closing a socket with unread bytes makes the kernel send
a reset, which destroys the answer before a client still sending can read it.
Time during which uvicorn
itself stopped reading (the handler not consuming the body yet) is not the
client's idleness and is not counted.

`folio serve` runs uvicorn with a subclass of this protocol
(`service.web.http_protocol`); the limits are read from the environment in each
worker process.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from typing import Any

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.config import Settings

# how long (and how much) a refused connection's late bytes are drained before it is
# closed: enough for a client to finish sending a request it had on its way
LINGER_SECONDS = 2.0
LINGER_BYTES = 8 * 1024 * 1024
_REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    header_max_bytes: int
    header_timeout: float
    body_timeout: float


@functools.cache
def limits_from_env() -> ConnectionLimits:
    settings = Settings.from_env()
    return ConnectionLimits(settings.header_max_bytes, settings.header_timeout,
                            settings.body_timeout)


class LimitedHttpTools(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = limits_from_env()
        self._header_max = limits.header_max_bytes
        self._header_timeout = limits.header_timeout
        self._body_timeout = limits.body_timeout
        self._in_headers = True  # the bytes arriving belong to a request's head
        self._begun = False  # a request's head has begun and not ended
        self._heads = 0  # heads parsed on this connection
        self._header_bytes = 0
        self._header_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._body_seen = 0.0  # loop time the last body bytes came in
        self._draining = False  # refused: late bytes are dropped until the close
        self._drained = 0
        self._linger_timer: asyncio.TimerHandle | None = None

    # -- connection --------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()  # a connection that never sends a byte is held no longer

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        self._cancel_body_timer()
        if self._linger_timer is not None:
            self._linger_timer.cancel()
            self._linger_timer = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._draining:
            self._drained += len(data)
            if self._drained > LINGER_BYTES:
                self.transport.close()
            return
        self._feed(data)
        if self.transport.is_closing() or self._draining:
            return
        # Timers are armed only when a feed ends inside a request, so a request
        # that arrives whole (nearly all of them) costs no timer at all.
        if self._begun:
            self._arm_header_timer()
        elif not self._in_headers and self._body_timer is None:
            self._body_seen = self.loop.time()
            self._body_timer = self.loop.call_later(self._body_timeout, self._body_timed_out)

    def _feed(self, data: bytes) -> None:
        if not self._in_headers:
            super().data_received(data)
            return
        room = self._header_max - self._header_bytes
        if len(data) <= room:
            self._header_bytes += len(data)
            super().data_received(data)
            return
        # Feed only what the head may still take: if the headers end inside it,
        # the rest is body (or the next request) and is fed as such.
        heads = self._heads
        super().data_received(data[:room])
        if self.transport.is_closing() or self._draining:
            return
        if self._heads == heads:
            self._refuse(431, f"The request's headers are larger than {self._header_max} bytes.")
            return
        self._feed(data[room:])

    # -- parser callbacks ----------------------------------------------------

    def on_message_begin(self) -> None:
        self._begun = True
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._head_ended()
        super().on_headers_complete()

    def _head_ended(self) -> None:
        self._begun = False
        self._in_headers = False
        self._heads += 1
        self._header_bytes = 0
        if self._header_timer is not None:
            self._cancel_header_timer()

    def on_body(self, body: bytes) -> None:
        self._body_seen = self.loop.time()
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._message_ended()
        super().on_message_complete()

    def _message_ended(self) -> None:
        self._in_headers = True
        self._header_bytes = 0
        if self._body_timer is not None:
            self._cancel_body_timer()

    # -- timers --------------------------------------------------------------

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
            # an earlier request on this connection is still being answered
            self._arm_header_timer()
            return
        if not self._begun and self._heads > 0:
            return  # idle between requests: uvicorn's keep-alive timeout has that case
        self._refuse(408, "The request's headers did not arrive in time.")

    def _body_timed_out(self) -> None:
        self._body_timer = None
        if self.transport.is_closing() or self._in_headers:
            return
        now = self.loop.time()
        if self.flow.read_paused or (self.cycle is not None
                                     and self.cycle.waiting_for_100_continue):
            # uvicorn stopped reading (the handler is not consuming the body
            # yet), or the client waits for its 100 Continue: not its idleness
            self._body_seen = now
        idle = now - self._body_seen
        if idle < self._body_timeout:
            self._body_timer = self.loop.call_later(self._body_timeout - idle,
                                                    self._body_timed_out)
            return
        self._refuse(408, "The request body stopped arriving.")

    def _refuse(self, status: int, detail: str) -> None:
        """Answer `status` (unless a response has started) and close the connection."""
        if self._draining:
            return
        self._cancel_header_timer()
        self._cancel_body_timer()
        cycle = self.cycle
        # an answer already (being) sent: nothing more may be written. On a kept-alive
        # connection `cycle` is still the previous, answered request's until the next
        # head is parsed: that one's answer does not count.
        started = (cycle is not None and cycle.response_started
                   and not cycle.response_complete)
        if cycle is not None and not cycle.response_complete:
            # the handler, if any, sees a disconnect and writes nothing more
            cycle.disconnected = True
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
        # lingering close: FIN after the answer, keep reading (and dropping) so the
        # kernel has no unread bytes to answer with a reset; the client's own close
        # (or the timer) ends the connection
        self.transport.write_eof()
        self._draining = True
        self.transport.resume_reading()
        self._linger_timer = self.loop.call_later(LINGER_SECONDS, self.transport.close)
