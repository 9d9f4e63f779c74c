"""The state a web process reads, with what keeps its memory true: long-poll
wake-ups, invalidations, the key ring's source and the share tokens — from the
data directory, or from PostgreSQL with its notifications (see `state.stores`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from redis.asyncio import Redis

from service.access.apikeys import KeyFile, KeySource
from service.access.share_tokens import ShareTokens
from service.access.token_store import TokenStore
from service.artifacts.records import Watcher
from service.artifacts.watch import RecordWatcher
from service.config import Settings
from service.errors import StateUnavailable
from service.state.database import Database
from service.state.file_invalidations import FileInvalidations
from service.state.invalidation import Invalidations
from service.state.notices import Notices, PgInvalidations
from service.state.pg_keys import KeyMirror, PgKeys
from service.state.pg_tokens import PgShareTokens
from service.state.pg_watch import NoticeWatcher
from service.state.stores import database_for


@dataclass
class WebState:
    """The state a web process reads, with what keeps its memory true."""

    watcher: Watcher
    invalidations: Invalidations
    keys: KeySource
    tokens: TokenStore
    notices: Notices | None = None
    db: Database | None = None

    def on_keys_reloaded(self, callback: Callable[[], None]) -> None:
        """Tell the key ring at once when the database's keys were read again (the key
        file is looked at every second anyway)."""
        if isinstance(self.keys, KeyMirror):
            self.keys.reloaded.append(callback)

    async def database_check(self) -> str | None:
        """For /readyz: "ok", or why not; None without a database."""
        if self.db is None:
            return None
        try:
            await self.db.run_async(lambda conn: conn.fetchval("SELECT 1"), retry=True)
        except StateUnavailable:
            return "unreachable"
        return "ok"

    def start(self) -> None:
        """On the event loop, before the first request."""
        if self.notices is not None:
            self.notices.start()

    async def close(self) -> None:
        self.watcher.close()
        if isinstance(self.invalidations, FileInvalidations):
            await self.invalidations.close()
        if self.notices is not None:
            await self.notices.close()
        if isinstance(self.keys, KeyMirror):
            self.keys.close()


def web_state_for(settings: Settings, directory_of: Callable[[str], Path],
                  redis: Redis | None) -> WebState:
    db = database_for(settings)
    if db is None:
        # every process of this machine hears a deletion through the data directory
        return WebState(RecordWatcher(directory_of), FileInvalidations(settings.data_dir),
                        KeyFile(settings.data_dir),
                        ShareTokens(settings.data_dir, redis, settings.redis_timeout))
    notices = Notices(db.url, settings.database_timeout)
    invalidations = PgInvalidations(db, notices)
    mirror = KeyMirror(PgKeys(db), invalidations)
    mirror.prime()
    return WebState(NoticeWatcher(notices), invalidations, mirror,
                    PgShareTokens(db, invalidations), notices, db)
