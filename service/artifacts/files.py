"""Two file habits every file-backed store shares: canonical ids, atomic writes."""

from __future__ import annotations

import os
import secrets
import uuid
from pathlib import Path


def valid_id(processing_id: str) -> bool:
    try:
        return str(uuid.UUID(processing_id)) == processing_id
    except (ValueError, AttributeError, TypeError):
        return False


def atomic_write(path: Path, data: bytes, sync: bool = True) -> None:
    """Write to a temporary name and rename it into place; with `sync` the data is on
    disk before the rename (without, the caller syncs it later: `sync_files`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        if sync:
            fh.flush()
            os.fsync(fh.fileno())
    os.replace(tmp, path)
