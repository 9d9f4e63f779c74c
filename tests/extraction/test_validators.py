import datetime as dt

import pytest

from service.pipeline.invoice.amounts import normalize_currency, parse_amount
from service.pipeline.invoice.dates import parse_date
from service.pipeline.invoice.validators import normalize_bic, normalize_iban, normalize_vat_id


def test_iban_valid_with_spaces() -> None:
    assert normalize_iban("DE89 3704 0044 0532 0130 00") == "DE89370400440532013000"


def test_iban_one_digit_changed_is_invalid() -> None:
    assert normalize_iban("DE89370400440532013001") is None


def test_iban_wrong_length_for_country() -> None:
    assert normalize_iban("DE8937040044053201300") is None


def test_iban_uk() -> None:
    assert normalize_iban("GB29 NWBK 6016 1331 9268 19") == "GB29NWBK60161331926819"


def test_bic_shapes() -> None:
    assert normalize_bic("COBADEFFXXX") == "COBADEFFXXX"
    assert normalize_bic("DEUTDEDB") == "DEUTDEDB"
    assert normalize_bic("RECHNUNG") is None
    assert normalize_bic("COBA1EFF") is None


def test_vat_ids() -> None:
    assert normalize_vat_id("DE 123 456 789") == "DE123456789"
    assert normalize_vat_id("ATU12345678") == "ATU12345678"
    assert normalize_vat_id("NL123456789B01") == "NL123456789B01"
    assert normalize_vat_id("DE12345678") is None
    assert normalize_vat_id("XX123456789") is None


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        pytest.param("2024-03-12", "de", dt.date(2024, 3, 12), id="iso"),
        pytest.param("12.03.2024", "de", dt.date(2024, 3, 12), id="german-dots"),
        pytest.param("12.03.24", "de", dt.date(2024, 3, 12), id="german-short-year"),
        pytest.param("12/03/2024", "de", dt.date(2024, 3, 12), id="slashes-day-first"),
        pytest.param("03/12/2024", "en", dt.date(2024, 3, 12), id="us-month-first"),
        pytest.param("25/03/2024", "en", dt.date(2024, 3, 25), id="en-day-over-12"),
        pytest.param("12. März 2024", "de", dt.date(2024, 3, 12), id="german-month-name"),
        pytest.param("March 12, 2024", "en", dt.date(2024, 3, 12), id="english-month-first"),
        pytest.param("12 Mar 2024", "en", dt.date(2024, 3, 12), id="abbreviated-month"),
    ],
)
def test_parse_date(text: str, language: str, expected: dt.date) -> None:
    assert parse_date(text, language) == expected


def test_parse_date_rejects_impossible_day() -> None:
    assert parse_date("31.02.2024") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("1.234,56", 1234.56, id="german"),
        pytest.param("1,234.56", 1234.56, id="english"),
        pytest.param("-12,00 €", -12.0, id="negative-euro"),
        pytest.param("EUR 1 234,56", 1234.56, id="space-thousands"),
        pytest.param("0,5", 0.5, id="decimal-comma"),
        pytest.param("1.234", 1234.0, id="thousands-only"),
    ],
)
def test_parse_amount(text: str, expected: float) -> None:
    assert parse_amount(text) == expected


def test_parse_amount_rejects_garbage() -> None:
    assert parse_amount("1.2.3") is None
    assert parse_amount("abc") is None


def test_currencies() -> None:
    assert normalize_currency("€") == "EUR"
    assert normalize_currency("£") == "GBP"
    assert normalize_currency("usd") == "USD"
    assert normalize_currency("Fr.") == "CHF"
    assert normalize_currency("XYZ") is None
