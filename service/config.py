"""One typed settings object, read once from the environment.

Every variable is `FOLIO_<FIELD>` in upper case. `Settings.from_env` checks all
of them and reports every bad one in a single `ConfigError`; nothing below this
module ever exits the process.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cache.clients import cluster_nodes, is_cluster, is_sentinel, sentinel_url

PREFIX = "FOLIO_"
LANGUAGES = ("de", "en")  # what `language` may be: tesseract models installed for both


class ConfigError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid configuration:\n  " + "\n  ".join(problems))
        self.problems = problems


def _default_threads() -> int:
    return max(2, os.cpu_count() or 2)


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = Path("./data")
    redis_url: str | None = None
    # the image cache's Redis (and render leases): another instance with maxmemory +
    # allkeys-lru, so cache growth never fills the queue's Redis; default FOLIO_REDIS_URL.
    # redis+cluster://host:port[,host:port] names a Redis Cluster (cache/clients.py)
    redis_cache_url: str | None = None
    api_keys: tuple[tuple[str, str], ...] = ()
    # originals and artifacts in an S3-compatible bucket (s3://BUCKET[/PREFIX]; endpoint
    # and credentials from AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
    # AWS_REGION, AWS_ALLOW_HTTP); unset: files in the data directory
    store_url: str | None = None
    # this node's copies of the bucket's objects (default <data dir>/objects), bounded
    cache_dir: Path | None = None
    cache_dir_max_bytes: int = 10 * 1024**3
    # records, API keys, share tokens and job marks in PostgreSQL
    # (postgresql://user:pass@host/db); unset: files in the data directory
    database_url: str | None = None
    database_pool_size: int = 8  # connections per process at most
    database_timeout: float = 2.0  # seconds for one statement, or to connect
    # folio's extension: processings finished longer ago than this many days are
    # deleted (unset: kept forever), looked for every retention_interval seconds
    retention_days: float | None = None
    retention_interval: float = 3600.0
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    # the HTTP server `folio serve` runs the app under: uvicorn or granian (an extra)
    server: str = "uvicorn"
    log_level: str = "info"
    access_log: bool = True
    cors_origins: tuple[str, ...] = ()
    # when set, /metrics answers only `Authorization: Bearer <this>`
    metrics_token: str | None = None
    # incoming connections: a request's head at most this many bytes, complete
    # within header_timeout s; a body never idle for body_timeout s
    header_max_bytes: int = 32 * 1024
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    # under uvicorn, hot fast-path answers written straight from the parser (no ASGI
    # task); false: every request goes through the ASGI app
    parser_lane: bool = True
    # modules imported at start-up that register workflows of their own
    plugins: tuple[str, ...] = ()

    # delivery: signed URLs (kid:secret, the first signs, all verify), share tokens
    signing_keys: tuple[tuple[str, str], ...] = ()
    signed_url_ttl: int = 3600  # default lifetime of a URL signed by folio, seconds
    signed_url_max_ttl: int = 7 * 24 * 3600  # the longest lifetime folio signs for
    signed_max_age: int = 24 * 3600  # cap of a signed answer's Cache-Control max-age
    share_token_max_days: int = 366  # how far ahead a share token's expires_at may be
    # when set, keyed and token requests snap `width` up to the next of these steps
    image_widths: tuple[int, ...] = ()

    # rate limit per tenant: sustained requests per second and burst size
    rate_limit_rps: float = 200.0
    rate_limit_burst: int = 400

    # page image scaling
    image_max_dimension: int = 10000
    thumbnail_size: int = 256
    default_quality: int = 85
    render_threads: int = field(default_factory=_default_threads)
    render_backlog: int = 64
    memory_cache_bytes: int = 96 * 1024 * 1024
    memory_cache_ttl: float = 3600.0
    decoded_cache_bytes: int = 32 * 1024 * 1024
    decode_concurrency: int = 1  # whole-page decodes in flight per process
    # finished JSON/hOCR/PDF files answered from memory (plain and gzip bodies):
    # all of them together, and the largest single file held
    memory_artifact_bytes: int = 32 * 1024 * 1024
    memory_artifact_max_bytes: int = 4 * 1024 * 1024
    # freed memory malloc keeps for reuse instead of handing it back at once (glibc
    # trim threshold; buffers below half of it come from the heap): a Redis-tier hit
    # allocates ~4 buffers of the image's size, which otherwise fault in anew every
    # request. 0 = glibc's adaptive default
    malloc_keep_bytes: int = 16 * 1024 * 1024
    redis_cache_ttl: float = 7 * 24 * 3600.0
    redis_timeout: float = 0.25
    render_lease_ms: int = 30_000
    # PDFs made to the /pdf options: renders at once per process, and waiting beyond those
    pdf_render_threads: int = 1
    pdf_render_backlog: int = 4

    # IIIF Image API: tile edge in pixels (info.json), and the origins allowed to
    # read /iiif/ across sites ("*" by default: every request carries its own
    # credentials, nothing is ambient; "none" turns the header off)
    iiif_tile_size: int = 512
    iiif_cors_origins: tuple[str, ...] = ("*",)

    # processing
    upload_max_bytes: int = 100 * 1024 * 1024
    # one multipart part's headers (a file name past this is a 422, not held in memory)
    upload_max_header_bytes: int = 16 * 1024
    parameters_max_bytes: int = 1024  # the `parameters` JSON of an upload
    max_pages: int = 500
    # the largest e-invoice XML read (embedded in a PDF or uploaded bare)
    einvoice_max_bytes: int = 10 * 1024 * 1024
    max_megapixels: float = 100.0
    # what one stream, or one page's content and images, of a PDF may inflate to
    max_decompressed_bytes: int = 256 * 1024 * 1024
    dpi: int = 220
    jpeg_quality: int = 90
    job_timeout: float = 600.0
    job_workers: int = 2
    # processes that render and read the pages of one document in parallel
    page_workers: int = field(default_factory=_default_threads)
    tesseract_timeout: float = 120.0
    # tesseract readings of a scanned page at most (binarize.order: more only when
    # the first is poor)
    ocr_readings: int = 2
    # read barcodes on the page images for invoice_extraction (~35 ms an A4 page)
    barcodes: bool = True
    # pages searched for barcodes: the first ones and the last (an invoice prints its
    # payment code on its first or last page); more costs ~35 ms a page, one after another
    barcode_pages: int = 4
    # doubtful words in a page's first reading before tesseract's script detection
    # looks at them, and a page it calls Arabic is read again with Arabic
    # (pipeline/ocr_script.py); 0 = never
    ocr_script_check: int = 16
    default_language: str = "de"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        problems: list[str] = []
        for f in dataclasses.fields(cls):
            name = PREFIX + f.name.upper()
            raw = env.get(name)
            if raw is None or raw == "":
                continue
            try:
                values[f.name] = _PARSERS[f.name](raw)
            except ValueError as exc:
                problems.append(f"{name}={_masked(raw)!r}: {exc}")
        settings = cls(**values)
        problems += settings._check()
        if settings.store_url is not None:
            problems += _check_s3_environment(env)
        if problems:
            raise ConfigError(problems)
        return settings

    def _check(self) -> list[str]:
        problems = []
        for name in ("port", "workers", "rate_limit_burst", "image_max_dimension",
                     "thumbnail_size", "render_threads", "render_backlog", "pdf_render_threads",
                     "pdf_render_backlog", "iiif_tile_size", "upload_max_bytes",
                     "upload_max_header_bytes",
                     "parameters_max_bytes", "max_decompressed_bytes", "max_pages",
                     "einvoice_max_bytes",
                     "header_max_bytes", "decode_concurrency", "dpi", "ocr_readings",
                     "page_workers", "signed_url_ttl", "signed_url_max_ttl", "signed_max_age",
                     "share_token_max_days", "database_pool_size"):
            if getattr(self, name) < 1:
                problems.append(f"{PREFIX}{name.upper()} must be at least 1")
        for name in ("rate_limit_rps", "max_megapixels", "job_timeout", "header_timeout",
                     "body_timeout",
                     "tesseract_timeout", "redis_timeout", "database_timeout",
                     "retention_interval"):
            if getattr(self, name) <= 0:
                problems.append(f"{PREFIX}{name.upper()} must be positive")
        if self.retention_days is not None and self.retention_days <= 0:
            problems.append(f"{PREFIX}RETENTION_DAYS must be positive (unset keeps forever)")
        if self.port > 65535:
            problems.append(f"{PREFIX}PORT must be at most 65535")
        # 0: `folio serve` runs no job workers (they are `folio worker` processes)
        for name in ("memory_cache_bytes", "decoded_cache_bytes", "job_workers",
                     "cache_dir_max_bytes",
                     "memory_artifact_bytes", "memory_artifact_max_bytes",
                     "malloc_keep_bytes", "ocr_script_check", "barcode_pages"):
            if getattr(self, name) < 0:
                problems.append(f"{PREFIX}{name.upper()} must not be negative")
        for name in ("default_quality", "jpeg_quality"):
            if not 1 <= getattr(self, name) <= 100:
                problems.append(f"{PREFIX}{name.upper()} must be between 1 and 100")
        if self.signed_url_ttl > self.signed_url_max_ttl:
            problems.append(f"{PREFIX}SIGNED_URL_TTL must not exceed {PREFIX}SIGNED_URL_MAX_TTL")
        if any(w < 1 or w > self.image_max_dimension for w in self.image_widths):
            problems.append(f"{PREFIX}IMAGE_WIDTHS must be between 1 and "
                            f"{PREFIX}IMAGE_MAX_DIMENSION")
        if self.metrics_token is not None and len(self.metrics_token) < MIN_SIGNING_SECRET:
            problems.append(f"{PREFIX}METRICS_TOKEN needs at least {MIN_SIGNING_SECRET} "
                            "characters")
        if self.default_language not in LANGUAGES:
            problems.append(f"{PREFIX}DEFAULT_LANGUAGE must be de or en")
        return problems


_PASSWORD = re.compile(r"(//[^:/@]*:)[^@/]*@")


def _masked(raw: str) -> str:
    """A URL's password is never printed back (postgresql://u:***@host/db)."""
    return _PASSWORD.sub(r"\1***@", raw)


