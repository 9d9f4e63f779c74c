"""Copy a data directory's state into PostgreSQL: `folio migrate --import-files`.

For a deployment that grows from one machine into a fleet: its records, API keys
and share tokens move into the database, where every node sees them. What the
database already has is kept (an import run twice adds nothing); the files are
left in place. Artifacts are the object store's business (FOLIO_STORE_URL).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.access.apikeys import KeyFile
from service.access.share_tokens import ShareTokens
from service.artifacts.record import CorruptRecord
from service.state.database import Database
from service.state.pg_records import COLUMNS, row_values
from service.state.pg_tokens import token_digest
from service.state.record_files import RECORD, RecordFiles

BATCH = 200
INSERT_RECORD = (f"INSERT INTO processings ({', '.join(COLUMNS)}) "
                 f"VALUES ({', '.join(f'${n}' for n in range(1, len(COLUMNS) + 1))}) "
                 "ON CONFLICT (processing_id) DO NOTHING")
INSERT_KEY = ("INSERT INTO api_keys (key_id, tenant, digest, created, expires, revoked) "
              "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING")
INSERT_TOKEN = ("INSERT INTO share_tokens (uuid, digest, token, document_id, tenant_id, "
                "expires_at, issuer_user_id, created_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING")


@dataclass
class Imported:
    records: int = 0
    keys: int = 0
    tokens: int = 0
    unreadable: int = 0  # record files that could not be read (left out)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _insert(db: Database, statement: str, rows: list[tuple[Any, ...]]) -> int:
    """Insert in batches, each one transaction within one statement timeout's reach."""
    added = 0
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]

        async def insert(conn: Any, batch: list[tuple[Any, ...]] = batch) -> int:
            count = 0
            async with conn.transaction():
                for row in batch:
                    status = await conn.execute(statement, *row)
                    count += int(status.rsplit(" ", 1)[-1])  # "INSERT 0 1" or "INSERT 0 0"
            return count

        added += db.run(insert)
    return added


def import_files(data_dir: Path, db: Database) -> Imported:
    done = Imported()
    files = RecordFiles(data_dir)
    records = []
    for path in sorted(Path(data_dir, "processings").glob(f"*/*/{RECORD}")):
        try:
            record = files.load(path.parent.name)
        except (CorruptRecord, ValueError):
            done.unreadable += 1
            continue
        if record is not None:
            records.append(tuple(row_values(record)))
    today = dt.datetime.now(dt.UTC).date()
    keys = [(k.key_id, k.tenant, k.digest, _date(k.created) or today, _date(k.expires),
             k.revoked) for k in KeyFile(data_dir).load()]
    tokens = [(uuid.UUID(t.uuid), token_digest(t.token), t.token, t.document_id, t.tenant_id,
               _date(t.expires_at), t.issuer_user_id, t.created_at)
              for t in ShareTokens(data_dir).stored()]
    done.records = _insert(db, INSERT_RECORD, records)
    done.keys = _insert(db, INSERT_KEY, keys)
    done.tokens = _insert(db, INSERT_TOKEN, tokens)
    return done
