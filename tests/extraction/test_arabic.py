"""Bilingual Arabic/English invoices: a scanned page read with Arabic where it has
some (real tesseract, ocr_script), a German page still read without; a text layer
of Arabic presentation forms in visual order; Arabic labels; Saudi VAT numbers."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path
from typing import Any

import pikepdf
import pytest
import pyvips

from benchmarks.invoices.pdfcanvas import PAGE_H, Canvas
from service.config import ConfigError, Settings
from service.pipeline.arabic_text import logical
from service.pipeline.invoice.extract import extract_invoice
from service.pipeline.invoice.validators import saudi_vat_number
from service.pipeline.ocr_script import DEFAULT_MIN_WORDS
from service.pipeline.tesseract import read_page
from service.pipeline.textlayer import pdf_text_layer

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
ARABIC = re.compile("[\u0600-\u06ff]")
DPI = 300

BILINGUAL = """ACME Trading Co.                          شركة أكمي للتجارة
King Fahd Road, Riyadh, Saudi Arabia
VAT Number: 310122393500003               الرقم الضريبي

Tax Invoice                               فاتورة ضريبية
Invoice Number: INV-2024-0117             رقم الفاتورة
Issue Date: 15/03/2024                    تاريخ الإصدار

Description             Qty     Price       Total
Consulting services      2     500.00    1,000.00

Total excl. VAT: 1,000.00 SAR             الإجمالي غير شامل الضريبة
VAT 15%: 150.00 SAR                       ضريبة القيمة المضافة
Total incl. VAT: 1,150.00 SAR             الإجمالي شامل الضريبة"""

GERMAN = """Muster GmbH, Hauptstraße 5, 10115 Berlin
Rechnung Nr. 2024-0042 vom 12.03.2024
Leistung: Beratung und Umsetzung im März
Nettobetrag 1.000,00 EUR
zzgl. 19 % Umsatzsteuer 190,00 EUR
Gesamtbetrag 1.190,00 EUR
Zahlbar innerhalb von 14 Tagen ohne Abzug."""


def _page(text: str) -> pyvips.Image:
    if not FONT.exists():
        pytest.skip("DejaVu Sans (fonts-dejavu-core, installed by scripts/run test) is missing")
    ink = pyvips.Image.text(f'<span font="DejaVu Sans 11">{text}</span>', dpi=DPI,
                            fontfile=str(FONT))
    page = (255 - ink).cast("uchar").embed(120, 120, ink.width + 240, ink.height + 240,
                                           extend="white")
    return page.copy(interpretation="b-w", xres=DPI / 25.4, yres=DPI / 25.4)


def _value(result: dict[str, Any], *path: str) -> Any:
    node: Any = result
    for part in path:
        node = (node or {}).get(part)
    return (node or {}).get("value")


def test_a_bilingual_scan_is_read_with_arabic_and_its_fields_extracted() -> None:
    reading = read_page(_page(BILINGUAL), "en", dpi=DPI)
    assert "ara" in reading.languages.split("+")
    words = [w.text for w in reading.text.words]
    arabic = [w for w in words if ARABIC.search(w)]
    assert {"الفاتورة", "الضريبي"} <= set(arabic)
    assert not any("\u200e" in w or "\u200f" in w for w in words)  # no bidi marks
    assert "Invoice" in words and "310122393500003" in words  # the Latin half as before
    result = extract_invoice([reading.text], "en")
    assert _value(result, "number") == "INV-2024-0117"
    assert _value(result, "date") == "2024-03-15"
    assert _value(result, "currency") == "SAR"
    assert _value(result, "net_amount") == 1000.0
    assert _value(result, "tax_amount") == 150.0
    assert _value(result, "gross_amount") == 1150.0
    assert _value(result, "vendor", "vat_id") == "310122393500003"


def test_a_german_scan_is_read_without_arabic() -> None:
    reading = read_page(_page(GERMAN), "de", dpi=DPI)
    assert reading.languages == "deu+eng"
    assert len(reading.read) == 1
    assert not any(ARABIC.search(w.text) for w in reading.text.words)
    assert "Umsatzsteuer" in [w.text for w in reading.text.words]


# --- a text layer of Arabic presentation forms, drawn left to right as producers do ---

_RIGHT_JOINING = set("اأإآدذرزوؤة")


def _shaped(word: str) -> str:
    """The word's letters as presentation forms (initial, medial, final, isolated)."""
    out = []
    for k, ch in enumerate(word):
        joins_before = k > 0 and word[k - 1] not in _RIGHT_JOINING
        joins_after = k + 1 < len(word) and ch not in _RIGHT_JOINING
        form = {(False, False): "ISOLATED", (False, True): "INITIAL", (True, True): "MEDIAL",
                (True, False): "FINAL"}[(joins_before, joins_after)]
        name = unicodedata.name(ch)
        try:
            out.append(unicodedata.lookup(f"{name} {form} FORM"))
        except KeyError:
            out.append(unicodedata.lookup(f"{name} {'FINAL' if joins_before else 'ISOLATED'} FORM"))
    return "".join(out)


