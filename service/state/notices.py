"""PostgreSQL notifications into this process: one dedicated connection per process
LISTENs on folio's channels (`state.channels`) and hands each notification to
its handlers on the event loop.

The connection is watched (a termination callback, and a ping every PING_EVERY
seconds for a silent network) and made again with backoff when lost. Whatever
was notified meanwhile is gone, so every (re)connection calls the resync
handlers: the caches built from the database start over. That bounds a missed
revocation to the outage plus one reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from service.state.channels import INVALIDATE, parse, payload
from service.state.database import UNREACHABLE, Database, connect
from service.state.invalidation import Forget, Subscribers

log = logging.getLogger("folio.state")
PING_EVERY = 1.0  # seconds between checks that the listening connection lives
BACKOFF_FIRST = 0.25
BACKOFF_MAX = 5.0

Handler = Callable[[str], None]


def _settle(future: asyncio.Future[None]) -> Callable[[Any], None]:
    def settle(_conn: Any) -> None:
        if not future.done():
            future.set_result(None)
    return settle


class Notices:
    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self._handlers: dict[str, list[Handler]] = {}
        self._resync: list[Callable[[], None]] = []
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()  # set while the connection listens

    def on(self, channel: str, handler: Handler) -> None:
        self._handlers.setdefault(channel, []).append(handler)

    def on_resync(self, handler: Callable[[], None]) -> None:
        self._resync.append(handler)

    def start(self) -> None:
        """Start listening, on the running loop; idempotent."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._listen_forever())

    async def _listen_forever(self) -> None:
        delay = BACKOFF_FIRST
        while True:
            conn: Any = None
            try:
                conn = await connect(self.url, self.timeout)
                lost = asyncio.get_running_loop().create_future()
                conn.add_termination_listener(_settle(lost))
                for channel in self._handlers:
                    await conn.add_listener(channel, self._dispatch)
                self.listening.set()
                self._resync_all()
                delay = BACKOFF_FIRST
                while not lost.done():
                    await asyncio.wait({lost}, timeout=PING_EVERY)
                    if not lost.done():
                        await conn.fetchval("SELECT 1")
            except UNREACHABLE as exc:
                if self.listening.is_set():
                    log.warning("database notifications lost (%s); reconnecting",
                                exc or type(exc).__name__)
            except Exception:
                # a refused login, a database being dropped: keep trying, never die
                log.exception("listening for database notifications failed; trying again")
            finally:
                self.listening.clear()
                if conn is not None:
                    conn.terminate()
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX)

    def _dispatch(self, _conn: Any, _pid: int, channel: str, message: str) -> None:
        for handler in self._handlers.get(channel, ()):
            try:
                handler(message)
            except Exception:
                log.exception("handling a notification on %s failed", channel)

    def _resync_all(self) -> None:
        for handler in self._resync:
            try:
                handler()
            except Exception:
                log.exception("resync after reconnecting failed")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


class PgInvalidations:
    """Invalidations carried to every node by NOTIFY on `folio_invalidate`."""

    def __init__(self, db: Database, notices: Notices) -> None:
        self.db = db
        self.subscribers = Subscribers()
        notices.on(INVALIDATE, self._received)
        notices.on_resync(self.subscribers.resync)

    def subscribe(self, kind: str, forget: Forget, resync: Callable[[], None]) -> None:
        self.subscribers.add(kind, forget, resync)

    async def publish(self, kind: str, key: str) -> None:
        self.subscribers.forget(kind, key)  # this process at once, the others on NOTIFY
        message = payload(kind, key)
        await self.db.run_async(lambda conn: conn.execute(
            "SELECT pg_notify($1, $2)", INVALIDATE, message))

    def _received(self, message: str) -> None:
        self.subscribers.forget(*parse(message))
