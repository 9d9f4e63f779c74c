"""One error schema for every response folio sends.

    ApiError                     status + public detail, rendered as {"detail": ...}
    ├── Unauthorized             401  credentials missing, malformed, unknown, expired, revoked
    ├── Forbidden                403  another tenant's processing
    ├── NotFound                 404  unknown id, index past the end, result not produced
    ├── ValidationFailed         422  detail is the list of {loc, msg, type}
    ├── TooMany                  429  rate limit (with Retry-After) or document too large
    ├── Busy                     503  render backlog full (with Retry-After)
    ├── BadIiifRequest           400  an IIIF Image API request the spec calls malformed
    ├── NotImplementedHere       501  a valid IIIF request folio does not implement
    └── Failed                   500  the processing failed; detail says why

Library exceptions never reach a client: they are translated at the boundary.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

NO_STORE = "no-store"
JSON = "application/json"


class ApiError(Exception):
    status = 500
    detail: Any = "Internal server error."

    def __init__(self, detail: Any = None, headers: dict[str, str] | None = None) -> None:
        if detail is not None:
            self.detail = detail
        self.headers = headers or {}
        super().__init__(str(self.detail))

    def response(self) -> Response:
        headers = {"cache-control": NO_STORE, **self.headers}
        body = orjson.dumps({"detail": self.detail})
        return Response(body, status_code=self.status, headers=headers, media_type=JSON)


class Unauthorized(ApiError):
    status = 401
    detail = "Credentials could not be validated."


class Forbidden(ApiError):
    status = 403
    detail = "Credentials could not be authorized for this processing request."


class NotFound(ApiError):
    status = 404
    detail = "Not found."


class ValidationFailed(ApiError):
    status = 422

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)


class TooMany(ApiError):
    status = 429
    detail = "Too many requests."


class Busy(ApiError):
    status = 503
    detail = "The server is busy rendering; try again shortly."


class Failed(ApiError):
    status = 500


class BadIiifRequest(ApiError):
    """The IIIF Image API answers 400 to bad syntax (the rest of folio answers 422)."""

    status = 400


class NotImplementedHere(ApiError):
    status = 501


def invalid(loc: tuple[str, ...], msg: str, type_: str) -> dict[str, Any]:
    return {"loc": list(loc), "msg": msg, "type": type_}
