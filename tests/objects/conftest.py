"""Fixtures for the object store tests; `seaweedfs` is reusable by any test package
(import it from here into that package's conftest)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.objects.seaweed import SeaweedFS


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    """One SeaweedFS for the session, its bucket made; tests keep apart by prefix."""
    service = SeaweedFS(tmp_path_factory.mktemp("seaweedfs"))
    service.start()
    yield service
    service.kill()  # its data is thrown away: a graceful stop would cost ~25 s


@pytest.fixture
def s3_prefix() -> str:
    """A key prefix in the bucket that no other test (or earlier run) uses."""
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
