"""The API's Invoice schema: every field, so that absent ones are null or [] in the output.

The field list itself lives in service.pipeline.invoice_fields (INVOICE), the one tree the
OpenAPI schema and the NER type names are read from too; the tuples here are views of it.
"""

from __future__ import annotations

from typing import Any

from service.pipeline.invoice_fields import INVOICE, Field

PARTIES = ("vendor", "customer")
# a list of objects or of plain values becomes [] when absent; anything else null
TOP = tuple(k for k, v in INVOICE.items() if k not in PARTIES and not isinstance(v, list))
TOP_LISTS = tuple(k for k, v in INVOICE.items() if k not in PARTIES and isinstance(v, list))


def _fields(tree: Field) -> dict[str, Field]:
    assert isinstance(tree, dict)
    return tree


def _party(name: str) -> tuple[str, ...]:
    """A party's fields apart from its banking_information list."""
    return tuple(k for k, v in _fields(INVOICE[name]).items() if not isinstance(v, list))


VENDOR = _party("vendor")
CUSTOMER = _party("customer")


def _entry_fields() -> dict[str, tuple[str, ...]]:
    """The fields of each list whose entries are objects: tax_calculation, line_item, ..."""
    lists = {k: v for k, v in INVOICE.items() if isinstance(v, list)}
    for party in PARTIES:
        lists.update((k, v) for k, v in _fields(INVOICE[party]).items() if isinstance(v, list))
    return {k: tuple(v[0]) for k, v in lists.items() if isinstance(v[0], dict)}


ENTRY_FIELDS: dict[str, tuple[str, ...]] = _entry_fields()


def complete(result: dict[str, Any]) -> dict[str, Any]:
    """result with every schema field present: missing values null, missing lists []."""
    for key in TOP:
        result.setdefault(key, None)
    for key in TOP_LISTS:
        result[key] = _entries(key, result.get(key) or [])
    for party, fields in (("vendor", VENDOR), ("customer", CUSTOMER)):
        node = result.get(party) or {}
        for key in fields:
            node.setdefault(key, None)
        node["banking_information"] = _entries("banking_information",
                                               node.get("banking_information") or [])
        result[party] = node
    return result


def _entries(key: str, items: list[Any]) -> list[Any]:
    fields = ENTRY_FIELDS.get(key)
    if fields is None:
        return items
    for item in items:
        if isinstance(item, dict):
            for name in fields:
                item.setdefault(name, None)
    return items
