"""Every Redis key and channel name folio uses, so prefixes never collide."""

PREFIX = "folio:"


def entry(key: str) -> str:
    return f"{PREFIX}cache:{key}"


def lease(key: str) -> str:
    return f"{PREFIX}lease:{key}"


def ratelimit(tenant: str) -> str:
    return f"{PREFIX}ratelimit:{tenant}"



def share_token_revoked(token_uuid: str) -> str:
    return f"{PREFIX}share-token-revoked:{token_uuid}"
