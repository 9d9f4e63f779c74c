"""The HTTP/1.1 protocol `folio serve` runs uvicorn with: folio's connection
limits (`connection_limits`), plus two ways of writing answers with less work.
`FOLIO_PARSER_LANE=false` runs the limits alone (`LimitedHttpTools`).

1. The parser lane: the fast path's answers straight from the parser. A GET or
   HEAD on an idle connection (no answer under way or queued, the write buffer
   not full, no body, no upgrade, no `limit_concurrency`) is offered to the fast
   path (`FastPath.now`) as soon as its head is parsed. When that answers at once
   (a memory-tier hit or a 304 of a finished record, admitted by a signed URL or
   an API key whose rate limit this process holds, or a refusal), the answer is
   written here, without the ASGI task, request cycle and messages uvicorn would
   create for it (for fixed 224 KB bytes: 66 us of server CPU per answer through
   a raw ASGI app, 38-42 us from the parser; `benchmarks/ANALYSIS.md`).
   Everything else, and whatever the fast path cannot decide without waiting,
   goes to the ASGI app as usual, with the decisions already taken kept in the
   scope.

   Guarantees: the bytes are the ones uvicorn would write for the same answer
   (its status line, Date and Server headers, `connection: close` where it would
   close: HTTP/1.0, `Connection: close`); the answer is counted and logged like
   any other; and then uvicorn's own completion runs (`on_response_complete`:
   keep-alive timer, next request). The parser is fed one request at a time
   (`LimitedHttpTools._feed`), so a request behind this answer in the same read
   reaches uvicorn as in a read of its own, which disarms that keep-alive timer
   as it would after any answer. An exception on the way is logged and answered
   500 (JSON, `connection: close`), or, once answer bytes went out, closes the
   connection; never the parser's 400.

2. Each ASGI answer's head and the first part of its body in one write
   (`_HeadWithBody`): uvicorn writes the head on `http.response.start`, a send
   (and a loopback delivery, and a wake-up of the client) of its own, where
   nginx sends head and file together.
"""

from __future__ import annotations

import asyncio
import logging
import time
import urllib.parse
from typing import Any

import httptools
from starlette.types import Scope
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, RequestResponseCycle

from service.web.connection_limits import LimitedHttpTools
from service.web.fastpath import START, FastPath, Reply
from service.web.zero_copy import SCOPE_KEY as ZERO_COPY
from service.web.zero_copy import ZeroCopy

IMPORT_PATH = "service.web.http_protocol:FolioHttpTools"
log = logging.getLogger(__name__)
_WITH_BODY = (b"content-length", b"transfer-encoding", b"expect")


