"""Zero-copy file bodies under uvicorn: `os.sendfile` on the connection's socket.

folio's protocol class puts a `ZeroCopy` in each request's scope (`SCOPE_KEY`).
A file answer (`service.web.file_answer`) sends its head as usual, then awaits
it with a file descriptor, an offset and a count: the held head is written, the
transport's buffer is let drain (nothing may be buffered ahead of the file), and
a worker thread sends the range with `os.sendfile`, waiting for the socket with
`select` when it is full — the kernel copies file to socket, Python touches no
byte. The socket is duplicated for the thread, so a connection closed meanwhile
never lets its descriptor be reused under the thread. uvicorn's count of the
body still owed is lowered by what went out, and the answer ends with an empty
final body message, as any other.
"""

from __future__ import annotations

import asyncio
import os
import select
from collections.abc import Callable
from typing import Any, Protocol

SCOPE_KEY = "folio.sendfile"
STALL_SECONDS = 30.0  # no byte accepted by the socket this long: the client is gone
_DRAIN_POLL = 0.001


class HeldHead(Protocol):
    def flush(self) -> None: ...


class ZeroCopy:
    __slots__ = ("_count", "_cycle", "_head", "_transport")

    def __init__(self, transport: asyncio.Transport, cycle: Any, head: HeldHead,
                 count: Callable[[int], None]) -> None:
        self._transport = transport
        self._cycle = cycle  # uvicorn's RequestResponseCycle of this request
        self._head = head
        self._count = count  # the metrics' counter of bytes sent this way

    async def __call__(self, fd: int, offset: int, count: int) -> int:
        """Send `count` bytes of `fd` from `offset`; the bytes sent (fewer: the client left)."""
        self._head.flush()
        transport = self._transport
        while transport.get_write_buffer_size() and not transport.is_closing():
            await asyncio.sleep(_DRAIN_POLL)
        if transport.is_closing():
            return 0
        sock = transport.get_extra_info("socket")
        out = os.dup(sock.fileno())
        try:
            sent = await asyncio.to_thread(send_range, out, fd, offset, count)
        finally:
            os.close(out)
        self._cycle.expected_content_length -= sent
        self._count(sent)
        return sent


def send_range(out: int, fd: int, offset: int, count: int) -> int:
    """Blocking (in a thread): sendfile until `count` bytes went out or the peer left."""
    sent = 0
    while sent < count:
        try:
            n = os.sendfile(out, fd, offset + sent, count - sent)
        except BlockingIOError:
            _, writable, _ = select.select([], [out], [], STALL_SECONDS)
            if not writable:
                break
            continue
        except OSError:  # reset, broken pipe: the client is gone
            break
        if n == 0:
            break
        sent += n
    return sent
