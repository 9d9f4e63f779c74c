"""How requests got in (signed URL, share token, API key) and why others were refused.

Kept as plain dict counts and turned into Prometheus families only when
scraped, like the request metrics: every request pays one dict update.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.metrics_core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector


class AccessOutcomes(Collector):
    def __init__(self) -> None:
        self.admitted: dict[str, int] = {}
        self.refused: dict[str, int] = {}

    def admit(self, kind: str) -> None:
        self.admitted[kind] = self.admitted.get(kind, 0) + 1

    def refuse(self, reason: str) -> None:
        self.refused[reason] = self.refused.get(reason, 0) + 1

    def collect(self) -> Iterator[Metric]:
        admitted = CounterMetricFamily("folio_access", "Requests let in, by how",
                                       labels=["kind"])
        for kind, count in list(self.admitted.items()):
            admitted.add_metric([kind], count)
        yield admitted
        refused = CounterMetricFamily("folio_access_refused", "Requests refused (401/403), by why",
                                      labels=["reason"])
        for reason, count in list(self.refused.items()):
            refused.add_metric([reason], count)
        yield refused
