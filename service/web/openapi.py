"""folio's OpenAPI 3.1 document, built from the path table (`openapi_paths`).

`document()` adds the answers every API route shares (304, 206/416 for stored
files, the errors), the security schemes and the schemas. `document(workflow)` is
the per-workflow variant the vendor serves at /processing/{workflow}/openapi: only
that workflow's results, and its submit route without the path parameter.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

from service.pipeline import workflows
from service.web.openapi_paths import Body, Operation, operations
from service.web.openapi_schemas import Schema, components, ref

try:
    VERSION = metadata.version("folio")
except metadata.PackageNotFoundError:  # run from a source tree that was never installed
    VERSION = "0+unknown"

HEADERS: dict[str, Schema] = {
    "ETag": {"description": "Strong validator; If-None-Match answers 304.",
             "schema": {"type": "string"}},
    "Cache-Control": {"description": "immutable for a finished result, no-store for 202 "
                      "and errors.", "schema": {"type": "string"}},
    "Content-Disposition": {"description": "attachment with the sub-document's file name.",
                            "schema": {"type": "string"}},
    "Retry-After": {"description": "Seconds until the rate limit lets the next call in.",
                    "schema": {"type": "string"}},
    "Content-Range": {"description": "The bytes sent, of the whole file.",
                      "schema": {"type": "string"}},
}

ERRORS: dict[int, tuple[str, str]] = {
    401: ("Credentials missing, malformed, unknown, expired or revoked.", "Error"),
    403: ("Another tenant's processing, or a workflow the tenant may not use.", "Error"),
    404: ("Unknown processing, page or sub-PDF, or a result this workflow does not produce.",
          "Error"),
    422: ("Validation error; `loc` names the parameter.", "ValidationError"),
    429: ("Rate limit exceeded, or the upload is too large (bytes or pages).", "Error"),
    409: ("The processing is still pending or running.", "Error"),
    500: ("The processing failed; `detail` says why.", "Error"),
    503: ("Not ready, or the render backlog is full; try again shortly.", "Error"),
    400: ("An IIIF request the IIIF Image API calls malformed (region, size, rotation, "
          "quality or format).", "Error"),
    501: ("A valid IIIF request folio does not implement (upscaling, other rotations "
          "or formats).", "Error"),
}


def _content(body: Body) -> dict[str, Any]:
    return {m: ({"schema": body.schema} if body.schema is not None else {})
            for m in body.media_types}


def _operation(op: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, body in op.ok.items():
        answer: dict[str, Any] = {"description": body.description}
        if body.media_types:
            answer["content"] = _content(body)
        if body.headers:
            answer["headers"] = {h: HEADERS[h] for h in body.headers}
        responses[str(status)] = answer
    if op.ranges:
        ok = op.ok[200]
        responses["206"] = {"description": "The requested byte range(s) of the file.",
                            "headers": {"Content-Range": HEADERS["Content-Range"]},
                            "content": {**{m: {} for m in ok.media_types},
                                        "multipart/byteranges": {}}}
    if op.conditional:
        responses["304"] = {"description": "Not modified (If-None-Match matched the ETag)."}
    if op.ranges:
        responses["416"] = {"description": "Range not satisfiable.",
                            "headers": {"Content-Range": HEADERS["Content-Range"]},
                            "content": {"text/plain": {"schema": {"type": "string"}}}}
    for status in op.errors:
        description, schema = ERRORS[status]
        answer = {"description": description,
                  "content": {"application/json": {"schema": ref(schema)}}}
        if status == 429:
            answer["headers"] = {"Retry-After": HEADERS["Retry-After"]}
        responses[str(status)] = answer
    out: dict[str, Any] = {
        "operationId": op.operation_id, "summary": op.summary, "tags": list(op.tags),
        "parameters": [dict(p) for p in op.parameters], "responses": responses,
        **op.extra,
    }
    if op.description:
        out["description"] = op.description
    if op.request_body is not None:
        out["requestBody"] = op.request_body
    if not op.secured:
        out["security"] = []
    elif op.shareable:
        out["security"] = [{"ApiKey": []}, {"ShareToken": []}, {"SignedUrl": []}]
    else:
        out["security"] = [{"ApiKey": []}]
    return out


def _for_workflow(op: Operation, workflow: workflows.Workflow) -> Operation | None:
    if op.result is not None and op.result not in workflow.results:
        return None
    if op.operation_id == "submit":
        params = tuple(p for p in op.parameters if p["name"] != "workflow")
        return Operation(op.method, f"/processing/{workflow.workflow_id}", op.operation_id,
                         f"Submit a document to {workflow.name}", op.ok, params,
                         tags=op.tags, conditional=False, request_body=op.request_body)
    if op.tags in (("operations",), ("sharing",)) or op.operation_id == "list_workflows":
        return None
    return op


def document(workflow: workflows.Workflow | None = None) -> dict[str, Any]:
    """folio's OpenAPI document; for one workflow only when `workflow` is given."""
    if workflow is None:
        results = tuple(dict.fromkeys(r for w in workflows.REGISTRY.values() for r in w.results))
        ops = operations(results)
        title, description = "folio", ("Self-hosted, wire-compatible document-processing "
                                        "results server.")
    else:
        results = workflow.results
        ops = [o for o in (_for_workflow(op, workflow) for op in operations(results)) if o]
        title, description = f"folio: {workflow.name}", workflow.description
    paths: dict[str, dict[str, Any]] = {}
    for op in ops:
        paths.setdefault(op.path, {})[op.method] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": VERSION, "description": description},
        "paths": paths,
        "components": {
            "schemas": components(results),
            "securitySchemes": {
                "ApiKey": {"type": "apiKey", "in": "header", "name": "Authorization",
                           "description": "`Authorization: ApiKey <secret>`"},
                "ShareToken": {"type": "apiKey", "in": "query", "name": "token",
                               "description": "A share token, for its one processing's "
                               "GET routes (POST /share-tokens/documents)."},
                "SignedUrl": {"type": "apiKey", "in": "query", "name": "signature",
                              "description": "folio's signed URLs: `signature` with "
                              "`expires` and `kid`, an HMAC over the method, path and "
                              "sorted query (POST …/signed-urls)."},
            },
        },
        "security": [{"ApiKey": []}],
    }
