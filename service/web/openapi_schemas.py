"""The JSON Schemas of folio's bodies, as `components/schemas` of its OpenAPI document.

The Invoice schema is made from the one field tree (pipeline.invoice_fields), so the
document, the extraction and the NER type names describe the same fields.
"""

from __future__ import annotations

from typing import Any

from service.pipeline.invoice_fields import (
    COUNTRY,
    CURRENCY,
    DATE,
    INVOICE,
    NUMBER,
    PAYMENT_METHOD,
    PAYMENT_METHODS,
    STRING,
    TYPE_NAMES,
    Field,
)

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


VALUE_SCHEMAS: dict[str, Schema] = {
    STRING: {"type": "string"},
    DATE: {"type": "string", "format": "date"},
    NUMBER: {"type": "number"},
    CURRENCY: {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code"},
    COUNTRY: {"type": "string", "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2"},
    PAYMENT_METHOD: {"type": "string", "enum": list(PAYMENT_METHODS)},
}
EXTRACTION_NAMES = {kind: "Extraction" + kind.title().replace("_", "") for kind in VALUE_SCHEMAS}


def extraction_schema(kind: str) -> Schema:
    return {
        "type": "object",
        "required": ["value", "confidence", "bbox_refs"],
        "properties": {
            "value": VALUE_SCHEMAS[kind],
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "bbox_refs": {"type": "array", "items": ref("WordReference")},
            "validation_problem": {"type": "boolean"},
            "note": {"type": "string"},
        },
    }


def field_schema(field: Field, nullable_: bool = True) -> Schema:
    """A field of the tree: an Extraction, an object of fields, or a list of either.

    A field not found is null; the entries of a list never are.
    """
    if isinstance(field, list):
        return {"type": "array", "items": field_schema(field[0], nullable_=False)}
    if isinstance(field, str):
        schema = ref(EXTRACTION_NAMES[field])
    else:
        schema = {"type": "object",
                  "properties": {k: field_schema(v) for k, v in field.items()}}
    return nullable(schema) if nullable_ else schema


def invoice_schema() -> Schema:
    return {
        "type": "object",
        "required": ["schema_version", "document_type"],
        "properties": {"schema_version": {"type": "integer", "const": 2},
                       "document_type": {"type": "string", "const": "invoice"},
                       **{name: field_schema(field) for name, field in INVOICE.items()}},
    }


WORD_REFERENCE: Schema = {
    "type": "object", "required": ["page_num", "bbox_id"],
    "properties": {"page_num": {"type": "integer", "minimum": 1},
                   "bbox_id": {"type": "integer", "minimum": 1}},
}

GROUPING: Schema = {
    "type": "array",
    "items": {"type": "object", "required": ["references"],
              "properties": {"references": {"type": "array", "items": ref("WordReference")}}},
}

NER: Schema = {
    "type": "object",
    "required": ["types", "groupings"],
    "description": "One entry per OCR word. Types for invoice_extraction: "
                   + ", ".join(TYPE_NAMES) + ".",
    "properties": {
        "types": {"type": "array", "items": {
            "type": "object", "required": ["reference", "type", "type_probs"],
            "properties": {
                "reference": ref("WordReference"),
                "type": {"type": "string"},
                "type_probs": {"type": "array", "items": {
                    "type": "object", "required": ["type", "prob"],
                    "properties": {"type": {"type": "string"},
                                   "prob": {"type": "number", "minimum": 0, "maximum": 1}}}},
            }}},
        "groupings": {"type": "object", "additionalProperties": GROUPING,
                      "properties": {"line_item": GROUPING, "vendor": GROUPING,
                                     "customer": GROUPING}},
    },
}

OCR: Schema = {
    "type": "object", "required": ["pages"],
    "properties": {"pages": {"type": "array", "items": {
        "type": "object", "required": ["width", "height", "bboxes", "fulltext"],
        "properties": {
            "width": {"type": "integer", "minimum": 1},
            "height": {"type": "integer", "minimum": 1},
            "fulltext": {"type": "string"},
            "bboxes": {"type": "array", "items": {
                "type": "object", "required": ["id", "x1", "y1", "x2", "y2", "text"],
                "properties": {
                    "id": {"type": "integer", "minimum": 1},
                    "x1": {"type": "integer"}, "y1": {"type": "integer"},
                    "x2": {"type": "integer"}, "y2": {"type": "integer"},
                    "text": {"type": "string"},
                    "text_entropy": {"type": "number", "minimum": 0, "maximum": 1},
                }}},
        }}}},
}

SPLITTING: Schema = {
    "type": "object", "required": ["sub_documents", "split_point_confidences"],
    "properties": {
        "schema_version": {"type": "integer"},
        "sub_documents": {"type": "array", "items": {
            "type": "object", "required": ["name", "pages"],
            "properties": {"name": {"type": "string"},
                           "pages": {"type": "array",
                                     "items": {"type": "integer", "minimum": 1}}}}},
        "split_point_confidences": {"type": "array",
                                    "items": {"type": "number", "minimum": 0, "maximum": 1}},
    },
}

URL: Schema = {"type": "string", "pattern": "^/processing/results/"}
URLS: Schema = {"type": "array", "items": URL}


def full_result(results: tuple[str, ...]) -> Schema:
    """The flat result body; `results` are the hyphenated names it may carry."""
    inline = {"ocr": ref("OcrResult"), "extractions": ref("Invoice"),
              "language": ref("LanguageResult"), "ner": ref("NerResult"),
              "document-splitting": ref("DocumentSplittingResult")}
    lists = {"page-images", "sub-pdfs"}
    properties: dict[str, Schema] = {
        "processing_id": {"type": "string", "format": "uuid"},
        "workflow_id": {"type": "string"},
        "workflow_name": {"type": "string"},
        "available_results": {"type": "array",
                              "items": {"type": "string", "enum": list(results)}},
    }
    for name in results:
        key = name.replace("-", "_")
        properties[key] = inline.get(name) or (URLS if name in lists else URL)
    return {"type": "object",
            "required": ["processing_id", "workflow_id", "workflow_name", "available_results"],
            "properties": properties}


def components(results: tuple[str, ...]) -> dict[str, Schema]:
    schemas: dict[str, Schema] = {
        "Error": {"type": "object", "required": ["detail"],
                  "properties": {"detail": {"type": "string"}}},
        "ValidationError": {"type": "object", "required": ["detail"], "properties": {
            "detail": {"type": "array", "items": {
                "type": "object", "required": ["loc", "msg", "type"],
                "properties": {"loc": {"type": "array",
                                       "items": {"type": ["string", "integer"]}},
                               "msg": {"type": "string"}, "type": {"type": "string"}}}}}},
        "Accepted": {"type": "object", "required": ["processing_id", "url"],
                     "properties": {"processing_id": {"type": "string", "format": "uuid"},
                                    "url": URL}},
        "FullResult": full_result(results),
        "WordReference": WORD_REFERENCE,
        "OcrResult": OCR,
        "NerResult": NER,
        "LanguageResult": {"type": "object", "required": ["iso_639_1"],
                           "properties": {"iso_639_1": {"type": "string",
                                                        "pattern": "^[a-z]{2}$"}}},
        "DocumentSplittingResult": SPLITTING,
        "PageImages": {"type": "object", "required": ["pages"], "properties": {"pages": URLS}},
        "SubPdfs": URLS,
        "Invoice": invoice_schema(),
        "Workflow": {"type": "object", "required": [
            "workflow_id", "category", "name", "description", "long_description",
            "visibility", "permissions", "retrievable_results"], "properties": {
            "workflow_id": {"type": "string"}, "category": {"type": "string"},
            "name": {"type": "string"}, "description": {"type": "string"},
            "long_description": {"type": "string"},
            "visibility": {"type": "string"},
            "permissions": {"type": "array", "items": {"type": "string"}},
            "retrievable_results": {"type": "array", "items": {"type": "string"}}}},
        "ShareTokenRequest": {"type": "object", "required": ["document_id", "expires_at"],
                              "properties": {"document_id": {"type": "string",
                                                             "format": "uuid"},
                                             "expires_at": {"type": "string",
                                                            "format": "date"}}},
        "ShareToken": {"type": "object", "required": [
            "document_id", "expires_at", "uuid", "tenant_id", "last_used_at", "token",
            "issuer_user_id"], "properties": {
            "document_id": {"type": "string"}, "expires_at": {"type": "string"},
            "uuid": {"type": "string"}, "tenant_id": {"type": "string"},
            "last_used_at": {"type": ["string", "null"]},
            "token": {"type": ["string", "null"]},
            "issuer_user_id": {"type": "string"}}},
        "SignedUrlRequest": {"type": "object", "properties": {
            "ttl": {"type": "integer", "minimum": 1},
            "width": {"type": "integer", "minimum": 1},
            "height": {"type": "integer", "minimum": 1},
            "format": {"type": "string"}, "quality": {"type": "integer", "minimum": 1,
                                                      "maximum": 100}}},
        "SignedUrls": {"type": "object", "required": ["processing_id", "expires", "kid",
                                                      "result"],
                       "additionalProperties": {"anyOf": [URL, URLS]},
                       "properties": {"processing_id": {"type": "string", "format": "uuid"},
                                      "expires": {"type": "integer"},
                                      "kid": {"type": "string"}, "result": URL}},
        "Health": {"type": "object", "required": ["status"],
                   "properties": {"status": {"type": "string"},
                                  "checks": {"type": "object",
                                             "additionalProperties": {"type": "string"}}}},
    }
    for kind, name in EXTRACTION_NAMES.items():
        schemas[name] = extraction_schema(kind)
    return schemas
