"""The `parameters` form field of an upload, validated strictly.

Only known keys, at most `FOLIO_PARAMETERS_MAX_BYTES` bytes of JSON. What goes
into the record is rebuilt from folio's own values (the language is one of
`LANGUAGES`), never the client's object: a record is kept in memory by every
web process, so whatever a client sends must not ride along with it.
"""

from __future__ import annotations

from typing import Any

import orjson

from service.config import LANGUAGES
from service.errors import invalid

LOC = ("body", "parameters")
KNOWN = ("language",)


def parse_parameters(raw: Any, errors: list[dict[str, Any]], default: str,
                     max_bytes: int) -> dict[str, Any]:
    """The record's parameters from the form field; problems are appended to `errors`."""
    if raw is None or raw == "":
        return {"language": default}
    if not isinstance(raw, str):
        errors.append(invalid(LOC, "Input should be a JSON string", "string_type"))
        return {}
    if len(raw) > max_bytes or len(raw.encode()) > max_bytes:
        errors.append(invalid(LOC, f"parameters must be at most {max_bytes} bytes of JSON",
                              "string_too_long"))
        return {}
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        errors.append(invalid(LOC, "Invalid JSON", "json_invalid"))
        return {}
    if not isinstance(value, dict):
        errors.append(invalid(LOC, "Input should be a JSON object", "dict_type"))
        return {}
    unknown = sorted(str(key) for key in value if key not in KNOWN)
    if unknown:
        errors.append(invalid(LOC, f"Unknown parameters: {', '.join(unknown)[:200]} "
                                   f"(known: {', '.join(KNOWN)})", "extra_forbidden"))
        return {}
    language = value.get("language", default)
    if language not in LANGUAGES:
        errors.append(invalid((*LOC, "language"), "Input should be 'de' or 'en'", "enum"))
        return {}
    return {"language": LANGUAGES[LANGUAGES.index(language)]}
