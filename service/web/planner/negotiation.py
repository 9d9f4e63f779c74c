"""The scaled variant an image URL names, worked out once per URL and Accept choice.

The query is parsed as the handler parses it (decoded, `format` case-blind), so
`format=AUTO` and `format=%61uto` are negotiated like `format=auto`: the format
comes from Accept, and the answer carries `Vary: Accept`. Finished records
never change, so a URL's parsing and size math, and its 200 and 304 headers,
are kept (oldest out first), one entry per format an Accept header chose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from service.artifacts.record import Record
from service.config import Settings
from service.errors import ApiError
from service.images.iiif_info import links
from service.images.negotiate import choose
from service.images.scaler import Rendering, Scaler
from service.images.tiles import Tile, tile_for
from service.web.planner.params import scale_query
from service.web.planner.preconditions import http_date, validators

RawHeaders = list[tuple[bytes, bytes]]
QUERY_NAMES = frozenset({"width", "height", "format", "quality", "expires", "kid",
                         "signature", "token"})
# URLs whose parsing is remembered; oldest out first. Every signed URL is its own
# entry (its expiry and signature are in the query), so the bound must be small:
# the soak's random widths and fresh signatures grew a 50,000-entry memo for minutes
VARIANT_MEMO = 4096


@dataclass(frozen=True, slots=True)
class Memo:
    """A URL's variant of a finished record, with its headers encoded once."""

    variant: Rendering
    negotiated: bool
    last_modified: float  # the record's completion: every size of a page dates from it
    ok: RawHeaders  # a 200's, up to X-Cache and Content-Length
    not_modified: RawHeaders
    extra: RawHeaders  # after them: an IIIF image's Link
    # whole 200s as sent, by (access kind, signed seconds left, X-Cache, length)
    answers: dict[tuple[str, int, str, int], RawHeaders] = field(default_factory=dict)


@dataclass(slots=True)
class _Url:
    query: dict[str, str] | None  # None for an IIIF path
    negotiated: bool
    by_format: dict[str | None, Memo | None] = field(default_factory=dict)


class Variants:
    def __init__(self, scaler: Scaler, settings: Settings) -> None:
        self.scaler = scaler
        self.limit = settings.image_max_dimension
        self.widths = settings.image_widths
        self.quality = settings.default_quality
        self._urls: dict[tuple[str, int | None, bytes | str], _Url | None] = {}

    def find(self, record: Record, page_num: int | None, url: bytes | str,
             accept: str | None) -> Memo | None:
        """The memo of a page image (`url` its raw query) or an IIIF image (its path
        tail); None when the handler must answer (errors)."""
        key = (record.processing_id, page_num, url)
        if key in self._urls:
            parsed = self._urls[key]
        else:
            parsed = self._parse(url)
            self._keep(self._urls, key, parsed)
        if parsed is None:
            return None
        choice = choose(accept) if parsed.negotiated else None
        if choice in parsed.by_format:
            return parsed.by_format[choice]
        memo = self._resolve(record, page_num, url, parsed, accept)
        parsed.by_format[choice] = memo
        return memo

    def forget(self, processing_id: str) -> None:
        """Drop every URL of the processing (it was deleted)."""
        for key in [k for k in self._urls if k[0] == processing_id]:
            del self._urls[key]

    def _parse(self, url: bytes | str) -> _Url | None:
        if isinstance(url, str):
            return _Url(None, False)
        query: dict[str, str] = {}
        if url:
            for name, value in parse_qsl(url.decode("latin-1"), keep_blank_values=True):
                if name in query or name not in QUERY_NAMES:
                    return None
                query[name] = value
        errors: list[dict[str, Any]] = []
        params = scale_query(query, errors, self.limit, self.widths, None)
        return None if errors else _Url(query, params.negotiated)

    def _resolve(self, record: Record, page_num: int | None, url: bytes | str, parsed: _Url,
                 accept: str | None) -> Memo | None:
        if parsed.query is None:
            assert isinstance(url, str)
            region, size, rotation, quality_format = url.split("/")
            try:
                tile = tile_for(record, page_num or 1, (region, size, rotation, quality_format),
                                self.quality)
            except ApiError:
                return None
            if tile.plan.identity and tile.plan.fmt == "jpg":  # the stored page itself
                return _memo(record, self.scaler.stored(record, page_num or 1), False, tile)
            return _memo(record, tile, False)
        errors: list[dict[str, Any]] = []
        params = scale_query(parsed.query, errors, self.limit, self.widths, accept)
        return _memo(record, self.scaler.resolve(record, page_num, params), params.negotiated)

    @staticmethod
    def _keep(memo: dict[Any, Any], key: Any, value: Any) -> None:
        if len(memo) >= VARIANT_MEMO:
            del memo[next(iter(memo))]
        memo[key] = value


def _memo(record: Record, variant: Rendering, negotiated: bool, tile: Tile | None = None
          ) -> Memo:
    """`tile`: the IIIF request `variant` answers (the stored page's, for its Link)."""
    extra: RawHeaders = []
    tile = tile or (variant if isinstance(variant, Tile) else None)
    if tile is not None:
        extra = [(b"link", links(record.processing_id, tile.source, tile.plan).encode())]
    modified = completed(record)
    return Memo(variant, negotiated, modified, page_head(variant, modified),
                validators(variant.etag, False) + extra, extra)


def page_head(variant: Rendering, modified: float) -> RawHeaders:
    """A page image's 200 up to X-Cache and Content-Length: the planner's and the
    handler's (`conditional.image_answer`), byte for byte."""
    return [(b"content-type", variant.media_type.encode("latin-1")),
            *validators(variant.etag, False),
            (b"last-modified", http_date(modified).encode()), (b"accept-ranges", b"bytes")]


def completed(record: Record) -> float:
    """When a finished record's images came to be: their Last-Modified."""
    return record.completed_at or record.created_at
