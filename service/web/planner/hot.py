"""Answers the planner gives in bytes: hot page images, IIIF images and stored artifacts.

For a GET or HEAD of a finished record already in memory, admitted by the gate
(signed URL, share token or key), with valid parameters: a 304 or 412 from the
ETag alone, a memory or Redis tier hit of a scaled image, or a stored artifact
from the memory tier (whole, one byte range, or its gzip twin). Everything else
(a miss, the first sight of a record, multipart ranges on an artifact,
If-Range, a query other than the access parameters on an artifact) is None:
the handler answers, with the decisions taken here kept in the exchange.
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import parse_qsl

from service.access.gate import SIGNED, TOKEN_PARAM, Access
from service.access.signing import SIGNATURE
from service.artifacts.bodies import Bodies, Body, BodyKey, read_small
from service.artifacts.record import SUCCEEDED, Record
from service.errors import ApiError, StoreUnavailable
from service.web.planner import preconditions
from service.web.planner.answers import Answers
from service.web.planner.artifacts import Artifact, artifact_of
from service.web.planner.caching import cache_headers, signed_left
from service.web.planner.exchange import AGAIN, Exchange, Reply, Step, _Again
from service.web.planner.negotiation import Memo, Variants
from service.web.planner.representation import body_range, file_headers, header

ANSWER_MEMO = 16  # header lists kept per variant (access kinds, a signed URL's seconds)
RawHeaders = list[tuple[bytes, bytes]]
ACCESS_QUERY = frozenset({"expires", "kid", SIGNATURE, TOKEN_PARAM})
IMAGES = frozenset({"page-image", "thumbnail", "iiif-image"})


class Hot:
    def __init__(self, answers: Answers, bodies: Bodies, variants: Variants) -> None:
        self.answers = answers
        self.svc = answers.svc
        self.scaler = answers.svc.scaler
        self.bodies = bodies
        self.variants = variants
        self.max_age = answers.svc.settings.signed_max_age

    def image(self, ex: Exchange) -> Reply | Step | None:
        facts, params = ex.facts, ex.params
        iiif = ex.endpoint is not None and ex.endpoint.name == "iiif-image"
        record = self._record(ex)
        if not isinstance(record, Record):
            return record
        raw_page = params.get("page_num") or params.get("page")
        page_num = _page(raw_page) if raw_page is not None else None
        if raw_page is not None and (page_num is None or page_num > len(record.pages)):
            return None
        if page_num is None and ("thumbnail" not in record.results or not record.pages):
            return None
        url: bytes | str = "/".join((params["region"], params["size"], params["rotation"],
                                     params["quality_format"])) if iiif else facts.query
        memo = self.variants.find(record, page_num, url, facts.accept)
        if memo is None:
            return None
        ex.negotiated = memo.negotiated
        variant = memo.variant
        access = ex.access
        assert access is not None
        decided = preconditions.evaluate(facts, variant.etag, memo.last_modified)
        if decided == preconditions.NOT_MODIFIED:
            return self.answers.reply(ex, 304, cache_headers(
                access, memo.negotiated, memo.not_modified, self.max_age), b"")
        if decided == preconditions.FAILED:
            return self.answers.error(ex, _failed())
        hit = self.scaler.cached_now(variant)
        if hit is not None:
            return self._image_reply(ex, access, memo, hit)
        if not self.scaler.shared_tier:
            ex.missed = variant.key  # the handler renders it once, coalescing
            return None

        async def shared() -> Reply | None:
            found = await self.scaler.cached_shared(variant)
            if found is None:
                ex.missed = variant.key
                return None
            return self._image_reply(ex, access, memo, found)

        return shared

    def _image_reply(self, ex: Exchange, access: Access, memo: Memo,
                     hit: tuple[bytes, str]) -> Reply:
        body, outcome = hit
        now = int(time.time())
        if ex.facts.range is None:  # the common answer: its headers are made once
            left = signed_left(access, self.max_age, now) if access.kind == SIGNED else 0
            key = (access.kind, left, outcome, len(body))
            headers = memo.answers.get(key)
            if headers is None:
                if len(memo.answers) >= ANSWER_MEMO:
                    memo.answers.clear()
                headers = memo.answers[key] = cache_headers(
                    access, memo.negotiated, self._image_headers(memo, outcome, body),
                    self.max_age, now)
            return self.answers.reply(ex, 200, headers, body)
        status, headers, body = body_range(ex.facts, self._image_headers(memo, outcome, body),
                                           body)
        return self.answers.reply(
            ex, status, cache_headers(access, memo.negotiated, headers, self.max_age, now), body)

    @staticmethod
    def _image_headers(memo: Memo, outcome: str, body: bytes) -> RawHeaders:
        return [*memo.ok, (b"x-cache", outcome.encode()),
                (b"content-length", b"%d" % len(body)), *memo.extra]

    def _record(self, ex: Exchange) -> Record | Reply | Step | None:
        """The finished record the URL names, once the gate admits the request."""
        access = self.answers.admit(ex)
        if not isinstance(access, Access):
            return access
        record = self.svc.records.final(ex.params["processing_id"])
        if record is None or record.status != SUCCEEDED or (
                access.tenant is not None and record.tenant != access.tenant):
            return None
        return record

    def artifact(self, ex: Exchange) -> Reply | Step | None:
        facts = ex.facts
        if facts.query and not _access_query_only(facts.query):
            return None  # include, wait_for, options: the handler's business
        if facts.if_range is not None:
            return None
        record = self._record(ex)
        if not isinstance(record, Record):
            return record
        assert ex.endpoint is not None and ex.access is not None
        artifact = artifact_of(record, ex.endpoint.name, ex.params.get("index"))
        if artifact is None:
            return None
        use_gzip = (artifact.compressed and facts.range is None
                    and preconditions.accepts_gzip(facts.accept_encoding))
        tag = artifact.etag[:-1] + '-gz"' if use_gzip else artifact.etag
        dated = facts.if_modified_since is not None or facts.if_unmodified_since is not None
        if not dated:
            early = self._conditional(ex, artifact, tag, None)
            if early is not None:
                return early
        # the version too: a finished record never changes, and if it ever did, the
        # tier would miss rather than answer the old bytes
        key: BodyKey = (f"{record.processing_id}/{record.version}", artifact.file, use_gzip)
        body = ex.hit or self.bodies.get(key)
        ex.hit = None
        if body is None:
            if self.bodies.skipped(key) or (
                    (facts.range is not None or facts.method == "HEAD")
                    and self.svc.store.artifact_present(record.processing_id,
                                                        artifact.file) is None):
                return None  # not here: the handler asks the store for no more than that

            async def load() -> _Again | None:
                try:
                    loaded = await asyncio.to_thread(self._load, key, artifact, tag)
                except (StoreUnavailable, FileNotFoundError):
                    return None  # the handler answers: 503 or, if just deleted, 404
                if loaded is None:
                    self.bodies.skip(key)
                    return None
                self.bodies.put(key, loaded)
                ex.hit = loaded
                return AGAIN

            return load
        if dated:
            modified = header(body.headers, b"last-modified")
            late = self._conditional(ex, artifact, tag, preconditions.seconds(modified))
            if late is not None:
                return late
        return self._artifact_reply(ex, body)

    def _conditional(self, ex: Exchange, artifact: Artifact, tag: str,
                     last_modified: float | None) -> Reply | None:
        decided = preconditions.evaluate(ex.facts, tag, last_modified)
        if decided is None:
            return None
        if decided == preconditions.FAILED:
            return self.answers.error(ex, _failed())
        assert ex.access is not None
        validators = preconditions.validators(tag, artifact.compressed)
        return self.answers.reply(ex, 304, cache_headers(ex.access, False, validators,
                                                         self.max_age), b"")

    def _artifact_reply(self, ex: Exchange, body: Body) -> Reply | None:
        assert ex.access is not None
        status, headers, data = 200, body.headers, body.data
        if ex.facts.range is not None and ex.facts.method == "GET":
            ranges = preconditions.byte_ranges(ex.facts.range, len(data))
            if ranges == [] or (ranges and len(ranges) > 1):
                return None  # the file answer's 416 or multipart/byteranges
            if ranges:
                start, end = ranges[0]
                status, data = 206, data[start:end]
                headers = [(n, v) for n, v in headers if n != b"content-length"]
                headers.append((b"content-range",
                                b"bytes %d-%d/%d" % (start, end - 1, len(body.data))))
                headers.append((b"content-length", b"%d" % len(data)))
        return self.answers.reply(ex, status, cache_headers(ex.access, False, headers,
                                                            self.max_age), data)

    def _load(self, key: BodyKey, artifact: Artifact, etag: str) -> Body | None:
        """Read a stored representation into a Body; None when it must stream instead."""
        owner, file, use_gzip = key
        processing_id = owner.partition("/")[0]
        path = self.svc.store.artifact(processing_id, file + ".gz" if use_gzip else file)
        read = read_small(path, self.bodies.max_body_bytes)
        if read is None:
            return None
        data, stat = read
        return Body(data, file_headers(stat.st_size, stat.st_mtime,
                                       media_type=artifact.media_type, etag=etag,
                                       compressed=artifact.compressed, use_gzip=use_gzip,
                                       filename=artifact.filename))


def _failed() -> ApiError:
    return ApiError("A precondition of the request failed (If-Match or "
                    "If-Unmodified-Since).", 412)


def _page(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 \
        and raw[0] != "0" else None


def _access_query_only(raw: bytes) -> bool:
    """True when the query holds nothing but a signature or a share token."""
    seen = set()
    for key, _ in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if key in seen or key not in ACCESS_QUERY:
            return False
        seen.add(key)
    return True
