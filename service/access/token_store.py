"""What the gate and the sharing routes need of share tokens, wherever they are kept:
files in the data directory (`access.share_tokens`) or PostgreSQL
(`state.pg_tokens`). Management calls block (call them in a thread); the
request path's `check` is a coroutine."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from service.access.share_tokens import ShareToken


class TokenStore(Protocol):
    def create(self, tenant: str, document_id: str, expires_at: dt.date,
               issuer: str) -> dict[str, Any]: ...

    def of_tenant(self, tenant: str) -> list[dict[str, Any]]: ...

    def remove_document(self, document_id: str) -> int:
        """Remove every token of a deleted processing; how many there were."""

    async def revoke(self, tenant: str, token_uuid: str) -> bool:
        """False when the tenant has no token with this uuid."""

    def check_now(self, presented: str, processing_id: str) -> ShareToken | None:
        """`check`'s answer when it needs no read or round trip; None: ask `check`."""

    async def check(self, presented: str, processing_id: str) -> ShareToken:
        """The token if it opens `processing_id`; raises TokenRefused otherwise."""
