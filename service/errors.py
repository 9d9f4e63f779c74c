"""Every exception folio raises on purpose, and where each becomes an HTTP answer.

    ApiError(detail, status)     status + public detail, rendered as {"detail": ...}
    ├── Unauthorized             401  credentials missing, malformed, unknown, expired, revoked
    ├── Forbidden                403  another tenant's processing
    ├── NotFound                 404  unknown id, index past the end, result not produced
    ├── ValidationFailed         422  detail is the list of {loc, msg, type}
    ├── TooMany                  429  rate limit (with Retry-After) or upload too large
    ├── Busy                     503  render backlog full (with Retry-After)
    ├── BadIiifRequest           400  an IIIF Image API request the spec calls malformed
    ├── NotImplementedHere       501  a valid IIIF request folio does not implement
    ├── Failed                   500  the processing failed; detail says why
    ├── QueueUnavailable         503  the job queue (Redis) refused the upload (with Retry-After)
    ├── StateUnavailable         503  the database (FOLIO_DATABASE_URL) is unreachable (Retry-After)
    ├── StoreUnavailable         503  the object store (FOLIO_STORE_URL) is down (Retry-After)
    └── ProcessingError          500  a document cannot be processed (raised by pipeline steps)
        ├── TooLarge             429  a page or pixel limit exceeded (before any pixel is decoded)
        └── WorkerLost           500  a page process died mid-job; the job is retried (run.py)

The tree knows no framework: `wire/errors.py` gives an error's status, headers
and body, and `web/error_response.py` is the one place the web layer turns it into
an answer (for `web/app.py`'s handlers and the fast path). A ProcessingError raised
during processing is stored as the record's failure (`pipeline/run.py`) and later
answered as Failed; one raised while an upload is inspected
(`web/routes/submit.py`) answers 422, TooLarge answers 429.

Internal exceptions, each translated where it is caught:
    config.ConfigError            `folio` exits with the list of bad settings (cli/commands.py)
    access.apikeys.KeyFileError   startup/CLI error; a reload keeps the old keys (access/apikeys.py)
    access.signing.SignatureError   Forbidden 403 with its detail (access/gate.py)
    access.signing.SigningKeyError  startup/CLI error: the generated signing key is damaged
    access.share_tokens.TokenRefused  Forbidden 403 with its detail (access/gate.py)
    artifacts.record.CorruptRecord  Failed 500 (web/checks.py)
    images.imaging.ImagingError   ApiError 500 (images/scaler.py)
    web.routes.submit.UploadTooLarge  TooMany 429 (web/routes/submit.py)
    state.migrate.DatabaseSetupError  `folio` names FOLIO_DATABASE_URL and exits 2 (cli/)
    cache.CacheUnavailable        never surfaces: the cache tier is skipped (cache/)

Library exceptions (pyvips, pypdfium2, pikepdf, tesseract's exit status, Redis,
asyncpg: `state/database.py`, obstore: `objects/s3_store.py`) never reach a client:
they are translated at the call that raised them.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    def __init__(self, detail: Any = "Internal server error.", status: int = 500,
                 headers: dict[str, str] | None = None) -> None:
        self.detail = detail
        self.status = status
        self.headers = headers or {}
        super().__init__(str(detail))


class Unauthorized(ApiError):
    def __init__(self, detail: str = "Credentials could not be validated.",
                 scheme: str = "ApiKey") -> None:
        # RFC 9110 11.6.1: a 401 names the scheme that would be accepted
        super().__init__(detail, 401, {"www-authenticate": scheme})


class Forbidden(ApiError):
    def __init__(self, detail: str = ("Credentials could not be authorized for this "
                                      "processing request.")) -> None:
        super().__init__(detail, 403)


class NotFound(ApiError):
    def __init__(self, detail: str = "Not found.") -> None:
        super().__init__(detail, 404)


class ValidationFailed(ApiError):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors, 422)


class TooMany(ApiError):
    def __init__(self, detail: str = "Too many requests.",
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail, 429, headers)


class Busy(ApiError):
    def __init__(self, detail: str = "The server is busy rendering; try again shortly.",
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail, 503, headers)


class QueueUnavailable(ApiError):
    def __init__(self, detail: str = "The job queue is unavailable; try again shortly.",
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail, 503, {"retry-after": "5", **(headers or {})})


class StateUnavailable(ApiError):
    """Raised by the PostgreSQL state stores for any failure to reach the database."""

    def __init__(self, detail: str = ("The database is unavailable; try again shortly."),
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail, 503, {"retry-after": "2", **(headers or {})})


class StoreUnavailable(ApiError):
    """Raised by the object stores (`objects/`) for any failure to reach the store."""

    def __init__(self, detail: str = "The object store is unavailable; try again shortly.",
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail, 503, {"retry-after": "5", **(headers or {})})


class Failed(ApiError):
    def __init__(self, detail: str) -> None:
        super().__init__(detail, 500)


class ProcessingError(ApiError):
    """The document is bad; `detail` says why, in words for the client.

    Crosses process boundaries (page workers), so it pickles by its detail alone.
    """

    def __init__(self, detail: str) -> None:
        super().__init__(detail, 500)


class TooLarge(ProcessingError):
    """A limit (pages, megapixels) was exceeded; checked before any pixel is decoded."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.status = 429


class WorkerLost(ProcessingError):
    """A page process died (killed, out of memory, a crash in a decoder): not the
    document's fault for certain, so `pipeline/run.py` retries the job."""


class BadIiifRequest(ApiError):
    """The IIIF Image API answers 400 to bad syntax (the rest of folio answers 422)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, 400)


class NotImplementedHere(ApiError):
    def __init__(self, detail: str) -> None:
        super().__init__(detail, 501)


def invalid(loc: tuple[str, ...], msg: str, type_: str) -> dict[str, Any]:
    return {"loc": list(loc), "msg": msg, "type": type_}