def _arabic_pdf(pdf: bytes, runs: list[tuple[float, float, str]]) -> bytes:
    """`pdf` with Arabic phrases (x, y, logical text) drawn in visual order: each word's
    presentation forms right to left, the phrase's first word rightmost; a simple font
    whose ToUnicode maps one byte a glyph to its presentation form."""
    forms: dict[str, int] = {}
    ops = []
    size, advance = 10.0, 6.0
    for x, y, phrase in runs:
        cursor = x
        for word in reversed(phrase.split()):
            visual = _shaped(word)[::-1]
            codes = bytes(forms.setdefault(ch, 0x21 + len(forms)) for ch in visual)
            ops.append(b"BT /F9 %.1f Tf %.2f %.2f Td <%s> Tj ET"
                       % (size, cursor, PAGE_H - y, codes.hex().encode()))
            cursor += advance * len(visual) + 4
    cmap = "\n".join(f"<{code:02x}> <{ord(ch):04x}>" for ch, code in forms.items())
    tounicode = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
                 "/CMapName /Arabic def 1 begincodespacerange <00> <ff> endcodespacerange\n"
                 f"{len(forms)} beginbfchar\n{cmap}\nendbfchar\nendcmap\n"
                 "CMapName currentdict /CMap defineresource pop end end")
    doc = pikepdf.open(io.BytesIO(pdf))
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                              BaseFont=pikepdf.Name.Helvetica, FirstChar=0x21,
                              LastChar=0x21 + len(forms) - 1,
                              Widths=[int(advance * 100)] * len(forms),
                              ToUnicode=doc.make_stream(tounicode.encode()))
    page = doc.pages[0]
    page.obj.Resources.Font.F9 = doc.make_indirect(font)
    page.obj.Contents = doc.make_stream(page.obj.Contents.read_bytes() + b"\n"
                                        + b"\n".join(ops))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_a_text_layer_of_presentation_forms_reads_arabic_labels(tmp_path: Path) -> None:
    c = Canvas()
    c.text(60, 60, "Gulf Supplies Co.", size=14, bold=True)
    c.text(60, 76, "Riyadh, Saudi Arabia", size=9)
    c.text(300, 120, "310122393500003", size=10)
    c.text(300, 140, "INV-7781", size=10)  # PDFium lists it '-7781' 'INV' (textlayer._rejoin)
    c.text(300, 160, "2024-03-15", size=10)
    c.text(300, 200, "2,000.00", size=10)
    c.text(300, 220, "300.00", size=10)
    c.text(300, 240, "2,300.00 SAR", size=10)
    pdf = _arabic_pdf(c.to_pdf(), [
        (420, 120, "الرقم الضريبي"), (420, 140, "رقم الفاتورة"), (420, 160, "تاريخ الإصدار"),
        (420, 200, "المبلغ الخاضع للضريبة"), (420, 220, "ضريبة القيمة المضافة"),
        (420, 240, "الإجمالي شامل ضريبة القيمة المضافة"),
    ])
    path = tmp_path / "arabic.pdf"
    path.write_bytes(pdf)
    page = pdf_text_layer(path, 0, 1240, 1754)  # folio's own text-layer reading
    assert page is not None
    pages = [page]
    words = [w.text for w in page.words]
    assert "الفاتورة" in words and "الضريبي" in words  # logical order, base letters
    assert not any("\ufb50" <= ch <= "\ufeff" for w in words for ch in w)
    result = extract_invoice(pages, "en")
    assert _value(result, "number") == "INV-7781"
    assert _value(result, "date") == "2024-03-15"
    assert _value(result, "net_amount") == 2000.0
    assert _value(result, "tax_amount") == 300.0
    assert _value(result, "gross_amount") == 2300.0
    assert _value(result, "vendor", "vat_id") == "310122393500003"


def test_arabic_words_in_visual_order_become_logical() -> None:
    assert logical(_shaped("الفاتورة")[::-1]) == "الفاتورة"
    assert logical("\ufefb") == "لا"  # the lam-alef ligature
    assert logical("١٢٣\ufead") == "ر١٢٣"  # digits keep their own order
    assert logical("Rechnung") == "Rechnung"


@pytest.mark.parametrize(("text", "label", "want"), [
    ("310122393500003", "VAT Number:", "310122393500003"),
    ("310122393500003", "الرقم الضريبي", "310122393500003"),
    ("310122393500003", "Phone", None),  # no VAT label
    ("310122393500004", "VAT No.", None),  # does not end with 3
    ("31012239350003", "VAT No.", None),  # 14 digits
])
def test_saudi_vat_numbers(text: str, label: str, want: str | None) -> None:
    assert saudi_vat_number(text, label) == want


def test_the_script_check_setting() -> None:
    assert Settings.from_env({}).ocr_script_check == DEFAULT_MIN_WORDS == 16
    assert Settings.from_env({"FOLIO_OCR_SCRIPT_CHECK": "0"}).ocr_script_check == 0
    with pytest.raises(ConfigError, match="FOLIO_OCR_SCRIPT_CHECK must not be negative"):
        Settings.from_env({"FOLIO_OCR_SCRIPT_CHECK": "-1"})
