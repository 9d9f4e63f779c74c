"""The job queue: processing ids in, `pipeline.run.process` out.

Two implementations: the embedded directory queue (`jobs.embedded`, the default)
and arq on Redis (`jobs.arq_queue`, with FOLIO_REDIS_URL).
"""

from __future__ import annotations

from typing import Protocol

from service.config import Settings
from service.jobs.arq_queue import ArqQueue
from service.jobs.embedded import DirectoryQueue
from service.jobs.marks import marks_for


class Queue(Protocol):
    async def submit(self, processing_id: str) -> None: ...

    async def close(self) -> None: ...


def queue_for(settings: Settings) -> Queue:
    if settings.redis_url:
        return ArqQueue(settings.redis_url, marks_for(settings), settings.redis_timeout)
    return DirectoryQueue(settings.data_dir)
