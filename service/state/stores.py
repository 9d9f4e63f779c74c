"""Which implementation of each kind of state a process uses, from its settings.

| state             | FOLIO_DATABASE_URL unset (default)      | set: PostgreSQL              |
|-------------------|-----------------------------------------|------------------------------|
| records           | `record.json` files (`record_files`)    | `processings` (`pg_records`) |
| API keys          | `keys.json` (`access.apikeys.KeyFile`)  | `api_keys` (`pg_keys`)       |
| share tokens      | `share-tokens/` (`access.share_tokens`) | `share_tokens` (`pg_tokens`) |
| job marks         | `queue/open/` (`jobs.reconcile`)        | `job_marks` (`pg_marks`)     |
| long-poll wake-up | inotify (`artifacts.watch`)             | NOTIFY (`pg_watch`)          |
| invalidation      | this process (`invalidation`)           | NOTIFY to every node         |
| signing key       | `signing-key.json` (`access.signing`)   | `signing_key` (`pg_signing`) |

One Database (one pool) per process and URL, whatever the number of callers.
"""

from __future__ import annotations

import os
from typing import Protocol

from service.access.apikeys import KeyFile, KeySource
from service.access.signing import Signer, load_or_create_key
from service.config import Settings
from service.state.database import Database
from service.state.pg_keys import PgKeys
from service.state.pg_records import PgRecords
from service.state.pg_signing import signing_key
from service.state.record_files import RecordFiles
from service.state.record_store import RecordStore

_databases: dict[tuple[int, str], Database] = {}


class JobMarks(Protocol):
    """Jobs submitted to Redis whose records are not done yet (`jobs.reconcile`)."""

    def add(self, processing_id: str) -> None: ...

    def remove(self, processing_id: str) -> None: ...

    def listing(self) -> list[tuple[str, float]]: ...


def database_for(settings: Settings) -> Database | None:
    if not settings.database_url:
        return None
    key = (os.getpid(), settings.database_url)  # a pool never crosses a fork
    db = _databases.get(key)
    if db is None:
        db = _databases[key] = Database(settings.database_url,
                                        pool_size=settings.database_pool_size,
                                        timeout=settings.database_timeout)
    return db


def records_for(settings: Settings) -> RecordStore:
    db = database_for(settings)
    return PgRecords(db) if db is not None else RecordFiles(settings.data_dir)


def keys_for(settings: Settings) -> KeySource:
    """The keys `folio keys` edits."""
    db = database_for(settings)
    return PgKeys(db) if db is not None else KeyFile(settings.data_dir)


def signer_for(settings: Settings) -> Signer:
    """FOLIO_SIGNING_KEYS, else the deployment's generated key: one for all nodes."""
    if settings.signing_keys:
        return Signer(settings.signing_keys)
    db = database_for(settings)
    return Signer([signing_key(db) if db is not None else load_or_create_key(settings.data_dir)])
