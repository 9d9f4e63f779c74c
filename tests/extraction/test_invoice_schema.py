"""The extraction's schema completion follows the one published field tree (invoice_fields)."""

from __future__ import annotations

from typing import Any

from service.pipeline.invoice.schema import ENTRY_FIELDS, complete
from service.pipeline.invoice_fields import INVOICE


def _keys(tree: Any) -> set[str]:
    return set(tree) if isinstance(tree, dict) else set()


def test_an_empty_result_has_every_published_field() -> None:
    result = complete({})
    assert set(result) == set(INVOICE)
    for party in ("vendor", "customer"):
        assert set(result[party]) == _keys(INVOICE[party])
        assert result[party]["banking_information"] == []
    for name, field in INVOICE.items():
        if isinstance(field, list):
            assert result[name] == []
        elif name not in ("vendor", "customer"):
            assert result[name] is None


def test_list_entries_get_every_published_field() -> None:
    for name, field in INVOICE.items():
        if isinstance(field, list) and isinstance(field[0], dict):
            assert ENTRY_FIELDS[name] == tuple(field[0])
            entry = complete({name: [{}]})[name][0]
            assert set(entry) == set(field[0])
    bank = complete({"vendor": {"banking_information": [{}]}})["vendor"]["banking_information"]
    assert set(bank[0]) == {"iban", "bic"}
