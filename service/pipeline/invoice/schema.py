"""The API's Invoice schema: every field, so that absent ones are null or [] in the output."""

from __future__ import annotations

from typing import Any

TOP = (
    "number", "date", "due_date", "service_period", "currency", "net_amount", "tax_amount",
    "additional_cost", "gross_amount", "due_payable_amount", "discount_amount",
    "number_of_line_items", "payment_reference",
)  # fmt: skip
TOP_LISTS = (
    "order_numbers", "order_confirmation_numbers", "delivery_note_numbers", "barcodes",
    "key_value_pairs", "payment_methods", "tax_calculation", "early_payment_benefit",
    "line_item",
)  # fmt: skip
PARTY = (
    "name", "address", "address_struct", "vat_id", "tax_number", "eori_number",
)  # fmt: skip
VENDOR = (*PARTY, "register_id", "phone", "fax", "url", "e_mail")
CUSTOMER = (*PARTY, "customer_number")
ENTRY_FIELDS: dict[str, tuple[str, ...]] = {
    "tax_calculation": ("tax_code", "tax_rate", "tax_amount", "net_amount", "gross_amount"),
    "early_payment_benefit": (
        "early_payment_date", "discount_percentage", "discount_amount", "new_amount",
    ),
    "line_item": (
        "pos_id", "article_id", "ean", "description", "quantity", "unit_of_measure",
        "service_period", "discount", "additional_cost", "tax_rate", "tax_code", "unit_price",
        "total_price", "order_number", "order_confirmation_number", "delivery_note_number",
    ),
    "banking_information": ("iban", "bic"),
    "key_value_pairs": ("key", "value"),
}  # fmt: skip


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
