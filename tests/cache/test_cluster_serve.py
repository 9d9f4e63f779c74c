"""folio serve with its image cache on the three-master cluster: shared by two nodes,
emptied of a processing's images by DELETE."""

from __future__ import annotations

from pathlib import Path

import redis.cluster

from cache import keys
from service.images.scaler import cache_prefix
from tests.cache.cluster import RedisClusterProcesses
from tests.conftest import TENANT_A
from tests.helpers import make_processing, run_server


def cluster_entries(cluster: RedisClusterProcesses, processing_id: str) -> list[bytes]:
    host, port = cluster.nodes[0]
    with redis.cluster.RedisCluster(host=host, port=port) as client:
        return list(client.scan_iter(match=keys.entries_under(cache_prefix(processing_id))))


def test_two_nodes_share_images_through_the_cluster(redis_cluster: RedisClusterProcesses,
                                                    tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"FOLIO_API_KEYS": f"{TENANT_A[0]}:{TENANT_A[1]}",
           "FOLIO_REDIS_CACHE_URL": redis_cluster.url}
    with run_server(data, env) as first, run_server(data, env) as second:
        pid = make_processing(first.store, TENANT_A[0], pages=4).processing_id
        paths = [f"/processing/results/{pid}/page-images/{n}?width=30" for n in range(1, 5)]
        for path in paths:
            made = first.client(TENANT_A[1]).get(path)
            assert (made.status_code, made.headers["x-cache"]) == (200, "miss")
            shared = second.client(TENANT_A[1]).get(path)
            assert (shared.status_code, shared.headers["x-cache"]) == (200, "hit-redis")
            assert shared.content == made.content
        assert len(cluster_entries(redis_cluster, pid)) == 4
        assert first.client(TENANT_A[1]).delete(f"/processing/results/{pid}").status_code == 204
        assert cluster_entries(redis_cluster, pid) == []
