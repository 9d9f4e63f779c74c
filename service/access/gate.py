"""Who may read a result: a signed URL, a share token or an API key.

The URL says which one applies, and they are checked in order of cost:

  1. `signature` in the query → the signature alone decides: no store lookup,
     no key, no tenant (whoever holds the URL may read exactly that URL);
  2. `token` in the query     → the share token decides, for its one processing;
  3. otherwise                → the `Authorization` API key; the record's tenant
                                is compared later, once the record is loaded.

Signed URLs and share tokens only read: on any other method they are refused.
Refusals are 403 with a `detail` that says what is wrong (401 for a missing or
bad key, as the contract has it). Every decision is counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from service.access.apikeys import KeyRing
from service.access.outcomes import AccessOutcomes
from service.access.ratelimit import RateLimiter, retry_after_header
from service.access.share_tokens import TokenRefused
from service.access.signing import SIGNATURE, SignatureError, Signer
from service.access.token_store import TokenStore
from service.errors import Forbidden, TooMany, Unauthorized

SIGNED = "signed"
TOKEN = "token"
KEY = "key"
SCOPE_KEY = "folio.access"  # where the decision travels in the ASGI scope
TOKEN_PARAM = "token"
READ_METHODS = ("GET", "HEAD")


@dataclass(frozen=True, slots=True)
class Access:
    kind: str
    tenant: str | None  # whose processings may be read; None for a signed URL
    expires: int = 0  # signed: when the signature ends (unix seconds)


class Gate:
    def __init__(self, signer: Signer, tokens: TokenStore, keys: KeyRing,
                 limiter: RateLimiter, outcomes: AccessOutcomes) -> None:
        self.signer = signer
        self.tokens = tokens
        self.keys = keys
        self.limiter = limiter
        self.outcomes = outcomes
        self._keyed: dict[str, Access] = {}  # tenant → its (immutable) key decision
        self._shared_access: dict[str, Access] = {}  # tenant → its share-token decision

    def signed(self, method: str, path: str, raw_query: str) -> Access | None:
        """The signed-URL decision; None when the URL is not signed."""
        try:
            signed = self.signer.check(method, path, raw_query)
        except SignatureError as exc:
            self.outcomes.refuse(exc.reason)
            raise Forbidden(exc.detail) from None
        if signed is None:
            return None
        if method not in READ_METHODS:
            self._read_only()
        self.outcomes.admit(SIGNED)
        return Access(SIGNED, None, signed.expires)

    async def admit(self, method: str, path: str, raw_query: str,
                    authorization: str | None, processing_id: str) -> Access:
        """The decision for a request to the results of `processing_id`."""
        if SIGNATURE in raw_query:
            access = self.signed(method, path, raw_query)
            if access is not None:
                return access
        token = token_param(raw_query)
        if token is not None:
            return await self._shared(method, token, processing_id)
        return self._key_access(await self.keyed(authorization))

    def _key_access(self, tenant: str) -> Access:
        access = self._keyed.get(tenant)
        if access is None:
            access = self._keyed[tenant] = Access(KEY, tenant)
        return access

    def _token_access(self, tenant: str) -> Access:
        access = self._shared_access.get(tenant)
        if access is None:
            access = self._shared_access[tenant] = Access(TOKEN, tenant)
        return access

    def admit_now(self, method: str, path: str, raw_query: str,
                  authorization: str | None, processing_id: str) -> Access | None:
        """`admit`'s decision when it needs no waiting; None, with nothing counted or
        taken, when it does (a share token this process has not checked in full within
        `share_tokens.RECHECK` seconds, a rate limit held in Redis)."""
        if SIGNATURE in raw_query:
            access = self.signed(method, path, raw_query)
            if access is not None:
                return access
        token = token_param(raw_query)
        if token is not None:
            share = self.tokens.check_now(token, processing_id) \
                if method in READ_METHODS else None
            if share is None:
                return None
            wait = self.limiter.take_now(share.tenant_id)
            if wait is None:
                return None
            self._limited(wait)
            self.outcomes.admit(TOKEN)
            return self._token_access(share.tenant_id)
        tenant = self._tenant(authorization)
        wait = self.limiter.take_now(tenant)
        if wait is None:
            return None
        self._limited(wait)
        self.outcomes.admit(KEY)
        return self._key_access(tenant)

    async def keyed(self, authorization: str | None) -> str:
        """The API key's tenant, rate limit taken; what key-only routes use."""
        tenant = self._tenant(authorization)
        await self._limit(tenant)
        self.outcomes.admit(KEY)
        return tenant

    def _tenant(self, authorization: str | None) -> str:
        tenant = self.keys.tenant_for(authorization)
        if tenant is None:
            self.outcomes.refuse("key")
            raise Unauthorized()
        return tenant

    async def _shared(self, method: str, token: str, processing_id: str) -> Access:
        if method not in READ_METHODS:
            self._read_only()
        try:
            share = await self.tokens.check(token, processing_id)
        except TokenRefused as exc:
            self.outcomes.refuse(exc.reason)
            raise Forbidden(exc.detail) from None
        await self._limit(share.tenant_id)
        self.outcomes.admit(TOKEN)
        return self._token_access(share.tenant_id)

    def _read_only(self) -> None:
        self.outcomes.refuse("read-only")
        raise Forbidden("Signed URLs and share tokens only read (GET or HEAD).")

    async def _limit(self, tenant: str) -> None:
        self._limited(await self.limiter.retry_after(tenant))

    @staticmethod
    def _limited(wait: float) -> None:
        if wait > 0:
            raise TooMany("Rate limit exceeded.",
                          headers={"retry-after": retry_after_header(wait)})


def token_param(raw_query: str) -> str | None:
    if TOKEN_PARAM not in raw_query:
        return None
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        if key == TOKEN_PARAM:
            return value
    return None
