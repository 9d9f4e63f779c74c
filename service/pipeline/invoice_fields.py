"""The invoice fields as the API publishes them: one tree, read by the NER type names and
by folio's OpenAPI Invoice schema, so the two never disagree with each other.

A leaf names the type of its Extraction's `value`; a dict is an object of fields; a
one-element list is a list of that element.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeAlias

Field: TypeAlias = "str | dict[str, Field] | list[Field]"

STRING = "string"
DATE = "date"  # ISO 8601 date, YYYY-MM-DD
NUMBER = "number"
CURRENCY = "currency"  # ISO 4217 code
COUNTRY = "country"  # ISO 3166-1 alpha-2
PAYMENT_METHOD = "payment_method"

PAYMENT_METHODS = ("money_transfer", "bank_collection", "cash", "card", "debit", "amazon",
                   "paypal", "credit_card", "prepayment", "multiple_options", "other")

PERIOD: Field = {"start_date": DATE, "end_date": DATE}
ADDRESS: Field = {"address_line_1": STRING, "address_line_2": STRING, "city": STRING,
                  "zip": STRING, "country": COUNTRY}
BANK: Field = [{"iban": STRING, "bic": STRING}]

LINE_ITEM: Field = {
    "pos_id": STRING, "article_id": STRING, "ean": STRING, "description": STRING,
    "quantity": NUMBER, "unit_of_measure": STRING, "service_period": PERIOD,
    "discount": NUMBER, "additional_cost": NUMBER, "tax_rate": NUMBER, "tax_code": STRING,
    "unit_price": NUMBER, "total_price": NUMBER, "order_number": STRING,
    "order_confirmation_number": STRING, "delivery_note_number": STRING,
}
VENDOR: Field = {
    "name": STRING, "address": STRING, "address_struct": ADDRESS, "vat_id": STRING,
    "tax_number": STRING, "eori_number": STRING, "register_id": STRING,
    "banking_information": BANK, "phone": STRING, "fax": STRING, "url": STRING,
    "e_mail": STRING,
}
CUSTOMER: Field = {
    "name": STRING, "address": STRING, "address_struct": ADDRESS, "vat_id": STRING,
    "tax_number": STRING, "eori_number": STRING, "customer_number": STRING,
    "banking_information": BANK,
}
INVOICE: dict[str, Field] = {
    "number": STRING, "date": DATE, "due_date": DATE, "service_period": PERIOD,
    "currency": CURRENCY, "net_amount": NUMBER, "tax_amount": NUMBER,
    "additional_cost": NUMBER, "gross_amount": NUMBER, "due_payable_amount": NUMBER,
    "discount_amount": NUMBER, "number_of_line_items": NUMBER, "payment_reference": STRING,
    "order_numbers": [STRING], "order_confirmation_numbers": [STRING],
    "delivery_note_numbers": [STRING], "barcodes": [STRING],
    "key_value_pairs": [{"key": STRING, "value": STRING}],
    "payment_methods": [PAYMENT_METHOD],
    "tax_calculation": [{"tax_code": STRING, "tax_rate": NUMBER, "tax_amount": NUMBER,
                         "net_amount": NUMBER, "gross_amount": NUMBER}],
    "early_payment_benefit": [{"early_payment_date": DATE, "discount_percentage": NUMBER,
                               "discount_amount": NUMBER, "new_amount": NUMBER}],
    "vendor": VENDOR, "customer": CUSTOMER, "line_item": [LINE_ITEM],
}

# A NER type is the field's path in capitals. Alone, "number" and "date" say nothing, and a
# list's name is plural while each of its entries is one thing: those read better renamed.
TOP_LEVEL_NAMES = {"number": "INVOICE_NUMBER", "date": "INVOICE_DATE"}
SEGMENT_NAMES = {
    "order_numbers": "ORDER_NUMBER", "order_confirmation_numbers": "ORDER_CONFIRMATION_NUMBER",
    "delivery_note_numbers": "DELIVERY_NOTE_NUMBER", "barcodes": "BARCODE",
    "key_value_pairs": "KEY_VALUE", "payment_methods": "PAYMENT_METHOD",
    "address_struct": "ADDRESS", "banking_information": "BANK",
    "early_payment_benefit": "EARLY_PAYMENT",
}


def type_name(path: tuple[str, ...]) -> str:
    """The NER type of the field at `path` (list indices left out): vendor.name → VENDOR_NAME."""
    if len(path) == 1 and path[0] in TOP_LEVEL_NAMES:
        return TOP_LEVEL_NAMES[path[0]]
    names: list[str] = []
    for segment in path:
        name = SEGMENT_NAMES.get(segment, segment.upper())
        if names and name.startswith(names[-1] + "_"):
            names.pop()  # customer.customer_number → CUSTOMER_NUMBER, not CUSTOMER_CUSTOMER_...
        names.append(name)
    return "_".join(names)


def leaf_paths(tree: dict[str, Field] = INVOICE,
               prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every leaf's path and value type, in the order of the published schema."""
    for name, field in tree.items():
        yield from _leaves(field, (*prefix, name))


def _leaves(field: Field, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(field, str):
        yield path, field
    elif isinstance(field, list):
        yield from _leaves(field[0], path)
    else:
        yield from leaf_paths(field, path)


VOID = "VOID"
TYPE_NAMES: tuple[str, ...] = (*dict.fromkeys(type_name(p) for p, _ in leaf_paths()), VOID)
