"""An error answers with the same bytes Starlette's Response gave before the move."""

from __future__ import annotations

import orjson
import pytest
from starlette.responses import Response

from service.errors import ApiError, Busy, NotFound, QueueUnavailable, ValidationFailed, invalid
from service.web.error_response import error_response
from service.wire.errors import error_parts


def starlette_answer(error: ApiError) -> Response:
    headers = {"cache-control": "no-store", **error.headers}
    return Response(orjson.dumps({"detail": error.detail}), status_code=error.status,
                    headers=headers, media_type="application/json")


ERRORS = {
    "not-found": NotFound(),
    "busy-retry-after": Busy(headers={"retry-after": "1"}),
    "queue-unavailable": QueueUnavailable(),
    "validation-list": ValidationFailed([invalid(("query", "size"), "bad", "value_error")]),
    "header-case": ApiError("x", 429, {"Retry-After": "3"}),
    "overrides-cache-control": ApiError("x", 503, {"cache-control": "no-cache"}),
}


@pytest.mark.parametrize("error", ERRORS.values(), ids=ERRORS.keys())
def test_error_parts_match_starlette(error: ApiError) -> None:
    expected = starlette_answer(error)
    assert error_parts(error) == (expected.status_code, expected.raw_headers, expected.body)


@pytest.mark.parametrize("error", ERRORS.values(), ids=ERRORS.keys())
def test_error_response_matches_starlette(error: ApiError) -> None:
    expected, answer = starlette_answer(error), error_response(error)
    assert (answer.status_code, answer.raw_headers, answer.body) == (
        expected.status_code, expected.raw_headers, expected.body)
