from __future__ import annotations

import os
import stat
import threading
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from service.access.signing import (
    EXPIRED,
    KEY_FILE,
    MALFORMED,
    TAMPERED,
    UNKNOWN_KID,
    SignatureError,
    Signer,
    SigningKeyError,
    load_or_create_key,
)
from service.config import ConfigError, Settings

NOW = 1_800_000_000.0
PAGE = "/processing/results/0b9f2d1c-8e8a-4a51-9f0e-2f7b1c3d4e5f/page-images/1"
KEYS = [("new", "n" * 32), ("old", "o" * 32)]


def _split(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.path, parts.query


def _check(signer: Signer, url: str, method: str = "GET", now: float = NOW) -> object:
    path, query = _split(url)
    return signer.check(method, path, query, now)


def _refusal(signer: Signer, url: str, now: float = NOW) -> str:
    with pytest.raises(SignatureError) as info:
        _check(signer, url, now=now)
    return info.value.reason


def test_signed_url_verifies_with_kid_and_expiry() -> None:
    signer = Signer(KEYS)
    url = signer.sign(PAGE + "?width=800", ttl=60, now=NOW)
    signed = _check(signer, url)
    assert signed is not None
    query = dict(parse_qsl(_split(url)[1]))
    assert query["kid"] == "new"
    assert query["expires"] == str(int(NOW) + 60)
    assert query["width"] == "800"


def test_unsigned_url_is_not_a_signed_request() -> None:
    assert Signer(KEYS).check("GET", PAGE, "width=800", NOW) is None


def test_signature_is_base64url_without_padding() -> None:
    signature = dict(parse_qsl(_split(Signer(KEYS).sign(PAGE, 60, NOW))[1]))["signature"]
    assert len(signature) == 43
    assert not set(signature) - set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                    "0123456789-_")


def test_reordered_query_still_verifies() -> None:
    signer = Signer(KEYS)
    path, query = _split(signer.sign(PAGE + "?width=800&format=webp", 60, NOW))
    pairs = query.split("&")
    assert signer.check("GET", path, "&".join(reversed(pairs)), NOW) is not None


def test_head_is_checked_as_get() -> None:
    signer = Signer(KEYS)
    assert _check(signer, signer.sign(PAGE, 60, NOW), method="HEAD") is not None


def test_other_method_is_refused() -> None:
    signer = Signer(KEYS)
    path, query = _split(signer.sign(PAGE, 60, NOW))
    with pytest.raises(SignatureError):
        signer.check("POST", path, query, NOW)


def test_changed_query_value_is_tampering() -> None:
    signer = Signer(KEYS)
    url = signer.sign(PAGE + "?width=800", 60, NOW)
    assert _refusal(signer, url.replace("width=800", "width=801")) == TAMPERED


def test_added_query_parameter_is_tampering() -> None:
    signer = Signer(KEYS)
    assert _refusal(signer, signer.sign(PAGE, 60, NOW) + "&width=10") == TAMPERED


def test_changed_path_is_tampering() -> None:
    signer = Signer(KEYS)
    url = signer.sign(PAGE, 60, NOW)
    assert _refusal(signer, url.replace("page-images/1", "page-images/2")) == TAMPERED


def test_later_expires_is_tampering() -> None:
    signer = Signer(KEYS)
    url = signer.sign(PAGE, 60, NOW)
    later = url.replace(f"expires={int(NOW) + 60}", f"expires={int(NOW) + 6000}")
    assert _refusal(signer, later) == TAMPERED


def test_every_changed_signature_byte_is_tampering() -> None:
    signer = Signer(KEYS)
    url = signer.sign(PAGE, 60, NOW)
    head, signature = url.rsplit("signature=", 1)
    for i in range(len(signature)):
        flipped = signature[:i] + ("A" if signature[i] != "A" else "B") + signature[i + 1:]
        assert _refusal(signer, f"{head}signature={flipped}") == TAMPERED


