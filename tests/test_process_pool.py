"""StoppablePool: its processes listed and stopped through public API only."""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import CancelledError
from concurrent.futures.process import BrokenProcessPool

from service.process_pool import StoppablePool


def children() -> set[int]:
    return {child.pid for child in multiprocessing.active_children() if child.pid is not None}


def gone(pids: set[int], timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pids & children():
            return True
        time.sleep(0.05)
    return False


def test_the_pools_processes_are_listed_and_killed_at_once() -> None:
    pool = StoppablePool(2, time.sleep, (0,))
    futures = [pool.executor.submit(os.getpid) for _ in range(4)]
    ran = {future.result(timeout=60) for future in futures}
    listed = set(pool.pids())
    assert ran <= listed and 1 <= len(listed) <= 2
    busy = pool.executor.submit(time.sleep, 60)
    time.sleep(0.5)
    pool.stop(kill=True)
    assert gone(listed, timeout=10)  # not after the minute the task would take
    assert isinstance(busy.exception(timeout=30), BrokenProcessPool)


def test_a_process_still_starting_when_stopped_takes_no_work() -> None:
    before = children()
    pool = StoppablePool(1, time.sleep, (0,))
    future = pool.executor.submit(os.getpid)  # spawns the process
    starting = children() - before
    assert len(starting) == 1
    assert pool.pids() == []  # it has not reported yet
    pool.stop()
    try:
        outcome: object = future.exception(timeout=60)
    except CancelledError:
        outcome = "cancelled"
    assert outcome == "cancelled" or isinstance(outcome, BrokenProcessPool)
    assert gone(starting)
