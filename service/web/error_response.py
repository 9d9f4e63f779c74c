"""The one place an ApiError becomes a Starlette answer."""

from __future__ import annotations

from starlette.responses import Response

from service.errors import ApiError
from service.wire.errors import error_parts


def error_response(error: ApiError) -> Response:
    status, headers, body = error_parts(error)
    response = Response(body, status_code=status)
    response.raw_headers = headers
    return response
