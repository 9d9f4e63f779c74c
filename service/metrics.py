"""Prometheus metrics, one registry per app (tests build many apps in one process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
RENDER_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("folio_requests_total", "HTTP requests",
                                ["route", "method", "status"], registry=r)
        self.latency = Histogram("folio_request_seconds", "HTTP request latency",
                                 ["route"], buckets=LATENCY_BUCKETS, registry=r)
        self.cache_hits = Counter("folio_image_cache_hits_total", "Scaled image cache hits",
                                  ["tier"], registry=r)
        self.cache_misses = Counter("folio_image_cache_misses_total",
                                    "Scaled image cache misses", registry=r)
        self.coalesced = Counter("folio_image_cache_coalesced_total",
                                 "Requests that waited for another's render", registry=r)
        self.renders = Counter("folio_renders_total", "Page image renders", registry=r)
        self.render_seconds = Histogram("folio_render_seconds", "Time to scale and encode",
                                        buckets=RENDER_BUCKETS, registry=r)
        self.backlog = Gauge("folio_render_backlog", "Renders queued or running", registry=r)

    def expose(self) -> bytes:
        return generate_latest(self.registry)
