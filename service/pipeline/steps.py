"""The output steps: each reads the Document and returns artifacts.

A workflow is the shared steps (detect → rasterize → text) followed by an
ordered list of these; reading a workflow's list tells what it produces.
"""

from __future__ import annotations

import orjson

from service.artifacts.catalogue import file_of, sub_pdf_file
from service.pipeline.document import Artifacts, Document
from service.pipeline.hocr import hocr
from service.pipeline.ocrjson import ocr_json
from service.pipeline.page_outputs import document_outputs
from service.pipeline.searchable_pdf import merge_pdfs, searchable_pdf
from service.pipeline.subpdf import sub_pdf_from_images, sub_pdf_from_pdf


def ocr_outputs(doc: Document) -> Artifacts:
    if doc.page_outputs:  # made run by run alongside rendering: only joined here
        ocr, hocr_doc = document_outputs(doc.page_outputs)
        return {file_of("ocr"): ocr, file_of("hocr"): hocr_doc}
    return {file_of("ocr"): ocr_json(doc.texts), file_of("hocr"): hocr(doc.texts)}


def language(doc: Document) -> Artifacts:
    return {file_of("language"): orjson.dumps({"iso_639_1": doc.language})}


def searchable(doc: Document) -> Artifacts:
    out = doc.scratch / "searchable.pdf"
    if doc.pdf_parts:
        merge_pdfs(doc.pdf_parts, out)  # built in parallel with the page images
    else:
        searchable_pdf(list(doc.pages), list(doc.texts), doc.dpi, out)
    return {file_of("pdf"): out}


def invoice_fields(doc: Document) -> Artifacts:
    from service.pipeline.invoice.einvoice import invoice_extraction

    result = invoice_extraction(list(doc.texts), doc.language, doc.scratch,
                                doc.pages, doc.barcode_pages)
    return {file_of("extractions"): orjson.dumps(result)}


def ner(doc: Document, artifacts: Artifacts) -> Artifacts:
    """The words typed by the extraction, for any workflow that made one."""
    extraction = artifacts.get("extractions.json")
    if not isinstance(extraction, bytes):
        return {}
    from service.pipeline.ner import build_ner

    counts = [len(text.words) for text in doc.texts]
    return {"ner.json": orjson.dumps(build_ner(counts, orjson.loads(extraction)))}


def splitting(doc: Document) -> Artifacts:
    from service.pipeline.split_documents import split_documents

    split = split_documents(list(doc.texts))
    artifacts: Artifacts = {file_of("document-splitting"): orjson.dumps(split)}
    for index, sub in enumerate(split["sub_documents"]):
        out = doc.scratch / f"sub-{index}.pdf"
        numbers = list(sub["pages"])
        if doc.kind == "pdf":
            sub_pdf_from_pdf(doc.source, numbers, out)
        else:
            sub_pdf_from_images([doc.pages[n - 1] for n in numbers], doc.dpi, out,
                                [doc.texts[n - 1] for n in numbers])
        artifacts[sub_pdf_file(index)] = out
    return artifacts


# the thumbnail needs no step: its endpoint scales page 1 on request
COMMON_STEPS = (ocr_outputs, language, searchable)
