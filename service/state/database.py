"""PostgreSQL (FOLIO_DATABASE_URL) through asyncpg, for callers with and without a loop.

asyncpg is folio's one database driver. A pool belongs to one event loop, so each
process runs a private loop on a daemon thread (the bridge) and owns one pool
there: synchronous callers (the record store's methods, the CLI, job processes)
hand it coroutines and wait; coroutines on another loop await the same work
without a thread of their own (`run_async`). Every failure to reach the database
becomes StateUnavailable (503) here, once; the pool reconnects by itself when
the database is back.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

import asyncpg
import orjson

from service.errors import StateUnavailable

log = logging.getLogger("folio.state")
T = TypeVar("T")
Work = Callable[[Any], Awaitable[T]]  # given a connection

# what "the database is not there (for now)" looks like from asyncpg: down, shutting
# down, out of connections, a statement cancelled, a read-only standby mid-failover
UNREACHABLE: tuple[type[BaseException], ...] = (
    OSError, TimeoutError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
    asyncpg.exceptions.OperatorInterventionError, asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.exceptions.ReadOnlySQLTransactionError, asyncpg.exceptions.InternalClientError,
)

RELEASE_ERRORS: tuple[type[BaseException], ...] = (*UNREACHABLE, concurrent.futures.TimeoutError)
CLOSE_ERRORS: tuple[type[BaseException], ...] = (*UNREACHABLE, asyncpg.PostgresError)


# the server probes an idle connection after 10 s: a job host that vanished without
# closing its socket (power, network) frees its run locks in ~25 s, not hours
KEEPALIVE = {"tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5",
             "tcp_keepalives_count": "3"}


async def _init_connection(conn: Any) -> None:
    await conn.set_type_codec("jsonb", encoder=lambda v: orjson.dumps(v).decode(),
                              decoder=orjson.loads, schema="pg_catalog")


async def connect(url: str, timeout: float) -> Any:
    """One connection outside any pool (the listener, migrations)."""
    conn = await asyncpg.connect(url, timeout=timeout, command_timeout=timeout)
    await _init_connection(conn)
    return conn


class Database:
    def __init__(self, url: str, *, pool_size: int = 8, timeout: float = 2.0) -> None:
        self.url = url
        self.pool_size = pool_size
        self.timeout = timeout
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="folio-db",
                                        daemon=True)
        self._thread.start()
        self._pool: Any = None
        self._creating = asyncio.Lock()  # bound to the bridge loop at first use

    async def _get_pool(self) -> Any:
        if self._pool is not None:
            return self._pool
        async with self._creating:  # callers arriving together share one pool
            if self._pool is None:
                # min_size 0: creating the pool connects nothing, so a database that is
                # down at this moment costs this call, not the process
                self._pool = await self._create_pool()
        return self._pool

    async def _create_pool(self) -> Any:
        return await asyncpg.create_pool(
            self.url, min_size=0, max_size=self.pool_size, timeout=self.timeout,
            command_timeout=self.timeout, init=_init_connection,
            max_inactive_connection_lifetime=60.0, server_settings=KEEPALIVE)

    async def _run(self, work: Work[T], retry: bool) -> T:
        for attempt in (1, 2):
            try:
                pool = await self._get_pool()
                async with pool.acquire(timeout=self.timeout) as conn:
                    try:
                        return await work(conn)
                    except asyncpg.exceptions.InternalClientError:
                        # seen when the server ends sessions mid-statement: the
                        # connection's protocol state is broken, so it is never reused
                        conn.terminate()
                        raise
            except UNREACHABLE as exc:
                # a pooled connection that died with a database restart fails once;
                # a read may go again on a fresh one
                if retry and attempt == 1 and not isinstance(exc, TimeoutError):
                    continue
                log.warning("database unavailable: %s", exc or type(exc).__name__)
                raise StateUnavailable() from None
        raise AssertionError("unreachable")

    def _submit(self, coro: Awaitable[T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)  # type: ignore[arg-type]

    def run(self, work: Work[T], *, retry: bool = False) -> T:
        """Run `work` on a pooled connection and wait for its answer (blocking)."""
        future = self._submit(self._run(work, retry))
        try:
            return future.result(self.timeout * 4)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise StateUnavailable() from None

    async def run_async(self, work: Work[T], *, retry: bool = False) -> T:
        """`run` for a coroutine on another event loop: no thread is blocked."""
        future = asyncio.wrap_future(self._submit(self._run(work, retry)))
        try:
            async with asyncio.timeout(self.timeout * 4):
                return await future
        except TimeoutError:
            raise StateUnavailable() from None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One connection held until the block ends: what a session-level lock needs."""
        async def acquire() -> Any:
            try:
                pool = await self._get_pool()
                return await pool.acquire(timeout=self.timeout)
            except UNREACHABLE as exc:
                log.warning("database unavailable: %s", exc or type(exc).__name__)
                raise StateUnavailable() from None

        pending = self._submit(acquire())
        try:
            conn = pending.result(self.timeout * 4)
        except concurrent.futures.TimeoutError:
            pending.cancel()
            raise StateUnavailable() from None
        try:
            yield Session(self, conn)
        finally:
            async def release() -> None:
                await self._pool.release(conn)

            # a dead connection is dropped by the pool, its locks with it
            with suppress(*RELEASE_ERRORS):
                self._submit(release()).result(self.timeout * 4)

    def close(self) -> None:
        async def shut() -> None:
            if self._pool is not None:
                pool, self._pool = self._pool, None
                try:
                    async with asyncio.timeout(self.timeout):
                        await pool.close()
                except CLOSE_ERRORS:
                    pool.terminate()

        if self._loop.is_running():
            with suppress(concurrent.futures.TimeoutError):
                self._submit(shut()).result(self.timeout * 2)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(self.timeout)
        if not self._loop.is_running() and not self._loop.is_closed():
            self._loop.close()


class Session:
    def __init__(self, db: Database, conn: Any) -> None:
        self._db = db
        self._conn = conn

    def run(self, work: Work[T]) -> T:
        async def guarded() -> T:
            try:
                return await work(self._conn)
            except UNREACHABLE as exc:
                log.warning("database unavailable: %s", exc or type(exc).__name__)
                raise StateUnavailable() from None

        future = self._db._submit(guarded())
        try:
            return future.result(self._db.timeout * 4)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise StateUnavailable() from None
