"""Migrations: versioned, applied once however many processes start together, and
`folio migrate`; bad database settings stop folio with one message and status 2."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pytest

from service.state.migrate import migrations, prepare
from tests.helpers import folio
from tests.state.postgres import SERVER_URL, database_in


@pytest.fixture
def empty_database() -> Iterator[str]:
    name = f"folio_test_{secrets.token_hex(6)}"

    async def admin(statement: str) -> None:
        conn = await asyncpg.connect(SERVER_URL)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    yield database_in(name)
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _versions(url: str) -> list[int]:
    async def read() -> list[int]:
        conn = await asyncpg.connect(url)
        try:
            rows = await conn.fetch("SELECT version FROM folio_migrations ORDER BY version")
        finally:
            await conn.close()
        return [row["version"] for row in rows]

    return asyncio.run(read())


def test_migration_files_are_numbered_without_gaps() -> None:
    versions = [version for version, _, _ in migrations()]
    assert versions == list(range(1, len(versions) + 1))


def test_nodes_starting_together_apply_each_migration_once(empty_database: str) -> None:
    with ThreadPoolExecutor(4) as pool:
        applied = list(pool.map(lambda _: prepare(empty_database, 5.0), range(4)))
    assert sorted(len(names) for names in applied) == [0, 0, 0, len(migrations())]
    assert _versions(empty_database) == [v for v, _, _ in migrations()]


def test_folio_migrate_applies_then_has_nothing_to_do(empty_database: str,
                                                      tmp_path: Path) -> None:
    env = {"FOLIO_DATABASE_URL": empty_database}
    first = folio(tmp_path, "migrate", env=env)
    assert first.returncode == 0 and "applied 0001_state.sql" in first.stdout
    second = folio(tmp_path, "migrate", env=env)
    assert second.returncode == 0 and "up to date" in second.stdout


@pytest.mark.parametrize("url, says", [
    ("mysql://db.example/folio", "FOLIO_DATABASE_URL='mysql://db.example/folio': expected a "
                                 "postgresql:// URL"),
    ("postgresql://postgres@127.0.0.1:1/folio", "FOLIO_DATABASE_URL: the database cannot be "
                                                "used"),
], ids=["unknown-scheme", "nothing-answers"])
@pytest.mark.parametrize("command", [("serve",), ("worker",), ("migrate",), ("keys", "list")],
                         ids=lambda c: "-".join(c))
def test_a_database_that_cannot_be_used_stops_folio_with_status_2(
        url: str, says: str, command: tuple[str, ...], tmp_path: Path) -> None:
    result = folio(tmp_path, *command, env={"FOLIO_DATABASE_URL": url,
                                            "FOLIO_DATABASE_TIMEOUT": "1"})
    assert result.returncode == 2
    assert says in result.stderr
    assert "Traceback" not in result.stderr


def test_a_refused_database_url_is_printed_without_its_password(tmp_path: Path) -> None:
    result = folio(tmp_path, "migrate", env={"FOLIO_DATABASE_URL": "mysql://bob:s3cret@db/x"})
    assert result.returncode == 2
    assert "mysql://bob:***@db/x" in result.stderr and "s3cret" not in result.stderr
