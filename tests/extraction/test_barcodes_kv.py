"""Barcodes read on the rendered page, a payment code filling and checking fields, and
printed 'Label: value' pairs no field took: on PDFs drawn here, rendered as the pipeline
renders them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import pyvips
import zxingcpp

from benchmarks.invoices.convert import pdf_to_pages
from benchmarks.invoices.pdfcanvas import Canvas
from service.config import Settings
from service.pipeline.document import Document
from service.pipeline.invoice.barcodes import read_barcodes
from service.pipeline.invoice.einvoice import invoice_extraction
from service.pipeline.invoice.paycodes import payment_code
from service.pipeline.rasterize import rasterize
from service.pipeline.steps import invoice_fields
from tests.conftest import TENANT_A
from tests.helpers import Server

IBAN = "DE02120300000000202051"
EPC = f"BCD\n002\n1\nSCT\nBYLADEM1001\nACME Software GmbH\n{IBAN}\nEUR1190.00\n\n\nRE-2024-0815\n"
EAN = "4006381333931"


def _draw(canvas: Canvas, content: str, kind: zxingcpp.BarcodeFormat, x: float, y: float,
          module: float, bar_height: float | None = None) -> None:
    """The code's modules as black boxes (vector, as an invoice PDF draws them)."""
    bits = memoryview(zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(content, kind)))
    rows, cols = bits.shape
    if bar_height is not None:  # a 1D code: one row of bars, drawn tall
        rows = 1
    for r in range(rows):
        c = 0
        while c < cols:
            if bits[r, c] < 128:
                start = c
                while c < cols and bits[r, c] < 128:
                    c += 1
                canvas.rect(x + start * module, y + r * module, (c - start) * module,
                            bar_height or module, fill=0)
            else:
                c += 1


def _invoice(amount: str | None, codes: bool = True) -> bytes:
    canvas = Canvas()
    lines = [
        "ACME Software GmbH, Hauptstr. 1, 10115 Berlin",
        "Musterkunde AG, Kundenweg 5, 80331 München",
        "Rechnung",
        "Rechnungsnummer: RE-2024-0815",
        "Rechnungsdatum: 14.03.2024",
        "Projekt: Alpha",
        "Kostenstelle: 4711",
        "Ansprechpartner: Frau Weber",
        "Vertrag: V-17, Art der Leistung: Wartung",
    ]
    if amount is not None:
        lines.append(f"Zu zahlen: {amount} EUR")
    for i, text in enumerate(lines):
        canvas.text(60, 80 + 22 * i, text, size=10)
    if codes:
        _draw(canvas, EPC, zxingcpp.BarcodeFormat.QRCode, 420, 600, 2.0)
        _draw(canvas, EAN, zxingcpp.BarcodeFormat.EAN13, 60, 600, 1.2, bar_height=50)
        canvas.text(75, 664, EAN, size=9)
    return canvas.to_pdf()


def _extract(tmp_path: Path, pdf: bytes) -> dict[str, Any]:
    source = tmp_path / "invoice.pdf"
    source.write_bytes(pdf)
    rasterize(source, "pdf", tmp_path / "pages", dpi=220, indices=[0])
    return invoice_extraction(pdf_to_pages(pdf), "de", tmp_path,
                              [tmp_path / "pages" / "1.jpg"])


def _value(node: Any) -> Any:
    return node["value"] if node else None


def test_barcodes_are_listed_and_the_epc_code_fills_iban_and_amount(tmp_path: Path) -> None:
    result = _extract(tmp_path, _invoice(amount=None))
    codes = {code["value"]: code for code in result["barcodes"]}
    assert set(codes) == {EPC.strip(), EAN}
    assert "EAN13 on page 1" in codes[EAN]["note"]
    assert codes[EAN]["bbox_refs"]  # the digits printed under the bars
    accounts = result["vendor"]["banking_information"]
    assert [_value(a["iban"]) for a in accounts] == [IBAN]
    assert _value(accounts[0]["bic"]) == "BYLADEM1001"
    assert "EPC QR code" in accounts[0]["iban"]["note"]
    assert _value(result["due_payable_amount"]) == 1190.00
    assert not result["due_payable_amount"]["validation_problem"]
    assert _value(result["payment_reference"]) == "RE-2024-0815"


