"""Amounts and dates as invoices of many countries print them."""

from __future__ import annotations

import datetime as dt

import pytest

from service.pipeline.invoice.amounts import parse_amount, parse_number
from service.pipeline.invoice.dates import parse_date

AMOUNTS = [
    ("1,234.56", 1234.56), ("1.234,56", 1234.56), ("1 234,56", 1234.56),
    ("1\u202f234,56", 1234.56), ("1'234.56", 1234.56), ("1\u2019234.56", 1234.56),
    ("1,23,456.78", 123456.78), ("\u0661\u066c\u0662\u0663\u0664\u066b\u0665\u0666", 1234.56),
    ("\u20b9 1,23,456.00", 123456.0), ("SAR 1,150.00", 1150.0), ("-12,00 €", -12.0),
]


@pytest.mark.parametrize(("text", "value"), AMOUNTS, ids=[t for t, _ in AMOUNTS])
def test_amount_formats(text: str, value: float) -> None:
    assert parse_amount(text) == value


def test_indian_grouping_needs_three_last_digits() -> None:
    assert parse_amount("1,23,45.00") is None


def test_unit_price_with_four_decimals() -> None:
    assert parse_number("3,3333", decimal_comma=True) == 3.3333


def test_three_decimals_follow_the_documents_decimal_mark() -> None:
    assert parse_number("5,500", decimal_comma=True) == 5.5
    assert parse_number("5,500", decimal_comma=False) == 5500.0


DATES = [
    ("15 de marzo de 2024", "2024-03-15"), ("3 giugno 2023", "2023-06-03"),
    ("12 januari 2024", "2024-01-12"), ("1er février 2023", "2023-02-01"),
    ("March 5th, 2024", "2024-03-05"), ("7 ottobre 2022", "2022-10-07"),
    ("\u0661\u0665/\u0660\u0663/\u0662\u0660\u0662\u0664", "2024-03-15"),
]


@pytest.mark.parametrize(("text", "iso"), DATES, ids=[t for t, _ in DATES])
def test_dates_with_month_names_and_arabic_indic_digits(text: str, iso: str) -> None:
    assert parse_date(text) == dt.date.fromisoformat(iso)
