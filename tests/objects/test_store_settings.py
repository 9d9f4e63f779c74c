"""FOLIO_STORE_URL and the disk tier's settings: checked at start, each bad value
named in one message, and `folio serve` exits 2 when the bucket does not answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import ConfigError, Settings
from tests.helpers import folio

S3 = {"FOLIO_STORE_URL": "s3://folio-test/node", "AWS_ACCESS_KEY_ID": "id",
      "AWS_SECRET_ACCESS_KEY": "secret", "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
      "AWS_ALLOW_HTTP": "true"}


def problems(env: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    return str(caught.value)


def test_unset_is_the_data_directory() -> None:
    settings = Settings.from_env({})
    assert settings.store_url is None
    assert settings.cache_dir is None


def test_an_s3_url_with_its_environment_is_accepted() -> None:
    settings = Settings.from_env({**S3, "FOLIO_CACHE_DIR": "/var/cache/folio",
                                  "FOLIO_CACHE_DIR_MAX_BYTES": "1_000_000"})
    assert settings.store_url == "s3://folio-test/node"
    assert settings.cache_dir == Path("/var/cache/folio")
    assert settings.cache_dir_max_bytes == 1_000_000


def test_an_unknown_scheme_names_the_setting() -> None:
    assert "FOLIO_STORE_URL='gs://bucket'" in problems({**S3, "FOLIO_STORE_URL": "gs://bucket"})


def test_a_url_without_a_bucket_names_the_setting() -> None:
    assert "FOLIO_STORE_URL='s3://'" in problems({**S3, "FOLIO_STORE_URL": "s3://"})


def test_missing_credentials_are_named() -> None:
    text = problems({k: v for k, v in S3.items() if not k.startswith("AWS_SECRET")})
    assert "FOLIO_STORE_URL needs AWS_SECRET_ACCESS_KEY" in text


def test_a_plain_http_endpoint_needs_allow_http() -> None:
    text = problems({k: v for k, v in S3.items() if k != "AWS_ALLOW_HTTP"})
    assert "AWS_ALLOW_HTTP=true" in text


def test_a_negative_tier_bound_is_refused() -> None:
    assert "FOLIO_CACHE_DIR_MAX_BYTES" in problems({**S3, "FOLIO_CACHE_DIR_MAX_BYTES": "-1"})


def test_serve_exits_2_when_the_bucket_does_not_answer(tmp_path: Path) -> None:
    done = folio(tmp_path / "data", "serve", "--port", "1", env=S3)
    assert done.returncode == 2
    assert "FOLIO_STORE_URL=s3://folio-test/node: the bucket does not answer" in done.stderr


def test_worker_exits_2_when_the_bucket_does_not_answer(tmp_path: Path) -> None:
    done = folio(tmp_path / "data", "worker", env=S3)
    assert done.returncode == 2
    assert "FOLIO_STORE_URL" in done.stderr
