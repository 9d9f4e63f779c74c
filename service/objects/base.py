"""The object store protocol: immutable objects under slash-separated keys.

An object is written once (`put` and `put_file` create it only when absent) and
never changed, so a reader needs no HEAD before a GET and a copy kept anywhere
stays true until the object is deleted. Failing to reach the store raises
`errors.StoreUnavailable`; a missing object raises FileNotFoundError.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    size: int
    modified: float  # seconds since the epoch


class ObjectStore(Protocol):
    async def get(self, key: str) -> bytes:
        """The whole object."""

    async def get_range(self, key: str, start: int, end: int) -> bytes:
        """Bytes start..end-1 of the object."""

    async def head(self, key: str) -> ObjectInfo | None:
        """Size and time of the object; None when it does not exist."""

    async def download(self, key: str, target: Path) -> ObjectInfo:
        """Stream the object into the file `target` (a new temporary name)."""

    async def put(self, key: str, data: bytes) -> bool:
        """Create the object unless it exists; False: it existed and is unchanged."""

    async def put_file(self, key: str, source: Path) -> bool:
        """`put` with a local file's content; the file itself is left where it is."""

    async def list_prefix(self, prefix: str) -> list[str]:
        """The keys under `prefix` (a key prefix ending in "/")."""

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every object under `prefix`; the number deleted."""

    def local_path(self, key: str) -> Path | None:
        """The object's own file when the store keeps it on this machine's disk."""


def artifact_key(processing_id: str, name: str) -> str:
    """Today's layout under the data directory, kept by every store."""
    return f"processings/{processing_id[:2]}/{processing_id}/{name}"


def processing_prefix(processing_id: str) -> str:
    return f"processings/{processing_id[:2]}/{processing_id}/"
