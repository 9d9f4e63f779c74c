"""The object store as files under one directory: the embedded default.

A key is a relative path under the root, which is today's data directory
layout, so nothing moves on disk. Create-if-absent is a hard link of a fully
written temporary file: the name appears complete or not at all, and a second
writer's link fails instead of replacing the first one's object.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from pathlib import Path

from service.objects.base import ObjectInfo


class DirectoryStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def local_path(self, key: str) -> Path:
        parts = key.split("/")
        if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise ValueError(f"bad object key {key!r}")
        return self.root.joinpath(*parts)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self.local_path(key).read_bytes)

    async def get_range(self, key: str, start: int, end: int) -> bytes:
        return await asyncio.to_thread(_read_range, self.local_path(key), start, end)

    async def head(self, key: str) -> ObjectInfo | None:
        try:
            stat = await asyncio.to_thread(os.stat, self.local_path(key))
        except FileNotFoundError:
            return None
        return ObjectInfo(stat.st_size, stat.st_mtime)

    async def download(self, key: str, target: Path) -> ObjectInfo:
        source = self.local_path(key)
        await asyncio.to_thread(shutil.copyfile, source, target)
        stat = await asyncio.to_thread(os.stat, source)
        return ObjectInfo(stat.st_size, stat.st_mtime)

    async def put(self, key: str, data: bytes) -> bool:
        return await asyncio.to_thread(self._create, key, data, None)

    async def put_file(self, key: str, source: Path) -> bool:
        return await asyncio.to_thread(self._create, key, None, source)

    def _create(self, key: str, data: bytes | None, source: Path | None) -> bool:
        path = self.local_path(key)
        if path.exists():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            if source is not None:
                shutil.copyfile(source, tmp)
            else:
                tmp.write_bytes(data or b"")
            os.link(tmp, path)
            return True
        except FileExistsError:
            return False
        finally:
            tmp.unlink(missing_ok=True)

    async def list_prefix(self, prefix: str) -> list[str]:
        return await asyncio.to_thread(self._list, prefix)

    def _list(self, prefix: str) -> list[str]:
        base = self.local_path(prefix.rstrip("/"))
        if not base.is_dir():
            return []
        return sorted(str(p.relative_to(self.root)) for p in base.rglob("*")
                      if p.is_file() and not p.name.startswith("."))

    async def delete_prefix(self, prefix: str) -> int:
        keys = await self.list_prefix(prefix)
        for key in keys:
            await asyncio.to_thread(self.local_path(key).unlink, True)
        return len(keys)


def _read_range(path: Path, start: int, end: int) -> bytes:
    with open(path, "rb") as handle:
        handle.seek(start)
        return handle.read(max(0, end - start))
