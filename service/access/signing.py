"""Signed URLs: one GET URL, readable without an API key until it expires.

    canonical = METHOD "\\n" PATH "\\n" QUERY
    QUERY     = every query pair except `signature`, percent-decoded, sorted,
                re-encoded (only RFC 3986 unreserved bytes left bare), joined by "&"
    signature = base64url(HMAC-SHA256(secret of `kid`, canonical)), unpadded

`expires` (unix seconds) and `kid` are pairs of the signed query, so neither
can be changed without breaking the signature. HEAD is checked as GET: a URL
signed for reading answers both, and a CDN may send either. The canonical
query is rebuilt from the decoded pairs, so `%2C` and `,` or a reordered query
verify alike while any changed byte of a value does not.

Keys: `FOLIO_SIGNING_KEYS=kid:secret,...` — the first signs, all verify, so a
key is rotated by putting a new one first and dropping the old one once the
URLs signed with it have expired. Without that setting a key is generated
once into the data directory (every process of one deployment reads the same
file, so a URL signed by one is valid on all).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

import orjson

SIGNATURE = "signature"
EXPIRES = "expires"
KID = "kid"
KEY_FILE = "signing-key.json"
MEMO_SIZE = 4096  # verified URLs remembered per process; only valid ones are kept
_UNRESERVED = "-_.~"


class SignatureError(Exception):
    """A signed URL that must be refused: `reason` labels the metric, `detail` is public."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


MALFORMED = "malformed"
UNKNOWN_KID = "unknown-kid"
TAMPERED = "tampered"
EXPIRED = "expired"


class SigningKeyError(Exception):
    """The generated key file cannot be read."""


@dataclass(frozen=True, slots=True)
class Signed:
    kid: str
    expires: int

    def seconds_left(self, now: float) -> int:
        return max(0, self.expires - int(now))


def canonical(method: str, path: str, pairs: Sequence[tuple[str, str]]) -> bytes:
    method = "GET" if method == "HEAD" else method
    query = "&".join(
        f"{quote(k, safe=_UNRESERVED)}={quote(v, safe=_UNRESERVED)}"
        for k, v in sorted(p for p in pairs if p[0] != SIGNATURE)
    )
    return f"{method}\n{path}\n{query}".encode()


def _mac(secret: bytes, message: bytes) -> str:
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def has_signature(raw_query: str) -> bool:
    """A cheap first look; `Signer.check` decides."""
    return SIGNATURE in raw_query


class Signer:
    def __init__(self, keys: Sequence[tuple[str, str]]) -> None:
        if not keys:
            raise ValueError("at least one signing key is needed")
        self.kid = keys[0][0]
        self._secrets = {kid: secret.encode() for kid, secret in keys}
        # (path, query) → verified: a CDN or viewer repeats the same signed URLs, and
        # a URL's signature never changes while its expiry is checked on every use
        self._memo: dict[tuple[str, str], Signed] = {}

    @classmethod
    def for_deployment(cls, keys: Sequence[tuple[str, str]], data_dir: Path) -> Signer:
        return cls(keys or [load_or_create_key(data_dir)])

    def sign(self, url: str, ttl: int, now: float | None = None) -> str:
        """`url` (path and query, or absolute) with expires, kid and signature added.

        Any expires/kid/signature already in it are replaced.
        """
        parts = urlsplit(url)
        now = time.time() if now is None else now
        pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                 if k not in (EXPIRES, KID, SIGNATURE)]
        pairs += [(EXPIRES, str(int(now) + ttl)), (KID, self.kid)]
        # the server sees the decoded path, so that is what is signed
        signature = _mac(self._secrets[self.kid],
                         canonical("GET", unquote(parts.path), pairs))
        pairs.append((SIGNATURE, signature))
        query = "&".join(f"{quote(k, safe=_UNRESERVED)}={quote(v, safe=_UNRESERVED)}"
                         for k, v in pairs)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

    def check(self, method: str, path: str, raw_query: str,
              now: float | None = None) -> Signed | None:
        """None when the URL carries no signature; raises SignatureError when it is refused."""
        if not has_signature(raw_query):
            return None
        now = time.time() if now is None else now
        readable = method in ("GET", "HEAD")
        known = self._memo.get((path, raw_query)) if readable else None
        if known is not None:
            if known.expires <= now:
                raise SignatureError(EXPIRED, "The signed URL has expired.")
            return known
        pairs = parse_qsl(raw_query, keep_blank_values=True)
        found: dict[str, str] = {}
        for key, value in pairs:
            if key in (SIGNATURE, EXPIRES, KID):
                if key in found:
                    raise SignatureError(MALFORMED, f"The signed URL has `{key}` twice.")
                found[key] = value
        if SIGNATURE not in found:
            return None  # "signature" was only part of another name or value
        if EXPIRES not in found or KID not in found:
            raise SignatureError(MALFORMED, "A signed URL needs `expires`, `kid` and "
                                            "`signature` query parameters.")
        secret = self._secrets.get(found[KID])
        if secret is None:
            raise SignatureError(UNKNOWN_KID, "The URL is signed with an unknown key "
                                              f"(kid {found[KID][:32]!r}).")
        expected = _mac(secret, canonical(method, path, pairs))
        if not hmac.compare_digest(expected.encode(), found[SIGNATURE].encode()):
            raise SignatureError(TAMPERED, "The URL's signature does not match its path "
                                           "and query.")
        try:
            expires = int(found[EXPIRES])
        except ValueError:
            # only reachable with a key that signed a broken URL; still no access
            raise SignatureError(MALFORMED, "`expires` must be unix seconds.") from None
        if expires <= now:
            raise SignatureError(EXPIRED, "The signed URL has expired.")
        signed = Signed(found[KID], expires)
        if readable:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            self._memo[(path, raw_query)] = signed
        return signed


def load_or_create_key(data_dir: Path) -> tuple[str, str]:
    """The deployment's own signing key: read it, or create it exactly once.

    The new key is written under a temporary name (mode 0600) and hard-linked
    into place, which fails if another process got there first; then the
    winner's key is read, so every process ends up with the same one.
    """
    path = Path(data_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        data = orjson.dumps({"kid": "local-" + secrets.token_hex(3),
                             "secret": secrets.token_urlsafe(32)})
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    try:
        item = orjson.loads(path.read_bytes())
        return str(item["kid"]), str(item["secret"])
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise SigningKeyError(f"the signing key file {path} is damaged ({exc}); move it "
                              "away (URLs signed with it stop working) or set "
                              "FOLIO_SIGNING_KEYS") from None
