"""One contract each for API keys, share tokens and job marks, against the files in
the data directory and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from service.access.apikeys import KeyFile, KeySource, digest
from service.access.share_tokens import (
    EXPIRED,
    OTHER_DOCUMENT,
    UNKNOWN,
    ShareTokens,
    TokenRefused,
)
from service.access.token_store import TokenStore
from service.config import Settings
from service.jobs.reconcile import OpenJobs
from service.state.database import Database
from service.state.invalidation import LocalInvalidations
from service.state.pg_keys import PgKeys
from service.state.pg_marks import PgJobMarks
from service.state.pg_tokens import PgShareTokens
from service.state.stores import JobMarks, signer_for

DOC = "0b9f2d1c-8e8a-4a51-9f0e-2f7b1c3d4e5f"
OTHER = "1c9f2d1c-8e8a-4a51-9f0e-2f7b1c3d4e5f"
TODAY = dt.datetime.now(dt.UTC).date()
TOMORROW = TODAY + dt.timedelta(days=1)


@pytest.fixture(params=["files", "postgresql"])
def key_source(request: pytest.FixtureRequest, tmp_path: Path) -> KeySource:
    if request.param == "files":
        return KeyFile(tmp_path)
    db: Database = request.getfixturevalue("database")
    return PgKeys(db)


@pytest.fixture(params=["files", "postgresql"])
def token_store(request: pytest.FixtureRequest, tmp_path: Path) -> TokenStore:
    if request.param == "files":
        return ShareTokens(tmp_path)
    db: Database = request.getfixturevalue("database")
    return PgShareTokens(db, LocalInvalidations())


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_a_created_key_is_kept_as_its_digest(key_source: KeySource) -> None:
    key, secret = key_source.create("acme", TOMORROW)
    [loaded] = key_source.load()
    assert loaded == key
    assert loaded.digest == digest(secret) and secret not in repr(loaded)
    assert loaded.expires == TOMORROW.isoformat() and not loaded.revoked


def test_revoke_marks_the_key_once(key_source: KeySource) -> None:
    key, _ = key_source.create("acme")
    assert key_source.revoke(key.key_id)
    assert not key_source.revoke(key.key_id)
    assert not key_source.revoke("no-such-key")
    assert [k.revoked for k in key_source.load()] == [True]


async def _refused(tokens: TokenStore, token: str, document: str = DOC) -> str:
    with pytest.raises(TokenRefused) as info:
        await tokens.check(token, document)
    return info.value.reason


@pytest.mark.anyio
async def test_a_token_opens_its_document_only(token_store: TokenStore) -> None:
    body = token_store.create("acme", DOC, TOMORROW, "acme")
    opened = await token_store.check(body["token"], DOC)
    assert (opened.uuid, opened.tenant_id) == (body["uuid"], "acme")
    assert await _refused(token_store, body["token"], OTHER) == OTHER_DOCUMENT
    assert await _refused(token_store, "not-a-token") == UNKNOWN


@pytest.mark.anyio
async def test_check_now_answers_a_token_checked_here_and_never_refuses(
        token_store: TokenStore) -> None:
    body = token_store.create("acme", DOC, TOMORROW, "acme")
    await token_store.check(body["token"], DOC)
    kept = token_store.check_now(body["token"], DOC)
    assert kept is not None and kept.uuid == body["uuid"]
    assert token_store.check_now(body["token"], OTHER) is None  # `check` refuses it
    assert token_store.check_now("not-a-token", DOC) is None
    assert await token_store.revoke("acme", body["uuid"])
    assert token_store.check_now(body["token"], DOC) is None  # revoked here: at once


@pytest.mark.anyio
async def test_an_expired_token_is_refused(token_store: TokenStore) -> None:
    body = token_store.create("acme", DOC, TODAY - dt.timedelta(days=1), "acme")
    assert await _refused(token_store, body["token"]) == EXPIRED


@pytest.mark.anyio
async def test_a_revoked_token_is_refused(token_store: TokenStore) -> None:
    body = token_store.create("acme", DOC, TOMORROW, "acme")
    await token_store.check(body["token"], DOC)
    assert not await token_store.revoke("globex", body["uuid"])  # another tenant's
    assert await token_store.revoke("acme", body["uuid"])
    assert await _refused(token_store, body["token"]) == UNKNOWN
    assert not await token_store.revoke("acme", body["uuid"])


@pytest.mark.anyio
async def test_tokens_are_listed_per_tenant_oldest_first(token_store: TokenStore) -> None:
    first = token_store.create("acme", DOC, TOMORROW, "acme")
    token_store.create("globex", OTHER, TOMORROW, "globex")
    second = token_store.create("acme", OTHER, TOMORROW, "acme")
    listed = token_store.of_tenant("acme")
    assert {t["uuid"] for t in listed} == {first["uuid"], second["uuid"]}
    assert set(listed[0]) == set(first)


@pytest.mark.anyio
async def test_removing_a_document_removes_its_tokens(token_store: TokenStore) -> None:
    body = token_store.create("acme", DOC, TOMORROW, "acme")
    token_store.create("acme", OTHER, TOMORROW, "acme")
    await token_store.check(body["token"], DOC)  # known to this process
    assert token_store.remove_document(DOC) == 1
    assert await _refused(token_store, body["token"]) == UNKNOWN
    assert len(token_store.of_tenant("acme")) == 1


@pytest.fixture(params=["files", "postgresql"])
def job_marks(request: pytest.FixtureRequest, tmp_path: Path) -> JobMarks:
    if request.param == "files":
        return OpenJobs(tmp_path)
    db: Database = request.getfixturevalue("database")
    return PgJobMarks(db)


def test_job_marks_are_listed_until_removed(job_marks: JobMarks) -> None:
    before = time.time()
    job_marks.add(DOC)
    job_marks.add(OTHER)
    job_marks.add(DOC)  # marked again: still one mark
    listed = dict(job_marks.listing())
    assert set(listed) == {DOC, OTHER}
    assert all(before - 1 <= when <= time.time() + 1 for when in listed.values())
    job_marks.remove(DOC)
    job_marks.remove(DOC)  # gone already: nothing to do
    assert [pid for pid, _ in job_marks.listing()] == [OTHER]


@pytest.mark.parametrize("backend", ["files", "postgresql"])
def test_every_node_signs_with_the_one_generated_key(backend: str, tmp_path: Path,
                                                     request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("database_url") if backend == "postgresql" else None
    shared = tmp_path / "shared"
    nodes = [Settings(data_dir=(tmp_path / name if url else shared), database_url=url)
             for name in ("a", "b")]
    signed = urlsplit(signer_for(nodes[0]).sign(f"/processing/results/{DOC}/pdf", 60))
    assert signer_for(nodes[1]).check("GET", signed.path, signed.query) is not None
