"""Payment methods: the API's enumeration, from UNTDID 4461 codes and from printed words."""

from __future__ import annotations

# The only values the API publishes (multiple_options is deprecated and never produced).
METHODS = (
    "money_transfer",
    "bank_collection",
    "cash",
    "card",
    "debit",
    "amazon",
    "paypal",
    "credit_card",
    "prepayment",
    "other",
)

# UNTDID 4461 payment means codes as EN 16931 uses them.
_CODES: dict[str, str] = {
    "10": "cash",
    "30": "money_transfer",
    "31": "money_transfer",
    "42": "money_transfer",
    "58": "money_transfer",
    "48": "card",
    "54": "credit_card",
    "55": "debit",
    "49": "bank_collection",
    "59": "bank_collection",
}


def payment_method(code: str | None) -> str | None:
    """The API's method for a payment means code; unknown codes are 'other'."""
    if code is None:
        return None
    return _CODES.get(code.strip(), "other")