def test_expired_signature_is_refused() -> None:
    signer = Signer(KEYS)
    url = signer.sign(PAGE, 60, NOW)
    assert _refusal(signer, url, now=NOW + 60) == EXPIRED


def test_unknown_kid_is_refused() -> None:
    url = Signer([("elsewhere", "e" * 32)]).sign(PAGE, 60, NOW)
    assert _refusal(Signer(KEYS), url) == UNKNOWN_KID


def test_missing_kid_is_malformed() -> None:
    assert _refusal(Signer(KEYS), PAGE + f"?expires={int(NOW) + 5}&signature=abc") == MALFORMED


def test_repeated_signature_is_malformed() -> None:
    signer = Signer(KEYS)
    url = signer.sign(PAGE, 60, NOW)
    assert _refusal(signer, url + "&signature=abc") == MALFORMED


def test_rotation_old_key_still_verifies_new_key_signs() -> None:
    old = Signer([("old", "o" * 32)])
    url = old.sign(PAGE, 60, NOW)
    rotated = Signer(KEYS)
    assert _check(rotated, url) is not None
    assert "kid=new" in rotated.sign(PAGE, 60, NOW)


def test_sign_replaces_an_earlier_signature() -> None:
    signer = Signer(KEYS)
    again = signer.sign(signer.sign(PAGE + "?width=5", 60, NOW), 120, NOW)
    assert again.count("signature=") == 1
    assert _check(signer, again) is not None


def test_sign_keeps_scheme_and_host() -> None:
    url = Signer(KEYS).sign("https://cdn.example" + PAGE, 60, NOW)
    assert url.startswith("https://cdn.example" + PAGE + "?")


def test_generated_key_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    results: list[tuple[str, str]] = []

    def load() -> None:
        results.append(load_or_create_key(tmp_path))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1
    assert stat.S_IMODE(os.stat(tmp_path / KEY_FILE).st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [KEY_FILE]
    assert load_or_create_key(tmp_path) == results[0]


def test_damaged_key_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE).write_text("{not json")
    with pytest.raises(SigningKeyError, match="FOLIO_SIGNING_KEYS"):
        load_or_create_key(tmp_path)


def test_signing_keys_setting_parses_and_checks() -> None:
    settings = Settings.from_env({"FOLIO_SIGNING_KEYS": f"a:{'x' * 16}, b:{'y' * 20}"})
    assert settings.signing_keys == (("a", "x" * 16), ("b", "y" * 20))
    with pytest.raises(ConfigError, match="at least 16"):
        Settings.from_env({"FOLIO_SIGNING_KEYS": "a:short"})
    with pytest.raises(ConfigError, match="kid:secret"):
        Settings.from_env({"FOLIO_SIGNING_KEYS": "nocolon"})
    with pytest.raises(ConfigError, match="twice"):
        Settings.from_env({"FOLIO_SIGNING_KEYS": f"a:{'x' * 16},a:{'y' * 16}"})


def test_image_widths_setting_is_sorted_and_bounded() -> None:
    assert Settings.from_env({"FOLIO_IMAGE_WIDTHS": "960, 320,640"}).image_widths == (
        320, 640, 960)
    with pytest.raises(ConfigError, match="IMAGE_WIDTHS"):
        Settings.from_env({"FOLIO_IMAGE_WIDTHS": "0,320"})


def test_a_remembered_url_still_expires() -> None:
    signer = Signer(KEYS)
    url = signer.sign(PAGE, 60, NOW)
    assert _check(signer, url) is not None
    assert _check(signer, url) is not None  # from the memo
    assert _refusal(signer, url, now=NOW + 61) == EXPIRED


def test_a_refused_url_is_not_remembered() -> None:
    signer = Signer(KEYS)
    url = signer.sign(PAGE, 60, NOW).replace("kid=new", "kid=old")
    assert _refusal(signer, url) == TAMPERED
    assert _refusal(signer, url) == TAMPERED
