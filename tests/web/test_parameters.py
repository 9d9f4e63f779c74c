"""`parameters` of an upload: known keys only, bounded size, never kept in the record cache."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import orjson
import pytest

from service.artifacts.records import Records
from service.artifacts.store import FileStore
from service.artifacts.watch import RecordWatcher
from service.web.parameters import parse_parameters
from tests.conftest import TENANT_A
from tests.helpers import Server, tiny_pdf


def parsed(raw: Any, max_bytes: int = 1024) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    errors: list[dict[str, Any]] = []
    return parse_parameters(raw, errors, "de", max_bytes), errors


def test_known_parameters_are_rebuilt_from_folios_own_values() -> None:
    assert parsed('{"language": "en"}') == ({"language": "en"}, [])
    assert parsed("") == ({"language": "de"}, [])
    assert parsed("{}") == ({"language": "de"}, [])


@pytest.mark.parametrize("raw,kind", [
    ('{"language": "de", "padding": "x"}', "extra_forbidden"),
    ('{"Language": "de"}', "extra_forbidden"),
    ('{"language": "de", "x": "' + "y" * 2000 + '"}', "string_too_long"),
    ('{"language": "de"}' + " " * 1100, "string_too_long"),
], ids=["extra-key", "wrong-case", "large", "large-whitespace"])
def test_unknown_keys_and_large_parameters_are_refused(raw: str, kind: str) -> None:
    value, errors = parsed(raw)
    assert value == {}
    assert [(e["loc"], e["type"]) for e in errors] == [(["body", "parameters"], kind)]


@pytest.mark.parametrize("parameters,kind", [
    ('{"language": "de", "note": "hello"}', "extra_forbidden"),
    (orjson.dumps({"language": "de", "padding": "x" * 100_000}).decode(), "string_too_long"),
], ids=["extra-key", "100k"])
def test_bad_parameters_are_422_over_http(server: Server, parameters: str, kind: str) -> None:
    response = server.client(TENANT_A[1]).post(
        "/processing/ocr?wait_for=0", files={"file": ("a.pdf", tiny_pdf(1))},
        data={"parameters": parameters})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [(d["loc"], d["type"]) for d in detail] == [(["body", "parameters"], kind)]


def test_the_record_cache_keeps_no_client_parameters(tmp_path: Path) -> None:
    # a record written before parameters were bounded (or by another tool)
    store = FileStore(tmp_path)
    record = store.create("acme", "ocr", parameters={"language": "de", "x": "y" * 100_000})
    store.succeed(record.processing_id, pages=[(10, 10)], results=["ocr"])

    async def load() -> None:
        records = Records(store, RecordWatcher(store.directory))
        loaded = await records.get(record.processing_id)
        assert loaded is not None and loaded.done
        cached = records.final(record.processing_id)
        assert cached is not None
        assert cached.parameters == {}
        assert cached.pages == [(10, 10)]

    asyncio.run(load())
