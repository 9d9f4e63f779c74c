"""Every URL folio answers, written once: templates, methods, handler names.

A path matches a template segment by segment. A `{name}` takes one whole
non-empty segment, `{name}~{other}` splits one at its last `~`, and a trailing
`{path:path}` (a mount) takes the rest. A path holding a control character (a
decoded `%0A`, say) or an empty segment (a trailing slash) matches nothing:
404, never a redirect built from the client's Host. GET admits HEAD. A path
that matches with another method answers 405 with `Allow` (RFC 9110 15.5.6).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from service.images.iiif_info import PREFIX as IIIF

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PARAM = re.compile(r"\{(\w+)(?::path)?\}")


@dataclass(frozen=True, slots=True)
class Endpoint:
    name: str  # the handler's name (`service.web.routes`)
    path: str  # the template, as metrics and the access log name the route
    methods: frozenset[str]
    segments: tuple[str | re.Pattern[str], ...] = field(repr=False)
    mount: bool = False  # the last segment takes the rest of the path


def endpoint(name: str, template: str, *methods: str) -> Endpoint:
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())
    mount = template.endswith(":path}")
    segments: list[str | re.Pattern[str]] = []
    for part in template.strip("/").split("/"):
        if "{" not in part:
            segments.append(part)
        else:
            segments.append(re.compile(_PARAM.sub(lambda m: f"(?P<{m.group(1)}>.+)", part)))
    return Endpoint(name, template, frozenset(allowed), tuple(segments), mount)


RESULT = "/processing/results/{processing_id}"
IIIF_ID = IIIF + "/{processing_id}~{page}"
TABLE: tuple[Endpoint, ...] = (
    endpoint("result", RESULT, "GET"),
    endpoint("delete", RESULT, "DELETE"),
    *(endpoint(name, f"{RESULT}/{name}", "GET")
      for name in ("ocr", "hocr", "extractions", "language", "ner", "document-splitting",
                   "pdf", "thumbnail", "page-images", "sub-pdfs")),
    endpoint("page-image", RESULT + "/page-images/{page_num}", "GET"),
    endpoint("sub-pdf", RESULT + "/sub-pdfs/{index}", "GET"),
    endpoint("signed-urls", RESULT + "/signed-urls", "POST"),
    endpoint("healthz", "/healthz", "GET"),
    endpoint("readyz", "/readyz", "GET"),
    endpoint("metrics", "/metrics", "GET"),
    endpoint("workflows", "/processing/workflows", "GET"),
    endpoint("submit", "/processing/{workflow}", "POST"),
    endpoint("share-tokens", "/share-tokens/documents", "GET", "POST", "DELETE"),
    endpoint("openapi", "/openapi.json", "GET"),
    endpoint("workflow-openapi", "/processing/{workflow}/openapi", "GET"),
    endpoint("docs", "/docs", "GET"),
    endpoint("iiif-base", IIIF_ID, "GET"),
    endpoint("iiif-info", IIIF_ID + "/info.json", "GET"),
    endpoint("iiif-image", IIIF_ID + "/{region}/{size}/{rotation}/{quality_format}", "GET"),
    endpoint("viewer-assets", "/viewer/assets/{path:path}", "GET"),
    endpoint("viewer-vendor", "/viewer/vendor/{path:path}", "GET"),
    endpoint("viewer", "/viewer/{processing_id}", "GET"),
)
BY_NAME = {e.name: e for e in TABLE}
_BY_LENGTH: dict[int, list[Endpoint]] = {}
for _e in TABLE:
    if not _e.mount:
        _BY_LENGTH.setdefault(len(_e.segments), []).append(_e)
_MOUNTS = [e for e in TABLE if e.mount]


@dataclass(frozen=True, slots=True)
class Found:
    endpoint: Endpoint
    params: dict[str, str]


@dataclass(frozen=True, slots=True)
class WrongMethod:
    allow: str


def _params(e: Endpoint, parts: list[str]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for want, got in zip(e.segments, parts, strict=False):
        if isinstance(want, str):
            if want != got:
                return None
        else:
            match = want.fullmatch(got)
            if match is None:
                return None
            params.update(match.groupdict())
    return params


ROUTE_MEMO = 8192  # (method, path) → route, oldest out first: viewers ask the same URLs


_memo: dict[tuple[str, str], Found | WrongMethod | None] = {}


def route(method: str, path: str) -> Found | WrongMethod | None:
    """The endpoint `method` on `path` names; WrongMethod (405) or None (404)."""
    key = (method, path)
    try:
        return _memo[key]
    except KeyError:
        pass
    found = _route(method, path)
    if len(_memo) >= ROUTE_MEMO:
        del _memo[next(iter(_memo))]
    _memo[key] = found
    return found


def _route(method: str, path: str) -> Found | WrongMethod | None:
    if not path.startswith("/") or _CONTROL.search(path) is not None:
        return None
    parts = path[1:].split("/")
    if "" in parts:
        return None
    allowed: set[str] = set()
    for e in _BY_LENGTH.get(len(parts), ()):
        params = _params(e, parts)
        if params is None:
            continue
        if method in e.methods:
            return Found(e, params)
        allowed |= e.methods
    for e in _MOUNTS:
        head = len(e.segments) - 1
        if len(parts) > head and _params(e, parts[:head]) is not None:
            if method in e.methods:
                return Found(e, {"path": "/".join(parts[head:])})
            allowed |= e.methods
    if allowed:
        order = ("GET", "HEAD", "POST", "DELETE")
        return WrongMethod(", ".join(m for m in order if m in allowed))
    return None
