"""folio's OpenAPI 3.1 document, built in code from one list of operations.

To describe a new route, append one `Operation(...)` to OPERATIONS (parameters from
the helpers below, bodies as `Body`s). `document()` adds the error answers every API
route shares, the security scheme and the schemas. `document(workflow)` is the
per-workflow variant the vendor serves at /processing/{workflow}/openapi: only that
workflow's results, and its submit route without the path parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from service.images.imaging import FORMATS as IMAGE_FORMATS
from service.images.negotiate import AUTO
from service.pipeline import workflows
from service.pipeline.pdf_options import DPI, IMAGE_SIDE, JPEG_QUALITY, PAGE_SIDE
from service.web.checks import DEFAULT_WAIT, MAX_WAIT
from service.web.openapi_schemas import Schema, components, ref

try:
    VERSION = metadata.version("folio")
except metadata.PackageNotFoundError:  # run from a source tree that was never installed
    VERSION = "0+unknown"
RESULTS = "/processing/results/{processing_id}"


@dataclass(frozen=True, slots=True)
class Body:
    """One success answer: its media types and, for JSON, its schema."""

    description: str
    media_types: tuple[str, ...] = ("application/json",)
    schema: Schema | None = None
    headers: tuple[str, ...] = ()  # names from HEADERS


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    ok: dict[int, Body]
    parameters: tuple[Schema, ...] = ()
    result: str | None = None  # the result this route serves; filters the per-workflow view
    errors: tuple[int, ...] = (401, 403, 404, 422, 429, 500)
    secured: bool = True
    shareable: bool = False  # a share token or a signed URL may stand in for the key
    tags: tuple[str, ...] = ("results",)
    request_body: Schema | None = None
    description: str = ""
    conditional: bool = True  # ETag / If-None-Match → 304
    ranges: bool = False  # a stored file: Range → 206, an unsatisfiable one → 416
    extra: dict[str, Any] = field(default_factory=dict)


def query(name: str, schema: Schema, description: str = "", required: bool = False,
          **extra: Any) -> Schema:
    return {"name": name, "in": "query", "required": required, "schema": schema,
            "description": description, **extra}


def path(name: str, schema: Schema, description: str = "") -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": schema,
            "description": description}


def integer(minimum: int | None = None, maximum: int | None = None,
            default: int | None = None) -> Schema:
    schema: Schema = {"type": "integer"}
    if minimum is not None:
        schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    if default is not None:
        schema["default"] = default
    return schema


PROCESSING_ID = path("processing_id", {"type": "string", "format": "uuid"},
                     "The id POST /processing/{workflow} answered with.")
WAIT_FOR = query("wait_for", integer(0, MAX_WAIT, DEFAULT_WAIT),
                 "Seconds to wait for the processing to finish (long poll); 0 answers at once.")


def include(results: tuple[str, ...]) -> Schema:
    return query("include", {"type": "array", "items": {"type": "string", "enum": list(results)}},
                 "Results to put in the body (hyphenated names, repeatable); "
                 "absent = every available result.", style="form", explode=True)


SCALE = (
    query("width", integer(1), "Scale down to this width in pixels, keeping the aspect ratio; "
          "at least the page's width yields the page as it is (never upscaled)."),
    query("height", integer(1), "Scale down to this height in pixels, as `width`."),
    query("format", {"type": "string", "enum": [*IMAGE_FORMATS, "jpg", AUTO],
                     "default": "jpeg"},
          "Output format; JPEG by default, like the API; `auto` chooses from Accept."),
    query("quality", integer(1, 100), "Encoder quality of the scaled image."),
)
# The published /pdf options (API.md), with the parser's own limits; the same apply to
# /sub-pdfs/{index}.
PDF_OPTIONS = (
    query("dpi", integer(*DPI, 220), "Resolution the page images are rendered at."),
    query("jpeg_quality", integer(*JPEG_QUALITY), "JPEG quality of the embedded page images."),
    query("image_width", integer(*IMAGE_SIDE),
          "Short side of the embedded page images in px; the other follows the aspect."),
    query("image_height", integer(*IMAGE_SIDE),
          "Long side of the embedded page images in px; the other follows the aspect."),
    query("page_width", {"type": "number", "minimum": PAGE_SIDE[0], "maximum": PAGE_SIDE[1]},
          "Short side of the PDF pages in mm; requires page_height."),
    query("page_height", {"type": "number", "minimum": PAGE_SIDE[0], "maximum": PAGE_SIDE[1]},
          "Long side of the PDF pages in mm; requires page_width."),
    query("pdfa_compliant", {"type": "boolean", "default": False}, "A PDF/A-2b file."),
)

# A signed URL carries these with `signature` (the SignedUrl scheme); folio signs them.
SIGNED_URL = (
    query("expires", integer(0), "Signed URL: when it stops working (unix seconds)."),
    query("kid", {"type": "string"}, "Signed URL: which signing key."),
)

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
    500: ("The processing failed; `detail` says why.", "Error"),
    503: ("Not ready, or the render backlog is full; try again shortly.", "Error"),
    400: ("An IIIF request the IIIF Image API calls malformed (region, size, rotation, "
          "quality or format).", "Error"),
    501: ("A valid IIIF request folio does not implement (upscaling, other rotations "
          "or formats).", "Error"),
}

JSON = ("application/json",)
PDF = ("application/pdf",)


def image_types() -> tuple[str, ...]:
    return tuple(f"image/{f}" for f in IMAGE_FORMATS)


ACCEPTED = Body("The processing is still running.", JSON, ref("Accepted"))
FILE_HEADERS = ("ETag", "Cache-Control")


UPLOAD: Schema = {
    "required": True,
    "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {
            "file": {"type": "string", "contentMediaType": "application/octet-stream",
                     "description": "PDF, PNG, JPEG, TIFF, GIF, WebP or e-invoice XML "
                                    "(CII, UBL), recognised by its bytes."},
            "parameters": {"type": "string", "contentMediaType": "application/json",
                           "description": 'JSON object, e.g. {"language": "de"} (de | en).'},
        }}}},
}

def single(name: str, summary: str, body: Body, *, parameters: tuple[Schema, ...] = (),
           suffix: str | None = None, ranges: bool = True, busy: bool = False) -> Operation:
    """A sub-result route: GET …/{name}; 202 while the processing runs."""
    errors = (401, 403, 404, 422, 429, 500, *((503,) if busy else ()))
    return Operation(
        "get", f"{RESULTS}/{suffix or name}", f"get_{(suffix or name).replace('-', '_')}",
        summary, {200: body, 202: ACCEPTED}, (PROCESSING_ID, *parameters, *SIGNED_URL),
        result=name, errors=errors, ranges=ranges, shareable=True)


PUBLIC = [
    Operation("get", "/healthz", "healthz", "Liveness",
              {200: Body("Alive.", JSON, ref("Health"))}, errors=(), secured=False,
              tags=("operations",), conditional=False),
    Operation("get", "/readyz", "readyz", "Readiness",
              {200: Body("Ready.", JSON, ref("Health"))}, errors=(503,), secured=False,
              tags=("operations",), conditional=False),
    Operation("get", "/metrics", "metrics", "Prometheus metrics",
              {200: Body("Metrics in the text exposition format.", ("text/plain",))},
              errors=(401,), secured=False, tags=("operations",), conditional=False,
              description="With FOLIO_METRICS_TOKEN set, only `Authorization: Bearer "
                          "<token>` is answered (401 otherwise)."),
    Operation("get", "/openapi.json", "openapi", "This document",
              {200: Body("OpenAPI 3.1.", JSON, {"type": "object"})}, errors=(),
              secured=False, tags=("operations",), conditional=False),
    Operation("get", "/processing/{workflow}/openapi", "workflow_openapi",
              "The OpenAPI document of one workflow",
              {200: Body("OpenAPI 3.1.", JSON, {"type": "object"})},
              (path("workflow", {"type": "string"}, "A workflow id."),), errors=(404,),
              secured=False, tags=("operations",), conditional=False),
    Operation("get", "/docs", "docs", "This document, rendered for people",
              {200: Body("HTML page.", ("text/html",))}, errors=(), secured=False,
              tags=("operations",), conditional=False),
]


NO_BODY = Body("Done; no body.", ())
SHARING = [
    Operation("post", "/share-tokens/documents", "create_share_token",
              "A share token for one processing",
              {201: Body("The new token (its secret is shown only here).", JSON,
                         ref("ShareToken"))},
              errors=(401, 403, 404, 422, 429), tags=("sharing",), conditional=False,
              request_body={"required": True, "content": {"application/json": {
                  "schema": ref("ShareTokenRequest")}}}),
    Operation("get", "/share-tokens/documents", "list_share_tokens",
              "The tenant's share tokens",
              {200: Body("Oldest first; `token` is null (kept only as a hash).", JSON,
                         {"type": "array", "items": ref("ShareToken")})},
              errors=(401, 429), tags=("sharing",), conditional=False),
    Operation("delete", "/share-tokens/documents", "revoke_share_token",
              "Revoke a share token", {204: NO_BODY},
              (query("token_uuid", {"type": "string"}, "The token's `uuid`.", required=True),),
              errors=(401, 404, 422, 429), tags=("sharing",), conditional=False),
    Operation("post", f"{RESULTS}/signed-urls", "signed_urls",
              "Signed URLs of a processing's results (folio's addition)",
              {200: Body("One signed URL per result, in the shape of the full body.", JSON,
                         ref("SignedUrls")), 202: ACCEPTED},
              (PROCESSING_ID, query("ttl", integer(1), "Lifetime in seconds (at most "
                                    "FOLIO_SIGNED_URL_MAX_TTL)."), *SCALE),
              tags=("sharing",), conditional=False,
              request_body={"required": False, "content": {"application/json": {
                  "schema": ref("SignedUrlRequest")}}}),
]


IIIF_ID = "/iiif/3/{processing_id}~{page}"
IIIF_PAGE = path("page", integer(1), "1-based page number.")
IIIF_ERRORS = (400, 401, 403, 404, 422, 429, 500, 501, 503)
IIIF = [
    Operation("get", IIIF_ID, "iiif_base", "IIIF image service base URI",
              {303: Body("Redirect to info.json (query kept).", ())},
              (PROCESSING_ID, IIIF_PAGE, *SIGNED_URL), errors=(), secured=False,
              tags=("iiif",), conditional=False),
    Operation("get", f"{IIIF_ID}/info.json", "iiif_info", "IIIF Image API 3.0 info.json",
              {200: Body("Image information (JSON, or JSON-LD when Accept asks for it).",
                         ("application/json", "application/ld+json"),
                         {"type": "object"}, FILE_HEADERS), 202: ACCEPTED},
              (PROCESSING_ID, IIIF_PAGE, *SIGNED_URL), errors=IIIF_ERRORS,
              shareable=True, tags=("iiif",)),
    Operation("get", f"{IIIF_ID}/{{region}}/{{size}}/{{rotation}}/{{quality_format}}",
              "iiif_image", "An IIIF image request (a tile, a region, a size)",
              {200: Body("The image.", image_types(), None, FILE_HEADERS), 202: ACCEPTED},
              (PROCESSING_ID, IIIF_PAGE,
               path("region", {"type": "string"}, "full | square | x,y,w,h | pct:x,y,w,h"),
               path("size", {"type": "string"}, "max | w, | ,h | w,h | !w,h | pct:n"),
               path("rotation", {"type": "string"}, "0, 90, 180 or 270, ! to mirror"),
               path("quality_format", {"type": "string"},
                    "{default|color|gray|bitonal}.{jpg|png|webp}"),
               *SIGNED_URL), errors=IIIF_ERRORS, shareable=True, tags=("iiif",)),
    Operation("get", "/viewer/{processing_id}", "viewer", "The built-in document viewer",
              {200: Body("The viewer page (the same for every processing; it fetches "
                         "with the ?token= it was opened with).", ("text/html",))},
              (PROCESSING_ID,), errors=(), secured=False, tags=("viewer",),
              conditional=False),
]


def operations(results: tuple[str, ...]) -> list[Operation]:
    """Every route folio serves; `results` are the result names the document covers."""
    return [
        Operation("post", "/processing/{workflow}", "submit", "Submit a document",
                  {201: Body("Finished within wait_for: the full result.", JSON,
                             ref("FullResult")), 202: ACCEPTED},
                  (path("workflow", {"type": "string"}, "A workflow id from "
                        "GET /processing/workflows."), include(results), WAIT_FOR),
                  tags=("processing",), conditional=False, request_body=UPLOAD),
        Operation("get", "/processing/workflows", "list_workflows", "The workflows",
                  {200: Body("Every workflow folio runs.", JSON,
                             {"type": "array", "items": ref("Workflow")})},
                  errors=(401, 429), tags=("processing",), conditional=False),
        Operation("get", RESULTS, "get_result", "The full result",
                  {200: Body("The processing is done.", JSON, ref("FullResult"),
                             FILE_HEADERS), 202: ACCEPTED},
                  (PROCESSING_ID, include(results), WAIT_FOR, *SIGNED_URL), ranges=True,
                  shareable=True,
                  description="Long poll: waits up to wait_for seconds (default 120)."),
        single("ocr", "OCR words and text", Body("OCR JSON.", JSON, ref("OcrResult"))),
        single("hocr", "hOCR", Body("One hOCR document.", ("text/html",))),
        single("extractions", "Invoice fields", Body("Extraction JSON.", JSON, ref("Invoice"))),
        single("ner", "Words typed by the extraction",
               Body("NER JSON.", JSON, ref("NerResult"))),
        single("language", "Language", Body("Language.", JSON, ref("LanguageResult"))),
        single("document-splitting", "Split into sub-documents",
               Body("Splitting JSON.", JSON, ref("DocumentSplittingResult"))),
        single("page-images", "Page image URLs",
               Body("One URL per page.", JSON, ref("PageImages")), ranges=False),
        single("page-images", "A page image", Body("The page, scaled down if asked.",
                                                   image_types(), None, FILE_HEADERS),
               parameters=(path("page_num", integer(1), "1-based page number."), *SCALE),
               suffix="page-images/{page_num}", busy=True),
        single("thumbnail", "Thumbnail of page 1",
               Body("Thumbnail.", image_types(), None, FILE_HEADERS), busy=True),
        single("sub-pdfs", "Sub-PDF URLs", Body("One URL per sub-document.", JSON,
                                                ref("SubPdfs")), ranges=False),
        single("sub-pdfs", "A sub-document as PDF",
               Body("The sub-document.", PDF, None, (*FILE_HEADERS, "Content-Disposition")),
               parameters=(path("index", integer(0), "0-based sub-document index."),
                           *PDF_OPTIONS),
               suffix="sub-pdfs/{index}", busy=True),
        single("pdf", "Searchable PDF", Body("Page images with an invisible text layer.",
                                             PDF, None, FILE_HEADERS),
               parameters=PDF_OPTIONS, busy=True),
        *SHARING,
        *IIIF,
        *PUBLIC,
    ]


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
