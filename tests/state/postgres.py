"""PostgreSQL for the tests: one throwaway database per run, created through the
`postgres` database and dropped at the end (FOLIO_TEST_POSTGRES_URL names the
server, default the local one with trust auth). `database_url` is that database
with folio's schema, emptied for each test.

Fixtures for any test package: its conftest.py imports the ones it needs,
`from tests.state.postgres import database_url, postgres_database`."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest

from service.state.database import Database
from service.state.migrate import prepare
from service.state.pg_records import PgRecords
from service.state.record_files import RecordFiles
from service.state.record_store import RecordStore

SERVER_URL = os.environ.get("FOLIO_TEST_POSTGRES_URL",
                            "postgresql://postgres@127.0.0.1:5432/postgres")
T = TypeVar("T")
TABLES = ("processings", "api_keys", "share_tokens", "job_marks")


def database_in(name: str) -> str:
    base, _, _ = SERVER_URL.rpartition("/")
    return f"{base}/{name}"


def off_loop(work: Callable[..., T], *args: Any) -> T:
    """Run blocking `work` on a thread of its own: a fixture may be set up from a test
    whose event loop is running, where asyncio.run is refused."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work, *args).result()


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    return off_loop(asyncio.run, coro)


async def _admin(statement: str) -> None:
    conn = await asyncpg.connect(SERVER_URL, timeout=5)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """The URL of a fresh database with folio's schema, for this run only."""
    name = f"folio_test_{secrets.token_hex(6)}"
    try:
        run_coroutine(_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(f"PostgreSQL at {SERVER_URL} is needed for these tests: {exc}")
    url = database_in(name)
    off_loop(prepare, url, 5.0)
    yield url
    run_coroutine(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _empty(url: str) -> None:
    conn = await asyncpg.connect(url, timeout=5)
    try:
        await conn.execute(f"TRUNCATE {', '.join(TABLES)}")
    finally:
        await conn.close()


@pytest.fixture
def database_url(postgres_database: str) -> str:
    run_coroutine(_empty(postgres_database))
    return postgres_database


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url, pool_size=4, timeout=5.0)
    yield db
    db.close()


@pytest.fixture(params=["files", "postgresql"])
def record_store(request: pytest.FixtureRequest, tmp_path: Path) -> RecordStore:
    if request.param == "files":
        return RecordFiles(tmp_path)
    db: Database = request.getfixturevalue("database")
    return PgRecords(db)
