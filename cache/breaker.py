"""A circuit breaker, so a dead Redis costs one failed call, not one per request."""

import time
from collections.abc import Callable
from typing import Literal

State = Literal["closed", "open", "half-open"]


class CircuitBreaker:
    """Closed until ``failure_threshold`` consecutive failures, then open.

    While open, ``allow()`` is False for ``reset_after`` seconds. After that the
    breaker is half-open: one caller gets a trial call; its success closes the
    breaker, its failure opens it again. If the trial never reports back (the caller
    was cancelled), another trial is allowed after a further ``reset_after``.
    """

    def __init__(
        self,
        failure_threshold: int = 3,
        reset_after: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.reset_after = reset_after
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_at: float | None = None

    @property
    def state(self) -> State:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at < self.reset_after:
            return "open"
        return "half-open"

    def allow(self) -> bool:
        state = self.state
        if state == "closed":
            return True
        if state == "open":
            return False
        now = self._clock()
        if self._trial_at is not None and now - self._trial_at < self.reset_after:
            return False
        self._trial_at = now
        return True

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_at = None

    def record_failure(self) -> None:
        self._failures += 1
        if self._opened_at is not None or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()
            self._trial_at = None
