from __future__ import annotations

import pytest

from service.images.negotiate import can_encode, choose

CHROME = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
FIREFOX = "image/avif,image/webp,*/*"
SAFARI_15 = "image/webp,image/png,image/svg+xml,image/*;q=0.8,video/*;q=0.8,*/*;q=0.5"


def test_this_libvips_writes_avif_and_webp() -> None:
    # folio's pyvips-binary has heifsave with an AV1 encoder; if a build lacks
    # it, format=auto falls back to WebP/JPEG (and this test says so)
    assert can_encode("avif")
    assert can_encode("webp")


@pytest.mark.parametrize(("accept", "expected"), [
    pytest.param(None, "jpeg", id="no-accept"),
    pytest.param("", "jpeg", id="empty"),
    pytest.param("*/*", "jpeg", id="curl-wildcard"),
    pytest.param("image/*", "jpeg", id="image-wildcard"),
    pytest.param(CHROME, "avif", id="chrome"),
    pytest.param(FIREFOX, "avif", id="firefox"),
    pytest.param(SAFARI_15, "webp", id="safari-15"),
    pytest.param("image/webp", "webp", id="webp-only"),
    pytest.param("image/avif;q=0.5,image/webp;q=0.9,*/*;q=0.1", "webp", id="q-prefers-webp"),
    pytest.param("image/avif;q=0.5,image/jpeg", "jpeg", id="q-prefers-jpeg"),
    pytest.param("image/avif;q=0.8,image/webp;q=0.8,image/*;q=0.8", "avif", id="tie-smallest"),
    pytest.param("image/avif;q=0,image/webp,*/*", "webp", id="avif-refused"),
    pytest.param("IMAGE/WEBP ; Q=1", "webp", id="case-insensitive"),
    pytest.param("image/webp;q=nonsense,*/*", "jpeg", id="bad-q-is-refusal"),
    pytest.param("image/jpeg;q=0,image/*;q=0", "jpeg", id="nothing-acceptable"),
])
def test_choose(accept: str | None, expected: str) -> None:
    assert choose(accept) == expected
