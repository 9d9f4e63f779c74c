from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as redis

from cache import keys
from service.access.share_tokens import (
    DIRECTORY,
    EXPIRED,
    OTHER_DOCUMENT,
    UNKNOWN,
    ShareTokens,
    TokenRefused,
)

pytestmark = pytest.mark.anyio

DOC = "0b9f2d1c-8e8a-4a51-9f0e-2f7b1c3d4e5f"
OTHER = "1c9f2d1c-8e8a-4a51-9f0e-2f7b1c3d4e5f"
TOMORROW = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client() -> AsyncIterator[redis.Redis]:
    connection = redis.Redis(host="127.0.0.1", port=6379, db=15)
    yield connection
    await connection.aclose()


async def _refused(tokens: ShareTokens, token: str, document: str = DOC) -> str:
    with pytest.raises(TokenRefused) as info:
        await tokens.check(token, document)
    return info.value.reason


def test_create_answers_the_vendor_shape(tmp_path: Path) -> None:
    body = ShareTokens(tmp_path).create("acme", DOC, TOMORROW, "acme")
    assert set(body) == {"document_id", "expires_at", "uuid", "tenant_id", "last_used_at",
                         "token", "issuer_user_id"}
    assert body["document_id"] == DOC
    assert body["expires_at"] == TOMORROW.isoformat()
    assert body["tenant_id"] == "acme"
    assert body["last_used_at"] is None
    files = list((tmp_path / DIRECTORY).iterdir())
    assert len(files) == 1
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
    assert body["token"] not in files[0].name


async def test_token_opens_its_document(tmp_path: Path) -> None:
    tokens = ShareTokens(tmp_path)
    body = tokens.create("acme", DOC, TOMORROW, "acme")
    token = await tokens.check(body["token"], DOC)
    assert token.tenant_id == "acme"


async def test_token_does_not_open_another_document(tmp_path: Path) -> None:
    tokens = ShareTokens(tmp_path)
    body = tokens.create("acme", DOC, TOMORROW, "acme")
    assert await _refused(tokens, body["token"], OTHER) == OTHER_DOCUMENT


async def test_unknown_token_is_refused(tmp_path: Path) -> None:
    assert await _refused(ShareTokens(tmp_path), "not-a-token") == UNKNOWN


async def test_token_works_through_its_last_day(tmp_path: Path) -> None:
    tokens = ShareTokens(tmp_path)
    today = dt.datetime.now(dt.UTC).date()
    body = tokens.create("acme", DOC, today, "acme")
    await tokens.check(body["token"], DOC)
    yesterday = tokens.create("acme", DOC, today - dt.timedelta(days=1), "acme")
    assert await _refused(tokens, yesterday["token"]) == EXPIRED


async def test_list_is_per_tenant_and_shows_last_use(tmp_path: Path) -> None:
    tokens = ShareTokens(tmp_path)
    mine = tokens.create("acme", DOC, TOMORROW, "acme")
    tokens.create("globex", OTHER, TOMORROW, "globex")
    await tokens.check(mine["token"], DOC)
    listed = tokens.of_tenant("acme")
    assert [t["uuid"] for t in listed] == [mine["uuid"]]
    assert listed[0]["last_used_at"] is not None
    assert listed[0]["token"] == mine["token"]


async def test_last_used_is_written_at_most_once_a_minute(tmp_path: Path) -> None:
    tokens = ShareTokens(tmp_path)
    body = tokens.create("acme", DOC, TOMORROW, "acme")
    await tokens.check(body["token"], DOC)
    used = next((tmp_path / DIRECTORY).glob("*.used"))
    first = used.stat().st_ino
    # a second process (a fresh ShareTokens) sees the fresh file and leaves it alone
    for checker in (tokens, ShareTokens(tmp_path)):
        await checker.check(body["token"], DOC)
    assert used.stat().st_ino == first


async def test_revoke_is_seen_by_another_process_at_once(tmp_path: Path) -> None:
    issuer, other = ShareTokens(tmp_path), ShareTokens(tmp_path)
    body = issuer.create("acme", DOC, TOMORROW, "acme")
    await other.check(body["token"], DOC)
    assert await issuer.revoke("acme", body["uuid"])
    assert await _refused(other, body["token"]) == UNKNOWN
    assert issuer.of_tenant("acme") == []


async def test_revoke_needs_the_owning_tenant(tmp_path: Path) -> None:
    tokens = ShareTokens(tmp_path)
    body = tokens.create("acme", DOC, TOMORROW, "acme")
    assert not await tokens.revoke("globex", body["uuid"])
    assert not await tokens.revoke("acme", "no-such-uuid")
    await tokens.check(body["token"], DOC)


async def test_revoke_sets_the_redis_marker_every_process_checks(
        tmp_path: Path, client: redis.Redis) -> None:
    issuer = ShareTokens(tmp_path, client, 2.0)
    body = issuer.create("acme", DOC, TOMORROW, "acme")
    files = {p: p.read_bytes() for p in (tmp_path / DIRECTORY).iterdir()}
    try:
        assert await issuer.revoke("acme", body["uuid"])
        # a host whose shared volume still shows the token file (a metadata cache)
        for path, data in files.items():
            path.write_bytes(data)
        assert await _refused(ShareTokens(tmp_path, client, 2.0), body["token"]) == UNKNOWN
        ttl = await client.ttl(keys.share_token_revoked(body["uuid"]))
        assert ttl > 24 * 3600
    finally:
        await client.delete(keys.share_token_revoked(body["uuid"]))


async def test_check_now_answers_only_from_a_recent_full_check(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = ShareTokens(tmp_path)
    body = tokens.create("acme", DOC, TOMORROW, "acme")
    assert tokens.check_now(body["token"], DOC) is None  # never checked: `check` decides
    await tokens.check(body["token"], DOC)
    token = tokens.check_now(body["token"], DOC)
    assert token is not None and token.tenant_id == "acme"
    assert tokens.check_now(body["token"], OTHER) is None  # the refusal is `check`'s
    assert tokens.check_now(body["token"][:-1] + "x", DOC) is None
    monkeypatch.setattr("service.access.share_tokens.RECHECK", 0.0)
    assert tokens.check_now(body["token"], DOC) is None  # stale: checked in full again


async def test_a_revocation_here_ends_check_now_at_once(tmp_path: Path) -> None:
    tokens = ShareTokens(tmp_path)
    body = tokens.create("acme", DOC, TOMORROW, "acme")
    await tokens.check(body["token"], DOC)
    assert await tokens.revoke("acme", body["uuid"])
    assert tokens.check_now(body["token"], DOC) is None
    assert await _refused(tokens, body["token"]) == UNKNOWN
