"""Every route folio serves, as one list of operations: the OpenAPI path table.

To describe a new route, append one `Operation(...)` to `operations()` (parameters
from the helpers below, bodies as `Body`s); `openapi.document()` turns the list into
the document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from service.images.imaging import FORMATS as IMAGE_FORMATS
from service.images.negotiate import AUTO
from service.pipeline.pdf_options import DPI, IMAGE_SIDE, JPEG_QUALITY, PAGE_SIDE
from service.web.checks import DEFAULT_WAIT, MAX_WAIT
from service.web.openapi_schemas import Schema, ref

RESULTS = "/processing/results/{processing_id}"


@dataclass(frozen=True, slots=True)
class Body:
    """One success answer: its media types and, for JSON, its schema."""

    description: str
    media_types: tuple[str, ...] = ("application/json",)
    schema: Schema | None = None
    headers: tuple[str, ...] = ()  # names from openapi.HEADERS


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


# folio's extension: the API it implements has no deletion; marked so by x-folio-extension
DELETE = Operation(
    "delete", RESULTS, "delete_result", "Delete a processing (folio's extension)",
    {204: NO_BODY}, (PROCESSING_ID,), errors=(401, 403, 404, 409, 422, 429),
    conditional=False, extra={"x-folio-extension": True},
    description="Removes the original upload, every artifact, the record, its share tokens "
    "and every cached image; afterwards every node answers 404 (within 2 s). A processing "
    "still pending or running is refused with 409: delete it once it has finished. "
    "With FOLIO_RETENTION_DAYS set, processings finished longer ago than that are deleted "
    "the same way by a background sweep.")

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
        DELETE,
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
