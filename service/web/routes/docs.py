"""folio's OpenAPI document, one workflow's document, and /docs that renders it for people.

Public like /healthz: the document says what the API is, nothing about anyone's data.
The documents are made once per process, on first use, after the plugins registered
their workflows.
"""

from __future__ import annotations

from functools import cache

import orjson
from starlette.requests import Request
from starlette.responses import Response

from service.errors import NotFound
from service.pipeline import workflows
from service.web.docs_page import render
from service.web.openapi import document

JSON = "application/json"
# the document changes with folio's version and plugins: revalidate, never keep blindly
HEADERS = {"cache-control": "no-cache"}


@cache
def _document(workflow_id: str | None) -> bytes:
    workflow = workflows.get(workflow_id) if workflow_id else None
    return orjson.dumps(document(workflow))


@cache
def _page() -> bytes:
    return render(orjson.loads(_document(None)), tuple(workflows.REGISTRY)).encode()


async def openapi_json(request: Request) -> Response:
    return Response(_document(None), media_type=JSON, headers=HEADERS)


async def workflow_openapi(request: Request) -> Response:
    workflow_id = request.path_params["workflow"]
    if workflows.get(workflow_id) is None:
        raise NotFound("No such workflow.")
    return Response(_document(workflow_id), media_type=JSON, headers=HEADERS)


async def docs(request: Request) -> Response:
    return Response(_page(), media_type="text/html; charset=utf-8", headers=HEADERS)


handlers = {"openapi": openapi_json, "workflow-openapi": workflow_openapi, "docs": docs}
