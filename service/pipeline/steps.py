"""The output steps: each reads the Document and returns artifacts.

A workflow is the shared steps (detect → rasterize → text) followed by an
ordered list of these; reading a workflow's list tells what it produces.
"""

from __future__ import annotations

import orjson

from service.pipeline.document import Artifacts, Document
from service.pipeline.hocr import hocr
from service.pipeline.ocrjson import ocr_json
from service.pipeline.searchable_pdf import merge_pdfs, searchable_pdf
from service.pipeline.subpdf import sub_pdf_from_images, sub_pdf_from_pdf
from service.pipeline.thumbnail import make_thumbnail


def ocr_outputs(doc: Document) -> Artifacts:
    return {"ocr.json": ocr_json(doc.texts), "hocr.html": hocr(doc.texts)}


def language(doc: Document) -> Artifacts:
    return {"language.json": orjson.dumps({"iso_639_1": doc.language})}


def thumbnail(doc: Document) -> Artifacts:
    # the endpoint renders page 1 at the configured size through the image cache;
    # this stored copy at the default size serves deployments without the scaler
    if not doc.pages:
        return {}
    out = doc.scratch / "thumbnail.jpg"
    make_thumbnail(doc.pages[0], out)
    return {"thumbnail.jpg": out}


def searchable(doc: Document) -> Artifacts:
    out = doc.scratch / "searchable.pdf"
    if doc.pdf_parts:
        merge_pdfs(doc.pdf_parts, out)  # built in parallel with the page images
    else:
        searchable_pdf(list(doc.pages), list(doc.texts), doc.dpi, out)
    return {"searchable.pdf": out}


def invoice_fields(doc: Document) -> Artifacts:
    from service.pipeline.invoice.einvoice import invoice_extraction

    result = invoice_extraction(list(doc.texts), doc.language, doc.scratch)
    return {"extractions.json": orjson.dumps(result)}


def splitting(doc: Document) -> Artifacts:
    from service.pipeline.split_documents import split_documents

    split = split_documents(list(doc.texts))
    artifacts: Artifacts = {"document-splitting.json": orjson.dumps(split)}
    for index, sub in enumerate(split["sub_documents"]):
        out = doc.scratch / f"sub-{index}.pdf"
        numbers = list(sub["pages"])
        if doc.kind == "pdf":
            sub_pdf_from_pdf(doc.source, numbers, out)
        else:
            sub_pdf_from_images([doc.pages[n - 1] for n in numbers], doc.dpi, out,
                                [doc.texts[n - 1] for n in numbers])
        artifacts[f"sub-pdfs/{index}.pdf"] = out
    return artifacts


COMMON_STEPS = (ocr_outputs, language, thumbnail, searchable)
