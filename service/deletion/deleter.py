"""One processing deleted everywhere it is kept, in this order:

    refuse while pending or running (409: its job could still write artifacts)
    → its share tokens → the store: original, artifacts, and the record last (then
    404 on every node that asks the store) → the shared image cache (Redis) → this
    process's tiers → `announcers`: the other nodes drop it from theirs

Everything kept goes before the record, so a DELETE that fails part-way (the
store or the database away: 503) is finished by sending it again, or by the
retention sweep.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from cache import CacheUnavailable
from service.artifacts.record import Record
from service.errors import ApiError
from service.images.scaler import Scaler

log = logging.getLogger("folio.deletion")
# seconds after which every node has heard of a deletion (within 2 s) and so caches
# no more of its images
SETTLE = 3.0
STILL_RUNNING = ("The processing has not finished yet; delete it once it has "
                 "(its result answers 200 or 500).")


class Deletable(Protocol):
    """What deletion needs of the store (`artifacts.store.FileStore`)."""

    def load(self, processing_id: str) -> Record | None: ...

    def expired(self, before: float, limit: int = 1000) -> list[str]:
        """Ids of finished processings completed before `before` (unix seconds)."""

    async def delete(self, processing_id: str) -> None:
        """Remove the original, every artifact and the record."""


class Tokens(Protocol):
    """What deletion needs of the share tokens (`access.token_store.TokenStore`)."""

    def remove_document(self, document_id: str) -> int:
        """Remove every token of a deleted processing (blocking)."""


class Deleter:
    def __init__(self, store: Deletable, tokens: Tokens, scaler: Scaler,
                 forget: Callable[[str], None]) -> None:
        self.store = store
        self.tokens = tokens
        self.scaler = scaler
        self.forget = forget
        # called with the id once it is deleted here: tell the other nodes
        self.announcers: list[Callable[[str], Awaitable[None]]] = []
        self._later: set[asyncio.Task[None]] = set()

    async def delete(self, record: Record, settle: bool = True) -> None:
        """Delete a finished processing; ApiError 409 while it is pending or running.

        `settle`: purge the shared image tier once more, SETTLE seconds later."""
        if not record.done:
            raise ApiError(STILL_RUNNING, 409)
        processing_id = record.processing_id
        await asyncio.to_thread(self.tokens.remove_document, processing_id)
        await self.store.delete(processing_id)
        try:
            await self.scaler.purge(processing_id)
        except CacheUnavailable as exc:
            log.warning("images of deleted processing %s stay in Redis until they expire: %s",
                        processing_id, exc)
        self.forget(processing_id)
        for announce in self.announcers:
            await announce(processing_id)
        if settle:
            self._purge_later(processing_id)

    def _purge_later(self, processing_id: str) -> None:
        task = asyncio.get_running_loop().create_task(self._purge_after(processing_id))
        self._later.add(task)
        task.add_done_callback(self._later.discard)

    async def _purge_after(self, processing_id: str) -> None:
        # a render that was under way on another node when it heard of the deletion
        # may have cached its image after the purge above
        await asyncio.sleep(SETTLE)
        # Redis away: the first purge's warning said it, the entries expire with their TTL
        with contextlib.suppress(CacheUnavailable):
            await self.scaler.purge(processing_id)
