"""The Redis client a URL names: one server, a Redis Cluster, or a primary that
Sentinel watches.

    redis://host:port/db, rediss://…, unix://…    one Redis (redis-py's from_url)
    redis+cluster://[user:password@]host:port[,host:port…]
    rediss+cluster://…                             the same over TLS
    redis+sentinel://[user:password@]host:port[,host:port…]/SERVICE[/DB]

A cluster URL lists one or more of its nodes (any node will do; the client asks it
for the slot map and follows MOVED/ASK from there). A cluster has one database, so
the URL takes no path. A Sentinel URL lists the sentinels and names the watched
primary (`sentinel monitor SERVICE ...`); the client asks the sentinels where the
primary is and asks again after a failover. The user and password are the
primary's.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

import redis.asyncio as redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.sentinel import Sentinel

CLUSTER_SCHEMES = ("redis+cluster", "rediss+cluster")
SENTINEL_SCHEME = "redis+sentinel"


@dataclass(frozen=True, slots=True)
class SentinelUrl:
    sentinels: list[tuple[str, int]]
    service: str
    db: int
    username: str | None
    password: str | None


def is_cluster(url: str) -> bool:
    return url.split("://", 1)[0] in CLUSTER_SCHEMES


def is_sentinel(url: str) -> bool:
    return url.split("://", 1)[0] == SENTINEL_SCHEME


def cluster_nodes(url: str) -> list[tuple[str, int]]:
    """The host:port pairs of a cluster URL; ValueError when it names none or is malformed."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in CLUSTER_SCHEMES:
        raise ValueError("expected redis+cluster://host:port[,host:port...]")
    hosts = rest.rpartition("@")[2]
    if "/" in hosts.rstrip("/") or "?" in hosts:
        raise ValueError("a cluster URL takes no database path or query")
    return _host_ports(hosts.rstrip("/"))


def sentinel_url(url: str) -> SentinelUrl:
    """The parts of a Sentinel URL; ValueError when it is malformed."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme != SENTINEL_SCHEME or "?" in rest:
        raise ValueError("expected redis+sentinel://host:port[,host:port...]/SERVICE[/DB]")
    userinfo, _, location = rest.rpartition("@")
    hosts, _, path = location.partition("/")
    service, _, db = path.strip("/").partition("/")
    if not service:
        raise ValueError("name the primary Sentinel watches: .../SERVICE[/DB]")
    if db and not db.isdigit():
        raise ValueError(f"database {db!r} is not a number")
    username, password = _credentials(userinfo)
    return SentinelUrl(_host_ports(hosts), unquote(service), int(db or 0), username, password)


def _credentials(userinfo: str) -> tuple[str | None, str | None]:
    user, _, secret = userinfo.partition(":")
    return unquote(user) or None, unquote(secret) or None


def _host_ports(hosts: str) -> list[tuple[str, int]]:
    nodes = []
    for item in hosts.split(","):
        host, colon, port = item.strip().rpartition(":")
        if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{item!r} is not host:port")
        nodes.append((host.strip("[]"), int(port)))
    return nodes


def primary_for(url: str, connect_timeout: float) -> redis.Redis:
    """A long-lived client of one primary: named by its URL, or found through Sentinel
    (no socket timeout: every call is bounded by its caller's asyncio.timeout)."""
    if not is_sentinel(url):
        client: redis.Redis = redis.Redis.from_url(url, socket_connect_timeout=connect_timeout)
        return client
    parts = sentinel_url(url)
    # redis-py leaves Sentinel's constructor untyped
    sentinel = Sentinel(  # type: ignore[no-untyped-call]
        parts.sentinels, socket_connect_timeout=connect_timeout)
    primary: redis.Redis = sentinel.master_for(
        parts.service, db=parts.db, username=parts.username, password=parts.password,
        socket_connect_timeout=connect_timeout)
    return primary


def client_for(url: str, connect_timeout: float) -> redis.Redis | RedisCluster:
    """`primary_for`, or a cluster client for a cluster URL."""
    if not is_cluster(url):
        return primary_for(url, connect_timeout)
    username, password = _credentials(url.partition("://")[2].rpartition("@")[0])
    cluster: RedisCluster = RedisCluster(
        startup_nodes=[ClusterNode(host, port) for host, port in cluster_nodes(url)],
        username=username, password=password, ssl=url.startswith("rediss+"),
        socket_connect_timeout=connect_timeout)
    return cluster


async def close_client(client: redis.Redis | RedisCluster) -> None:
    """Close the client and, for a Sentinel-found primary, its sentinel connections."""
    await client.aclose()
    manager = getattr(client.connection_pool, "sentinel_manager", None) \
        if isinstance(client, redis.Redis) else None
    for sentinel in getattr(manager, "sentinels", ()):
        await sentinel.aclose()
