"""The blocking face of the async object stores, for code that runs in threads.

The pipeline, pyvips' reads and the memory tier's loads run in worker threads,
where a blocking call is right. Each such thread keeps one event loop for its
store calls (a loop made per call costs more than a local object store's read).
On a thread whose loop is running, `run` raises: blocking there would stall
every request.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")
_local = threading.local()


def run(coro: Coroutine[Any, Any, T]) -> T:
    if _on_a_loop():
        coro.close()
        raise RuntimeError("a blocking object store call on a running event loop")
    runner: asyncio.Runner | None = getattr(_local, "runner", None)
    if runner is None:
        runner = _local.runner = asyncio.Runner()
    return runner.run(coro)


def _on_a_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
