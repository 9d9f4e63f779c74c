"""One typed settings object, read once from the environment.

Every variable is `FOLIO_<FIELD>` in upper case. `Settings.from_env` checks all
of them and reports every bad one in a single `ConfigError`; nothing below this
module ever exits the process.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PREFIX = "FOLIO_"


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
    api_keys: tuple[tuple[str, str], ...] = ()
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_level: str = "info"
    access_log: bool = True
    cors_origins: tuple[str, ...] = ()
    # modules imported at start-up that register workflows of their own
    plugins: tuple[str, ...] = ()

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
    redis_cache_ttl: float = 7 * 24 * 3600.0
    redis_timeout: float = 0.25
    render_lease_ms: int = 30_000

    # processing
    upload_max_bytes: int = 100 * 1024 * 1024
    max_pages: int = 500
    # the largest e-invoice XML read (embedded in a PDF or uploaded bare)
    einvoice_max_bytes: int = 10 * 1024 * 1024
    max_megapixels: float = 100.0
    dpi: int = 220
    jpeg_quality: int = 90
    job_timeout: float = 600.0
    job_workers: int = 2
    # processes that render and read the pages of one document in parallel
    page_workers: int = field(default_factory=_default_threads)
    tesseract_timeout: float = 120.0
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
                problems.append(f"{name}={raw!r}: {exc}")
        settings = cls(**values)
        problems += settings._check()
        if problems:
            raise ConfigError(problems)
        return settings

    def _check(self) -> list[str]:
        problems = []
        for name in ("port", "workers", "rate_limit_burst", "image_max_dimension",
                     "thumbnail_size", "render_threads", "render_backlog",
                     "upload_max_bytes", "max_pages", "einvoice_max_bytes", "dpi", "job_workers",
                     "page_workers"):
            if getattr(self, name) < 1:
                problems.append(f"{PREFIX}{name.upper()} must be at least 1")
        for name in ("rate_limit_rps", "max_megapixels", "job_timeout",
                     "tesseract_timeout", "redis_timeout"):
            if getattr(self, name) <= 0:
                problems.append(f"{PREFIX}{name.upper()} must be positive")
        if self.port > 65535:
            problems.append(f"{PREFIX}PORT must be at most 65535")
        for name in ("memory_cache_bytes", "decoded_cache_bytes"):
            if getattr(self, name) < 0:
                problems.append(f"{PREFIX}{name.upper()} must not be negative")
        for name in ("default_quality", "jpeg_quality"):
            if not 1 <= getattr(self, name) <= 100:
                problems.append(f"{PREFIX}{name.upper()} must be between 1 and 100")
        if self.default_language not in ("de", "en"):
            problems.append(f"{PREFIX}DEFAULT_LANGUAGE must be de or en")
        return problems


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


def _list(raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _redis_url(raw: str) -> str:
    if not raw.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("expected a redis://, rediss:// or unix:// URL")
    return raw


def _level(raw: str) -> str:
    if raw.lower() not in ("critical", "error", "warning", "info", "debug"):
        raise ValueError("expected one of critical, error, warning, info, debug")
    return raw.lower()


_PARSERS: dict[str, Any] = {
    "data_dir": Path,
    "redis_url": _redis_url,
    "api_keys": _keys,
    "host": str,
    "log_level": _level,
    "access_log": _bool,
    "cors_origins": _list,
    "plugins": _list,
    "default_language": str,
}
for _f in dataclasses.fields(Settings):
    if _f.name not in _PARSERS:
        _PARSERS[_f.name] = _float if _f.type == "float" else _int
