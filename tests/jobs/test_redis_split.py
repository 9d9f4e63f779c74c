"""The image cache on a Redis of its own (FOLIO_REDIS_CACHE_URL): cache entries never
land in the queue's Redis, and a cache Redis that refuses writes costs no request."""

from __future__ import annotations

from pathlib import Path

import redis

from tests.conftest import TENANT_A
from tests.helpers import SpareRedis, jpeg, make_processing, run_server

SECRET = TENANT_A[1]


def test_a_full_cache_redis_costs_nothing_and_the_queue_redis_stays_clean(
        tmp_path: Path, spare_redis: SpareRedis) -> None:
    cache = SpareRedis()
    cache.start()
    env = {"FOLIO_API_KEYS": f"acme:{SECRET}", "FOLIO_REDIS_URL": spare_redis.url,
           "FOLIO_REDIS_CACHE_URL": cache.url, "FOLIO_MEMORY_CACHE_BYTES": "1",
           "FOLIO_JOB_WORKERS": "0"}
    try:
        with run_server(tmp_path / "d", env) as srv, \
                redis.Redis(port=cache.port) as cache_redis, \
                redis.Redis(port=spare_redis.port) as queue_redis:
            record = make_processing(srv.store, "acme", workflow="ocr", sizes=[(640, 640)])
            client = srv.client(SECRET)
            page = f"/processing/results/{record.processing_id}/page-images/1"
            cache_redis.config_set("maxmemory-policy", "noeviction")
            cache_redis.config_set("maxmemory", "1")
            statuses = [client.get(f"{page}?width={w}").status_code for w in range(100, 110)]
            assert statuses == [200] * 10
            upload = client.post("/processing/ocr?wait_for=0",
                                 files={"file": ("a.jpg", jpeg(64, 64))})
            assert upload.status_code == 202  # the queue's Redis took the job
            cache_redis.config_set("maxmemory", "0")
            client.get(f"{page}?width=120")
            assert client.get(f"{page}?width=120").headers["x-cache"] == "hit-redis"
            assert cache_redis.keys("folio:cache:*")
            assert queue_redis.keys("folio:cache:*") == []
    finally:
        cache.stop()