def test_a_printed_amount_the_code_contradicts_is_kept_and_marked(tmp_path: Path) -> None:
    result = _extract(tmp_path, _invoice(amount="1.100,00"))
    due = result["due_payable_amount"]
    assert due["value"] == 1100.00
    assert due["validation_problem"]
    assert "EPC QR code says 1190.0" in due["note"]


def test_key_value_pairs_leave_out_what_fields_took(tmp_path: Path) -> None:
    pdf = _invoice(amount=None, codes=False)
    result = _extract(tmp_path, pdf)
    pairs = {(_value(p["key"]), _value(p["value"])) for p in result["key_value_pairs"]}
    assert ("Projekt", "Alpha") in pairs
    assert ("Kostenstelle", "4711") in pairs
    assert ("Ansprechpartner", "Frau Weber") in pairs
    assert {("Vertrag", "V-17"), ("Art der Leistung", "Wartung")} <= pairs
    assert not any(key.startswith("Rechnungs") for key, _ in pairs)
    assert result["barcodes"] == []
    pair = next(p for p in result["key_value_pairs"] if _value(p["key"]) == "Projekt")
    word = pdf_to_pages(pdf)[0].words[pair["value"]["bbox_refs"][0]["bbox_id"] - 1]
    assert word.text == "Alpha"


def test_swiss_qr_bill_payload() -> None:
    payload = "\n".join([
        "SPC", "0200", "1", "CH4431999123000889012", "S", "Robert Schneider AG",
        "Rue du Lac", "1268", "2501", "Biel", "CH", "", "", "", "", "", "", "",
        "1949.75", "CHF", "S", "Pia-Maria Rutschmann-Schnyder", "Grosse Marktgasse", "28",
        "9400", "Rorschach", "CH", "QRR", "210000000003139471430009017", "Auftrag", "EPD"])
    code = payment_code(payload)
    assert code is not None
    assert (code.iban, code.name, code.amount, code.currency, code.reference) == (
        "CH4431999123000889012", "Robert Schneider AG", 1949.75, "CHF",
        "210000000003139471430009017")
    assert payment_code(payload.replace("CH4431999123000889012", "CH4431999123000889013")) is None


def test_barcodes_through_the_api(server: Server) -> None:
    response = server.client(TENANT_A[1]).post(
        "/processing/invoice_extraction?wait_for=120",
        files={"file": ("invoice.pdf", _invoice(amount=None))})
    assert response.status_code == 201, response.text
    extraction = response.json()["extractions"]
    assert {code["value"] for code in extraction["barcodes"]} == {EPC.strip(), EAN}
    assert extraction["due_payable_amount"]["value"] == 1190.00


def test_the_settings_turn_barcode_reading_off_and_limit_its_pages(tmp_path: Path) -> None:
    assert Settings.from_env({}).barcodes
    assert not Settings.from_env({"FOLIO_BARCODES": "false"}).barcodes
    assert Settings.from_env({"FOLIO_BARCODE_PAGES": "2"}).barcode_pages == 2
    pdf = _invoice(amount=None)
    source = tmp_path / "invoice.pdf"
    source.write_bytes(pdf)
    rasterize(source, "pdf", tmp_path / "pages", dpi=220, indices=[0])
    page = tmp_path / "pages" / "1.jpg"
    doc = Document(source=source, kind="pdf", dpi=220, pages=(page,),
                   sizes=((1819, 2573),), texts=tuple(pdf_to_pages(pdf)), language="de",
                   scratch=tmp_path, barcode_pages=0)
    off = orjson.loads(invoice_fields(doc)["extractions.json"])  # type: ignore[arg-type]
    assert off["barcodes"] == [] and off["vendor"]["banking_information"] == []
    on = orjson.loads(invoice_fields(replace(doc, barcode_pages=4))["extractions.json"])  # type: ignore[arg-type]
    assert len(on["barcodes"]) == 2
    # six pages, the codes on the second: two pages searched are the first and the last,
    # three the first two and the last
    blank = tmp_path / "blank.jpg"
    pyvips.Image.black(200, 200).invert().jpegsave(str(blank))
    pages = [blank, page, blank, blank, blank, blank]
    assert read_barcodes(pages, 2) == []
    assert len(read_barcodes(pages, 3)) == 2
