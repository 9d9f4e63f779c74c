"""Invalidation: what every process must forget at once (a deleted processing, a
revoked key or share token), published by whoever changed it.

Two implementations: in this process only (`LocalInvalidations`, the default:
one data directory, where the stores themselves are re-read), and through
PostgreSQL notifications to every node (`state.notices.PgInvalidations`).
A subscriber's callback runs on the event loop and must not block. Kinds are
listed in `state.channels`. `on_resync` callbacks run when notifications may have
been missed (the listener reconnected): forget everything of that kind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger("folio.state")
Forget = Callable[[str], None]


class Invalidations(Protocol):
    def subscribe(self, kind: str, forget: Forget, resync: Callable[[], None]) -> None: ...

    async def publish(self, kind: str, key: str) -> None: ...


class Subscribers:
    """The callbacks of one process, by kind; a failing one never stops the others."""

    def __init__(self) -> None:
        self._forget: dict[str, list[Forget]] = {}
        self._resync: list[Callable[[], None]] = []

    def add(self, kind: str, forget: Forget, resync: Callable[[], None]) -> None:
        self._forget.setdefault(kind, []).append(forget)
        self._resync.append(resync)

    def forget(self, kind: str, key: str) -> None:
        for callback in self._forget.get(kind, ()):
            try:
                callback(key)
            except Exception:
                log.exception("invalidation of %s %s failed", kind, key)

    def resync(self) -> None:
        for callback in self._resync:
            try:
                callback()
            except Exception:
                log.exception("resync after missed invalidations failed")


class LocalInvalidations:
    def __init__(self) -> None:
        self.subscribers = Subscribers()

    def subscribe(self, kind: str, forget: Forget, resync: Callable[[], None]) -> None:
        self.subscribers.add(kind, forget, resync)

    async def publish(self, kind: str, key: str) -> None:
        self.subscribers.forget(kind, key)
