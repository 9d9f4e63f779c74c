"""Every PostgreSQL notification channel folio uses, and the kinds of invalidation.

    folio_record      payload: a processing id whose record changed (wakes long polls)
    folio_invalidate  payload: "<kind>:<key>" — something every node must forget now
"""

from __future__ import annotations

RECORD_CHANGED = "folio_record"
INVALIDATE = "folio_invalidate"

PROCESSING = "processing"  # key: a deleted processing's id
KEYS = "keys"  # key: the key id created or revoked (every node reloads its key ring)
TOKEN = "token"  # key: the sha256 digest of a revoked share token


def payload(kind: str, key: str) -> str:
    return f"{kind}:{key}"


def parse(raw: str) -> tuple[str, str]:
    kind, _, key = raw.partition(":")
    return kind, key
