"""The job queue on Redis (FOLIO_REDIS_URL): arq, job id = processing id (submitting
twice never runs twice), `folio worker` on any number of hosts; arq retries a job
whose worker vanished once its in-progress mark expires (job timeout + 10 s).
"""

from __future__ import annotations

import asyncio
from typing import Any

from service.artifacts.store import FileStore
from service.config import Settings
from service.jobs.embedded import MAX_ATTEMPTS

ARQ_QUEUE = "folio:queue"


class ArqQueue:
    def __init__(self, redis_url: str) -> None:
        self.redis_url = redis_url
        self._pool: Any = None

    async def submit(self, processing_id: str) -> None:
        from arq import create_pool
        from arq.connections import RedisSettings

        if self._pool is None:
            self._pool = await create_pool(RedisSettings.from_dsn(self.redis_url))
        await self._pool.enqueue_job("process_job", processing_id, _job_id=processing_id,
                                     _queue_name=ARQ_QUEUE)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()


async def process_job(ctx: dict[str, Any], processing_id: str) -> None:
    from service.pipeline.run import process

    settings: Settings = ctx["settings"]
    await asyncio.to_thread(process, FileStore(settings.data_dir), settings, processing_id)


def run_arq_worker(settings: Settings, burst: bool = False) -> None:
    from arq.connections import RedisSettings
    from arq.worker import Worker, func

    from service.jobs.workflows import load_plugins
    from service.pipeline.pages import warm

    assert settings.redis_url is not None
    load_plugins(settings.plugins)
    warm(settings.page_workers)
    worker = Worker(
        functions=[func(process_job, name="process_job", max_tries=MAX_ATTEMPTS)],
        redis_settings=RedisSettings.from_dsn(settings.redis_url),
        queue_name=ARQ_QUEUE,
        ctx={"settings": settings},
        max_jobs=settings.job_workers,
        job_timeout=settings.job_timeout,
        keep_result=0,
        poll_delay=0.2,
        burst=burst,
    )
    worker.run()
