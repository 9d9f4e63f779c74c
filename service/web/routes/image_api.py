"""IIIF Image API 3.0 over folio's page images: /iiif/3/{processing_id}~{page}/...

The identifier is the processing id and the 1-based page number joined by `~`.
A request passes the same checks as a page image (credentials, rate limit, id,
tenant, state), then the IIIF grammar (400/501), then the scaler's machinery:
ETag and 304 from the canonical form before any pixel, the memory and Redis
tiers, one render per key across processes, the bounded render pool.
"""

from __future__ import annotations

import hashlib

import orjson
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.artifacts.record import Record
from service.errors import NotFound
from service.images import iiif_info
from service.images.tiles import tile_for
from service.web.checks import processing, ready, services
from service.web.conditional import bytes_response, image_answer
from service.web.planner.exchange import exchange_of
from service.wire.etags import etag_for

PREFIX = iiif_info.PREFIX
_JSON_LD = "application/ld+json"


def service_id(request: Request, record: Record, page: int) -> str:
    base = str(request.base_url).rstrip("/")
    return f"{base}{PREFIX}/{record.processing_id}~{page}"


def wants_json_ld(accept: str) -> bool:
    for item in accept.split(","):
        media_range, *params = (p.strip() for p in item.split(";"))
        if media_range.lower() == _JSON_LD:
            return not any(p.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000")
                           for p in params)
    return False


async def page_of(request: Request) -> tuple[Record, int] | Response:
    """The record and page the identifier names, or the 202 while it is processing."""
    record = await processing(request, [])
    pending = ready(record, "page-images")
    if pending is not None:
        return pending
    raw = request.path_params["page"]
    page = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else 0
    if not 1 <= page <= len(record.pages):
        raise NotFound(f"No page {raw!r}; this document has {len(record.pages)} pages.")
    return record, page


async def base_redirect(request: Request) -> Response:
    # the base URI of an image service answers with its info.json (spec 2.2)
    url = request.url
    target = url.path.rstrip("/") + "/info.json" + (f"?{url.query}" if url.query else "")
    return RedirectResponse(target, status_code=303)


async def info_json(request: Request) -> Response:
    found = await page_of(request)
    if isinstance(found, Response):
        return found
    record, page = found
    width, height = record.pages[page - 1]
    sid = service_id(request, record, page)
    tile = services(request).settings.iiif_tile_size
    body = orjson.dumps(iiif_info.info(sid, width, height, tile))
    # JSON-LD when asked for it (spec 5.1), plain JSON otherwise
    ld = wants_json_ld(exchange_of(request.scope).facts.accept or "")
    media_type = iiif_info.JSON_LD if ld else "application/json"
    # the body names the host it was asked on
    digest = hashlib.sha256(sid.encode()).hexdigest()[:12]
    tag = etag_for(record.version, "iiif-info", tile, digest, "ld" if ld else "json")
    response = bytes_response(request, body, media_type=media_type, etag=tag)
    vary = response.headers.get("vary")
    response.headers["vary"] = f"Accept, {vary}" if vary else "Accept"
    response.headers["link"] = f'<{iiif_info.PROFILE_URI}>;rel="profile"'
    return response


async def image(request: Request) -> Response:
    found = await page_of(request)
    if isinstance(found, Response):
        return found
    record, page = found
    params = request.path_params
    svc = services(request)
    tile = tile_for(record, page, (params["region"], params["size"], params["rotation"],
                                   params["quality_format"]), svc.settings.default_quality)
    link = iiif_info.links(record.processing_id, page, tile.plan)
    identity = tile.plan.identity and tile.plan.fmt == "jpg"  # exactly the stored page
    variant = svc.scaler.stored(record, page) if identity else tile
    response = await image_answer(request, svc.scaler, record, variant, link)
    if response.status_code in (304, 412):
        response.headers["link"] = link
    return response


handlers = {"iiif-base": base_redirect, "iiif-info": info_json, "iiif-image": image}
