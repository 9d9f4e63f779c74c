"""`folio migrate --import-files`: a data directory's records, keys and share tokens
copied into the database, twice without harm."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from service.access.apikeys import KeyFile
from service.access.share_tokens import ShareTokens
from service.artifacts.store import FileStore
from service.state.database import Database
from service.state.invalidation import LocalInvalidations
from service.state.pg_keys import PgKeys
from service.state.pg_records import PgRecords
from service.state.pg_tokens import PgShareTokens
from tests.helpers import folio

DOC = "0b9f2d1c-8e8a-4a51-9f0e-2f7b1c3d4e5f"
TOMORROW = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_import_copies_the_data_directory_into_the_database(
        tmp_path: Path, database_url: str, database: Database) -> None:
    files = FileStore(tmp_path)
    done = files.succeed(files.create("acme", "ocr").processing_id, pages=[(10, 20)],
                         results=["ocr"])
    pending = files.create("acme", "ocr")
    key, secret = KeyFile(tmp_path).create("acme", TOMORROW)
    token = ShareTokens(tmp_path).create("acme", DOC, TOMORROW, "acme")
    env = {"FOLIO_DATABASE_URL": database_url}

    first = folio(tmp_path, "migrate", "--import-files", env=env)
    assert first.returncode == 0, first.stderr
    assert "2 records, 1 API keys, 1 share tokens" in first.stdout
    again = folio(tmp_path, "migrate", "--import-files", env=env)
    assert "0 records, 0 API keys, 0 share tokens" in again.stdout

    records = PgRecords(database)
    assert records.load(done.processing_id) == done
    assert records.load(pending.processing_id) == pending
    assert PgKeys(database).load() == [key]
    opened = await PgShareTokens(database, LocalInvalidations()).check(token["token"], DOC)
    assert opened.uuid == token["uuid"]
    assert secret not in first.stdout
