"""Cache-Control and Vary by who asked: who may keep an answer, and for whom.

| access     | Cache-Control                                       | Vary adds     |
|------------|-----------------------------------------------------|---------------|
| API key    | private, max-age=31536000, immutable                | Authorization |
| share token| private, no-cache                                   | Authorization |
| signed URL | public, max-age=<seconds the signature has left,    |               |
|            | capped by FOLIO_SIGNED_MAX_AGE>, immutable          |               |

plus `Accept` when the format was chosen from it (`format=auto`). With CORS
on, Starlette's CORS middleware adds `Origin` to every answer.

Why: a browser must not reuse a keyed answer for a request with another key
or none (Vary: Authorization). A share token can be revoked, and a browser
that kept its answers would go on showing them, so they are revalidated every
time (a 304 costs no body). A signed URL grants exactly that URL to whoever
holds it, so a CDN may keep its answer, but not past the signature's end.

Only the answers that carry the artifact default (`IMMUTABLE`: 200, 206 and
304 of a finished result) are rewritten, by `cache_headers`: the web layer
applies it to every handler's answer and the planner to its own; 202s and errors keep `no-store`.
"""

from __future__ import annotations

import time

from service.access.gate import KEY, SIGNED, TOKEN, Access
from service.wire.media import IMMUTABLE

_IMMUTABLE = IMMUTABLE.encode()
_TOKEN = b"private, no-cache"


def signed_left(access: Access, max_age: int, now: int) -> int:
    """Seconds a signed URL's answer may be kept: what the signature has left, capped."""
    return max(0, min(max_age, access.expires - now))


def cache_headers(access: Access, negotiated: bool, headers: list[tuple[bytes, bytes]],
                  max_age: int, now: int | None = None) -> list[tuple[bytes, bytes]]:
    """`headers` with Cache-Control and Vary for `access` (`now`: the second it is
    decided for, for a signed URL); `headers` is never changed."""
    if (b"cache-control", _IMMUTABLE) not in headers:
        return headers
    vary: list[bytes] = []
    if access.kind == KEY:
        cache_control = _IMMUTABLE
        vary.append(b"Authorization")
    elif access.kind == TOKEN:
        cache_control = _TOKEN
        # the contract's rule for both private kinds; harmless, as the token wins
        vary.append(b"Authorization")
    else:
        assert access.kind == SIGNED
        left = signed_left(access, max_age, int(time.time()) if now is None else now)
        cache_control = b"public, max-age=%d, immutable" % left
    if negotiated:
        vary.append(b"Accept")
    out = []
    for name, value in headers:
        if name == b"cache-control":
            value = cache_control
        elif name == b"vary":
            vary.insert(0, value)
            continue
        out.append((name, value))
    if vary:
        out.append((b"vary", b", ".join(vary)))
    return out