def _int(raw: str) -> int:
    try:
        return int(raw.replace("_", ""))
    except ValueError:
        raise ValueError("not an integer") from None


def _float(raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise ValueError("not a number") from None


def _bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("not a boolean (use true or false)")


def _keys(raw: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        tenant, sep, secret = item.partition(":")
        if not sep or not tenant.strip() or not secret.strip():
            raise ValueError("expected tenant:secret[,tenant:secret...]")
        pairs.append((tenant.strip(), secret.strip()))
    return tuple(pairs)


_KID = re.compile(r"[A-Za-z0-9_.-]{1,32}")
MIN_SIGNING_SECRET = 16


def _signing_keys(raw: str) -> tuple[tuple[str, str], ...]:
    try:
        pairs = _keys(raw)
    except ValueError:
        raise ValueError("expected kid:secret[,kid:secret...]") from None
    for kid, secret in pairs:
        if not _KID.fullmatch(kid):
            raise ValueError(f"key id {kid!r}: use 1-32 of A-Z a-z 0-9 _ . -")
        if len(secret) < MIN_SIGNING_SECRET:
            raise ValueError(f"key {kid!r}: the secret needs at least "
                             f"{MIN_SIGNING_SECRET} characters")
    if len({kid for kid, _ in pairs}) != len(pairs):
        raise ValueError("a key id appears twice")
    return pairs


def _widths(raw: str) -> tuple[int, ...]:
    return tuple(sorted({_int(item) for item in _list(raw)}))


def _list(raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _origins(raw: str) -> tuple[str, ...]:
    origins = _list(raw)
    return () if origins == ("none",) else origins


def _redis_url(raw: str) -> str:
    if is_cluster(raw):
        raise ValueError("the queue needs one Redis primary (arq has no cluster support); "
                         "a cluster may hold the image cache (FOLIO_REDIS_CACHE_URL)")
    if is_sentinel(raw):
        sentinel_url(raw)  # ValueError names what is wrong
        return raw
    if not raw.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("expected a redis://, rediss://, unix:// or redis+sentinel:// URL")
    return raw


def _cache_url(raw: str) -> str:
    if is_cluster(raw):
        cluster_nodes(raw)  # ValueError names what is wrong
        return raw
    return _redis_url(raw)


def _database_url(raw: str) -> str:
    if not raw.startswith(("postgresql://", "postgres://")):
        raise ValueError("expected a postgresql:// URL")
    return raw


def _store_url(raw: str) -> str:
    bucket = raw.removeprefix("s3://").split("/", 1)[0]
    if not raw.startswith("s3://") or not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,62}", bucket):
        raise ValueError("expected s3://BUCKET[/PREFIX] (unset: the data directory)")
    return raw.rstrip("/")


def _check_s3_environment(env: Mapping[str, str]) -> list[str]:
    """FOLIO_STORE_URL's endpoint and credentials come from the standard AWS names."""
    problems = []
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        if not env.get(name):
            problems.append(f"{PREFIX}STORE_URL needs {name} (the store's credentials)")
    endpoint = env.get("AWS_ENDPOINT_URL", "")
    allow_http = env.get("AWS_ALLOW_HTTP", "").lower()
    if endpoint and not endpoint.startswith(("http://", "https://")):
        problems.append(f"AWS_ENDPOINT_URL={endpoint!r}: expected an http:// or https:// URL")
    elif endpoint.startswith("http://") and allow_http != "true":
        problems.append("AWS_ENDPOINT_URL is plain http://: set AWS_ALLOW_HTTP=true to allow it")
    return problems


SERVERS = ("uvicorn", "granian")


def _server(raw: str) -> str:
    if raw.lower() not in SERVERS:
        raise ValueError("expected uvicorn or granian")
    return raw.lower()


def _level(raw: str) -> str:
    if raw.lower() not in ("critical", "error", "warning", "info", "debug"):
        raise ValueError("expected one of critical, error, warning, info, debug")
    return raw.lower()


_PARSERS: dict[str, Any] = {
    "data_dir": Path,
    "store_url": _store_url,
    "cache_dir": Path,
    "redis_url": _redis_url,
    "redis_cache_url": _cache_url,
    "retention_days": _float,
    "database_url": _database_url,
    "api_keys": _keys,
    "host": str,
    "metrics_token": str,
    "log_level": _level,
    "server": _server,
    "access_log": _bool,
    "parser_lane": _bool,
    "barcodes": _bool,
    "cors_origins": _list,
    "iiif_cors_origins": _origins,
    "plugins": _list,
    "signing_keys": _signing_keys,
    "image_widths": _widths,
    "default_language": str,
}
for _f in dataclasses.fields(Settings):
    if _f.name not in _PARSERS:
        _PARSERS[_f.name] = _float if _f.type == "float" else _int
