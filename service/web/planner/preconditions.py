"""Conditional requests (RFC 9110 13) and byte ranges (RFC 9110 14), decided once.

`evaluate` gives 304, 412 or None (go on) in the RFC's order: If-Match, else
If-Unmodified-Since; then If-None-Match, else If-Modified-Since (GET/HEAD).
ETags compare strongly for If-Match and weakly for If-None-Match. `byte_ranges`
reads a Range header against a size: a malformed or doubled header is ignored
(the whole representation, as nginx does); ranges that all start past the end
give an empty list (416); overlapping ranges are merged.
"""

from __future__ import annotations

from email.utils import formatdate, parsedate_to_datetime

from service.web.planner.facts import Facts
from service.wire.media import IMMUTABLE

NOT_MODIFIED = 304
FAILED = 412
MAX_RANGES = 100  # more parts than this: the whole representation


def http_date(timestamp: float) -> str:
    return formatdate(timestamp, usegmt=True)


def seconds(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(parsedate_to_datetime(value).timestamp())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None  # not an HTTP-date: the field is ignored


def validators(etag: str, compressed: bool) -> list[tuple[bytes, bytes]]:
    """What a 304 repeats from the 200 (RFC 9110 15.4.5)."""
    headers = [(b"etag", etag.encode("latin-1")), (b"cache-control", IMMUTABLE.encode())]
    if compressed:
        headers.append((b"vary", b"Accept-Encoding"))
    return headers


def accepts_gzip(header: str | None) -> bool:
    """Accept-Encoding negotiation, q-values included (no substring tests)."""
    if not header:
        return False
    gzip_q: float | None = None
    star_q: float | None = None
    for item in header.split(","):
        coding, *params = (p.strip() for p in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        coding = coding.lower()
        if coding in ("gzip", "x-gzip"):
            gzip_q = q
        elif coding == "*":
            star_q = q
    if gzip_q is not None:
        return gzip_q > 0
    return star_q is not None and star_q > 0


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def etag_matches(header: str, etag: str, weak: bool) -> bool:
    """`header` (a list of entity tags, or `*`) names `etag`."""
    if header == etag or header.strip() == "*":
        return True
    if weak:
        target = _opaque(etag)
        return any(_opaque(candidate) == target for candidate in header.split(","))
    return not etag.startswith("W/") and any(
        candidate.strip() == etag for candidate in header.split(","))


def evaluate(facts: Facts, etag: str, last_modified: float | None = None) -> int | None:
    """304, 412, or None: answer the request as asked."""
    if facts.if_match is not None:
        if not etag_matches(facts.if_match, etag, weak=False):
            return FAILED
    elif facts.if_unmodified_since is not None and last_modified is not None:
        since = seconds(facts.if_unmodified_since)
        if since is not None and int(last_modified) > since:
            return FAILED
    if facts.if_none_match is not None:
        if etag_matches(facts.if_none_match, etag, weak=True):
            return NOT_MODIFIED if facts.method in ("GET", "HEAD") else FAILED
    elif facts.if_modified_since is not None and last_modified is not None \
            and facts.method in ("GET", "HEAD"):
        since = seconds(facts.if_modified_since)
        if since is not None and int(last_modified) <= since:
            return NOT_MODIFIED
    return None


def range_applies(facts: Facts, etag: str, last_modified: str | None) -> bool:
    """A Range header is to be honoured: present, GET, and If-Range (if any) holds."""
    if facts.range is None or facts.method != "GET":
        return False
    if facts.if_range is None:
        return True
    if_range = facts.if_range.strip()
    if if_range.startswith("W/"):
        return False
    return if_range in (etag, last_modified)


def byte_ranges(header: str, size: int) -> list[tuple[int, int]] | None:
    """[(start, end)] half-open; [] when none can be satisfied (416); None: send the
    whole representation."""
    units, eq, spec = header.partition("=")
    if not eq or units.strip().lower() != "bytes" or spec.count(",") >= MAX_RANGES:
        return None
    ranges: list[tuple[int, int]] = []
    for part in spec.split(","):
        first, dash, last = part.strip().partition("-")
        first, last = first.strip(), last.strip()
        if not dash or not (first.isdigit() or (not first and last.isdigit())) \
                or (last and not last.isdigit()):
            return None  # malformed: ignored
        if not first:
            suffix = int(last)
            if suffix == 0:
                continue
            ranges.append((max(size - suffix, 0), size))
            continue
        start = int(first)
        end = min(int(last) + 1, size) if last else size
        if last and int(last) < start:
            return None
        if start >= size:
            continue  # unsatisfiable on its own
        ranges.append((start, end))
    if not ranges:
        return ranges
    ranges.sort()
    merged = [ranges[0]]
    for start, end in ranges[1:]:
        if start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
