"""Two readings of a page merged word by word."""

from __future__ import annotations

from service.pipeline.wordmerge import merge
from service.pipeline.words import PageText, Word


def word(text: str, x: int, y: int, entropy: float, line: int) -> Word:
    return Word(text, x, y, x + 10 * len(text), y + 20, entropy, line)


def test_the_more_confident_of_the_same_word_is_kept() -> None:
    first = PageText(1000, 1000, [word("Rechnunq", 10, 10, 0.5, 0), word("42", 120, 10, 0.1, 0)])
    second = PageText(1000, 1000, [word("Rechnung", 12, 11, 0.05, 0), word("47", 120, 10, 0.3, 0)])
    merged = merge(first, second, 0.6)
    assert [w.text for w in merged.words] == ["Rechnung", "42"]


def test_a_confident_word_only_the_second_reading_saw_joins_its_line() -> None:
    first = PageText(1000, 1000, [word("Nettobetrag", 10, 10, 0.1, 0), word("EUR", 300, 10, 0.1, 0),
                                  word("Gesamt", 10, 100, 0.1, 1)])
    second = PageText(1000, 1000, [word("120,00", 150, 12, 0.1, 0), word("xx", 600, 500, 0.9, 1),
                                   word("Seite", 10, 900, 0.2, 2)])
    merged = merge(first, second, 0.6)
    assert merged.fulltext() == "Nettobetrag 120,00 EUR\nGesamt\nSeite"
    assert [w.line for w in merged.words] == [0, 0, 0, 1, 2]


def test_a_new_line_goes_in_order_of_height() -> None:
    first = PageText(1000, 1000, [word("oben", 10, 10, 0.1, 0), word("unten", 10, 500, 0.1, 1)])
    second = PageText(1000, 1000, [word("Mitte", 10, 250, 0.1, 0)])
    assert merge(first, second, 0.6).fulltext() == "oben\nMitte\nunten"


def test_a_word_read_whole_and_sure_replaces_its_unsure_pieces() -> None:
    first = PageText(1000, 1000, [word("0,", 10, 10, 1.0, 0), word("0520", 32, 10, 1.0, 0),
                                  word("kWh", 200, 10, 0.1, 0)])
    second = PageText(1000, 1000, [word("0,0520", 10, 10, 0.08, 0), word("kVVh", 200, 10, 0.4, 0)])
    assert merge(first, second, 0.6).fulltext() == "0,0520 kWh"


def test_sure_pieces_do_not_replace_a_surer_whole_word() -> None:
    first = PageText(1000, 1000, [word("Liefer-und", 10, 10, 0.05, 0)])
    second = PageText(1000, 1000, [word("Liefer-", 10, 10, 0.08, 0), word("und", 80, 10, 0.07, 0)])
    assert merge(first, second, 0.6).fulltext() == "Liefer-und"
