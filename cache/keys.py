"""Every Redis key and channel name folio uses, so prefixes never collide.

A cache entry and its render lease share a hash tag (the cache key in braces), so
on a Redis Cluster both live in one slot, while different keys spread over all
slots. On a single Redis the braces mean nothing.
"""

PREFIX = "folio:"
_GLOB_SPECIAL = str.maketrans({c: "\\" + c for c in "*?[]\\"})


def entry(key: str) -> str:
    return f"{PREFIX}cache:{{{key}}}"


def entries_under(prefix: str) -> str:
    """The SCAN pattern of every entry whose cache key starts with `prefix` (for an
    operator's `redis-cli --scan --pattern`, and the tests)."""
    return f"{PREFIX}cache:{{{prefix.translate(_GLOB_SPECIAL)}*"


def group(name: str) -> str:
    """The index of a group's entries (`RedisCache.group_of`), in a slot of its own."""
    return f"{PREFIX}group:{{{name}}}"


def lease(key: str) -> str:
    return f"{PREFIX}lease:{{{key}}}"


def ratelimit(tenant: str) -> str:
    return f"{PREFIX}ratelimit:{tenant}"


def share_token_revoked(token_uuid: str) -> str:
    return f"{PREFIX}share-token-revoked:{token_uuid}"


def retention_lock() -> str:
    return f"{PREFIX}retention-sweep"
