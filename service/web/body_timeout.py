"""FOLIO_BODY_TIMEOUT for servers that do not enforce it themselves (granian).

Under uvicorn folio's protocol class (`connection_limits`) answers 408 when a
request body stops arriving. granian has no such limit, so with `--server
granian` this middleware does the same one level up: while the handler waits
for the next piece of a body for longer than FOLIO_BODY_TIMEOUT, the handler is
told the client went away (`http.disconnect`) and the answer is 408 with
`connection: close`, unless an answer has already begun. Time in which the
handler is not reading is not counted, as under uvicorn. Requests without a body
(no Content-Length, no Transfer-Encoding) pass untouched.
"""

from __future__ import annotations

import asyncio

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_BODY = orjson.dumps({"detail": "The request body stopped arriving."})
_HEAD: Message = {"type": "http.response.start", "status": 408, "headers": [
    (b"content-type", b"application/json"), (b"cache-control", b"no-store"),
    (b"content-length", b"%d" % len(_BODY)), (b"connection", b"close")]}


class BodyTimeout:
    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        timed_out = started = done = False

        async def timed_receive() -> Message:
            nonlocal timed_out, done
            if timed_out or done:
                return await receive() if not timed_out else {"type": "http.disconnect"}
            try:
                message = await asyncio.wait_for(receive(), self.seconds)
            except TimeoutError:
                timed_out = True
                if not started:
                    await send(_HEAD)
                    await send({"type": "http.response.body", "body": _BODY})
                return {"type": "http.disconnect"}
            if message["type"] == "http.request" and not message.get("more_body", False):
                done = True
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if timed_out:
                return  # the 408 (or the begun answer, cut short) is all there is
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, timed_receive, guarded_send)


def _has_body(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"transfer-encoding" or (name == b"content-length" and value != b"0"):
            return True
    return False