class FolioHttpTools(LimitedHttpTools):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fast = _fast_path(self.app)
        self._answered = False  # the message being parsed was answered from its head
        self._writing = False  # an answer from the parser is being written
        self._held: _HeadWithBody | None = None  # an ASGI answer's head not yet written

    # -- answers from the parser ---------------------------------------------

    def on_headers_complete(self) -> None:
        fast = self._fast
        if fast is not None:
            try:
                if self._answer_now(fast):
                    return
            except Exception:
                self._lane_failed()
                return
        cycle = self.cycle
        super().on_headers_complete()
        if self.cycle is not cycle and self.cycle is not None:  # a new request's cycle
            held = _HeadWithBody(self.transport, self.cycle, self)
            self.cycle.transport = held  # type: ignore[assignment]
            scope: Scope = self.cycle.scope  # type: ignore[assignment]
            if self._fast is not None:
                scope[ZERO_COPY] = ZeroCopy(self.transport, self.cycle, held,
                                            self._fast.svc.metrics.sendfile_bytes.inc)

    def on_message_complete(self) -> None:
        if self._answered:
            self._answered = False
            self._message_ended()
            return
        super().on_message_complete()

    def _answer_now(self, fast: FastPath) -> bool:
        """Answer the request whose head was just parsed, if the fast path can at once."""
        if (self.cycle is not None and not self.cycle.response_complete) or self.pipeline \
                or self.flow.write_paused or self.limit_concurrency is not None \
                or self._unsized or self._draining or self._refusal is not None \
                or self.transport.is_closing():
            return False  # an answer under way, queued requests, a full buffer: uvicorn's
        method = self.parser.get_method()
        if method not in (b"GET", b"HEAD") or self.parser.should_upgrade():
            return False
        for name, _ in self.headers:
            if name in _WITH_BODY:
                return False
        # the scope as uvicorn's on_headers_complete fills it
        scope: Scope = self.scope  # type: ignore[assignment]
        scope["method"] = method.decode("ascii")
        http_version = self.parser.get_http_version()
        if http_version != "1.1":
            scope["http_version"] = http_version
        parsed_url = httptools.parse_url(self.url)
        raw_path = parsed_url.path
        path = raw_path.decode("ascii")
        if "%" in path:
            path = urllib.parse.unquote(path)
        scope["path"] = self.root_path + path
        scope["raw_path"] = self.root_path.encode("ascii") + raw_path
        scope["query_string"] = parsed_url.query or b""
        scope[START] = time.perf_counter()
        reply = fast.now(scope)
        if not isinstance(reply, Reply):
            fast.defer(scope, reply)  # the app takes it from there
            return False
        self._head_ended()
        self._answered = True
        keep_alive = http_version != "1.0" and self.parser.should_keep_alive()
        self._write(reply, keep_alive)
        fast.sent(scope, reply)
        if not keep_alive:
            self.transport.close()
        self.on_response_complete()
        self._writing = False
        return True

    def _lane_failed(self) -> None:
        """An exception while answering from the parser: the message is this lane's
        (uvicorn never saw it); 500 and close, or close if answer bytes went out."""
        self._answered = True
        if not self._writing:
            self._fail(later=True)
            return
        self._writing = False
        log.exception("unhandled error in the HTTP protocol, after answer bytes went out")
        self.transport.close()

    def _write(self, reply: Reply, keep_alive: bool) -> None:
        """The bytes uvicorn's cycle would write for `reply`, in one write."""
        content = [STATUS_LINE[reply.status], _default_head(self.server_state.default_headers)]
        for name, value in reply.headers:
            content += (name, b": ", value, b"\r\n")
        if not keep_alive:
            content.append(b"connection: close\r\n")
        content.append(b"\r\n")
        head = b"".join(content)
        self._writing = True  # from here, a failure cannot be answered: the answer began
        if reply.body:
            self.transport.writelines((head, reply.body))
        else:
            self.transport.write(head)

    # -- ASGI answers: head with body ------------------------------------------

    def on_response_complete(self) -> None:
        held = self._held
        if held is not None:  # an answer without body writes (HEAD)
            self._held = None
            held.flush()
        super().on_response_complete()

    def _refuse(self, status: int, detail: str) -> None:
        held = self._held
        if held is not None:  # an answer under way: its head goes out as it would have
            self._held = None
            held.flush()
        super()._refuse(status, detail)


class _HeadWithBody:
    """One ASGI answer's transport as its cycle sees it: the head waits for the body.

    uvicorn's cycle writes the head (status line and headers) once, right after it
    marks the response started; that write is held and goes out with the next one
    (the body, or its first chunk) as a single writev. An answer without body
    writes (HEAD) has it sent when it completes (`flush`), and so does a close.
    Every other write (a `100 Continue`, before the response starts) passes
    straight through.
    """

    __slots__ = ("_cycle", "_head", "_protocol", "_seen_head", "_transport")

    def __init__(self, transport: asyncio.Transport, cycle: RequestResponseCycle,
                 protocol: FolioHttpTools) -> None:
        self._transport = transport
        self._cycle = cycle
        self._protocol = protocol
        self._head: bytes | None = None
        self._seen_head = False

    def write(self, data: bytes) -> None:
        head = self._head
        if head is not None:
            self._head = None
            self._protocol._held = None
            if data:
                self._transport.writelines((head, data))
            else:
                self._transport.write(head)
        elif not self._seen_head and self._cycle.response_started:
            self._seen_head = True
            self._head = data
            self._protocol._held = self
        else:
            self._transport.write(data)

    def flush(self) -> None:
        head = self._head
        if head is not None:
            self._head = None
            self._transport.write(head)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()


_defaults: tuple[list[tuple[bytes, bytes]] | None, bytes] = (None, b"")


def _default_head(headers: list[tuple[bytes, bytes]]) -> bytes:
    """uvicorn's Date and Server header lines (a new list each time the date changes)."""
    global _defaults
    if _defaults[0] is not headers:
        _defaults = (headers, b"".join(b"%s: %s\r\n" % pair for pair in headers))
    return _defaults[1]


def _fast_path(app: Any) -> FastPath | None:
    """folio's fast path inside the app uvicorn runs (behind its proxy-headers layer)."""
    for _ in range(4):
        if isinstance(app, FastPath):
            return app
        app = getattr(app, "app", None)
    return None
