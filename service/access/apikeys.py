"""API keys: `Authorization: ApiKey <secret>`.

Secrets are 256-bit random tokens, so a plain SHA-256 is a sound way to store
them (a slow password hash protects guessable secrets; these are not). Keys live
in `<data dir>/keys.json` (or, with FOLIO_DATABASE_URL, the `api_keys` table:
`state.pg_keys`), managed by `folio keys`, and in `FOLIO_API_KEYS`. The key ring
reloads its source when the source's stamp changes, so a revoke reaches running
servers: the key file's mtime, or a database notification.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import orjson

from service.artifacts.files import atomic_write

log = logging.getLogger("folio.auth")

KEY_FILE = "keys.json"
SCHEME = "apikey"
RELOAD_EVERY = 1.0
MEMO_SIZE = 4096  # valid keys remembered per process; only valid keys are kept


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ApiKey:
    key_id: str
    tenant: str
    digest: str
    created: str
    expires: str | None = None  # ISO date; the key works through that day (UTC)
    revoked: bool = False

    def usable(self, today: dt.date) -> bool:
        if self.revoked:
            return False
        return self.expires is None or dt.date.fromisoformat(self.expires) >= today


class KeyFileError(Exception):
    pass


class KeySource(Protocol):
    """Where keys are kept: the key file, or the database (`state.pg_keys`)."""

    def load(self) -> list[ApiKey]: ...

    def stamp(self) -> object:
        """Changes whenever the keys may have; cheap enough to ask every second."""

    def create(self, tenant: str, expires: dt.date | None = None) -> tuple[ApiKey, str]: ...

    def revoke(self, key_id: str) -> bool: ...


def new_key(tenant: str, expires: dt.date | None) -> tuple[ApiKey, str]:
    secret = secrets.token_urlsafe(32)
    return ApiKey(key_id=secrets.token_hex(4), tenant=tenant, digest=digest(secret),
                  created=dt.datetime.now(dt.UTC).date().isoformat(),
                  expires=expires.isoformat() if expires else None), secret


class KeyFile:
    """The key file in the data directory: what `folio keys` edits."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / KEY_FILE

    def load(self) -> list[ApiKey]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        try:
            return [ApiKey(**item) for item in orjson.loads(raw)]
        except (orjson.JSONDecodeError, TypeError) as exc:
            raise KeyFileError(f"the key file {self.path} is damaged ({exc}); "
                               "restore it from a backup or move it away") from None

    def _save(self, keys: list[ApiKey]) -> None:
        data = [
            {"key_id": k.key_id, "tenant": k.tenant, "digest": k.digest, "created": k.created,
             "expires": k.expires, "revoked": k.revoked}
            for k in keys
        ]
        atomic_write(self.path, orjson.dumps(data, option=orjson.OPT_INDENT_2))
        os.chmod(self.path, 0o600)

    def stamp(self) -> object:
        try:
            return self.path.stat().st_mtime
        except FileNotFoundError:
            return None

    def create(self, tenant: str, expires: dt.date | None = None) -> tuple[ApiKey, str]:
        key, secret = new_key(tenant, expires)
        self._save([*self.load(), key])
        return key, secret

    def revoke(self, key_id: str) -> bool:
        keys = self.load()
        found = False
        for i, key in enumerate(keys):
            if key.key_id == key_id and not key.revoked:
                keys[i] = ApiKey(key.key_id, key.tenant, key.digest, key.created, key.expires, True)
                found = True
        if found:
            self._save(keys)
        return found


class KeyRing:
    """Answers "which tenant does this Authorization header belong to?"."""

    def __init__(self, key_file: KeySource, env_keys: tuple[tuple[str, str], ...]) -> None:
        self.key_file = key_file
        self._env = [
            ApiKey(f"env{i}", tenant, digest(secret), "")
            for i, (tenant, secret) in enumerate(env_keys)
        ]
        self._keys: list[ApiKey] = list(self._env)
        self._stamp: object = None
        self._checked = 0.0
        # header → tenant for keys already checked today; cleared on every reload
        self._memo: dict[str, str] = {}
        self._memo_day = dt.date.min
        self._reload()

    def _reload(self) -> None:
        stamp = self.key_file.stamp()
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                self._keys = self._env + self.key_file.load()
            except KeyFileError as exc:
                # keep serving with the keys known so far rather than locking everyone out
                log.error("%s", exc)
            self._memo = {}

    def reload_soon(self) -> None:
        """The source changed (a database notification): look at it on the next request
        rather than when the second is up."""
        self._checked = 0.0

    def count(self) -> int:
        return len(self._keys)

    def tenant_for(self, authorization: str | None) -> str | None:
        if not authorization:
            return None
        now = time.monotonic()
        if now - self._checked > RELOAD_EVERY:
            self._checked = now
            self._reload()
            today = dt.datetime.now(dt.UTC).date()
            if today != self._memo_day:
                self._memo, self._memo_day = {}, today
        known = self._memo.get(authorization)
        if known is not None:
            return known
        tenant = self._check(authorization)
        if tenant is not None and len(self._memo) < MEMO_SIZE:
            self._memo[authorization] = tenant
        return tenant

    def _check(self, authorization: str) -> str | None:
        scheme, _, secret = authorization.strip().partition(" ")
        secret = secret.strip()
        if scheme.lower() != SCHEME or not secret or " " in secret:
            return None
        presented = digest(secret).encode()
        today = dt.datetime.now(dt.UTC).date()
        tenant = None
        # compare against every key so the time taken does not depend on which one matches
        for key in self._keys:
            if hmac.compare_digest(presented, key.digest.encode()) and key.usable(today):
                tenant = key.tenant
        return tenant
