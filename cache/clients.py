"""The Redis client a URL names: one server, or a Redis Cluster.

    redis://host:port/db, rediss://…, unix://…    one Redis (redis-py's from_url)
    redis+cluster://[user:password@]host:port[,host:port…]
    rediss+cluster://…                             the same over TLS

A cluster URL lists one or more of its nodes (any node will do; the client asks it
for the slot map and follows MOVED/ASK from there). A cluster has one database, so
the URL takes no path.
"""

from __future__ import annotations

from urllib.parse import unquote

import redis.asyncio as redis
from redis.asyncio.cluster import ClusterNode, RedisCluster

CLUSTER_SCHEMES = ("redis+cluster", "rediss+cluster")


def is_cluster(url: str) -> bool:
    return url.split("://", 1)[0] in CLUSTER_SCHEMES


def cluster_nodes(url: str) -> list[tuple[str, int]]:
    """The host:port pairs of a cluster URL; ValueError when it names none or is malformed."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in CLUSTER_SCHEMES:
        raise ValueError("expected redis+cluster://host:port[,host:port...]")
    hosts = rest.rpartition("@")[2]
    if "/" in hosts.rstrip("/") or "?" in hosts:
        raise ValueError("a cluster URL takes no database path or query")
    nodes = []
    for item in hosts.rstrip("/").split(","):
        host, colon, port = item.strip().rpartition(":")
        if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{item!r} is not host:port")
        nodes.append((host.strip("[]"), int(port)))
    return nodes


def client_for(url: str, connect_timeout: float) -> redis.Redis | RedisCluster:
    """A long-lived client for `url` (no socket timeout: every call is bounded by
    its caller's asyncio.timeout)."""
    if not is_cluster(url):
        client: redis.Redis = redis.Redis.from_url(url, socket_connect_timeout=connect_timeout)
        return client
    userinfo = url.partition("://")[2].rpartition("@")
    username = password = None
    if userinfo[1]:
        user, _, secret = userinfo[0].partition(":")
        username, password = unquote(user) or None, unquote(secret) or None
    cluster: RedisCluster = RedisCluster(
        startup_nodes=[ClusterNode(host, port) for host, port in cluster_nodes(url)],
        username=username, password=password, ssl=url.startswith("rediss+"),
        socket_connect_timeout=connect_timeout)
    return cluster
