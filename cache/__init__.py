"""Byte caches keyed by strings: in-process LRU, Redis, both tiers, and single-flight."""

from cache.breaker import CircuitBreaker
from cache.memory import MemoryCache
from cache.protocol import Cache, Lease
from cache.redis_backend import CacheUnavailable, RedisCache
from cache.singleflight import Outcome, SingleFlight
from cache.tiered import Tier, TieredCache

__all__ = [
    "Cache",
    "CacheUnavailable",
    "CircuitBreaker",
    "Lease",
    "MemoryCache",
    "Outcome",
    "RedisCache",
    "SingleFlight",
    "Tier",
    "TieredCache",
]
