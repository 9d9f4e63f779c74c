"""/docs: folio's OpenAPI document as one plain HTML page, rendered on the server.

No script and nothing fetched at run time: the page is made from the same document
/openapi.json serves (the Swagger UI that PyPI ships is 4.x and cannot show 3.1).
"""

from __future__ import annotations

from html import escape
from typing import Any

import orjson

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;
color:#222}
h2{margin-top:2.5rem;border-bottom:1px solid #ccc}
.op{border:1px solid #ddd;border-radius:6px;margin:1rem 0;padding:.2rem 1rem}
.m{display:inline-block;min-width:4rem;font-weight:700;text-transform:uppercase}
.get{color:#0a6}.post{color:#06c}
code,pre{font:13px ui-monospace,monospace}pre{background:#f6f6f6;padding:.6rem;overflow:auto}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;
vertical-align:top}
details summary{cursor:pointer}
"""


def _schema_text(schema: Any) -> str:
    return escape(orjson.dumps(schema, option=orjson.OPT_INDENT_2).decode())


def _range(schema: dict[str, Any]) -> str:
    kind = schema.get("type", "")
    if kind == "array":
        kind = f"array of {_range(schema.get('items', {}))}"
    parts = [str(kind)]
    if "enum" in schema:
        parts.append("one of " + ", ".join(map(str, schema["enum"])))
    if "minimum" in schema:
        parts.append(f"≥ {schema['minimum']}")
    if "maximum" in schema:
        parts.append(f"≤ {schema['maximum']}")
    if "default" in schema:
        parts.append(f"default {schema['default']}")
    return ", ".join(parts)


def _operation(method: str, path: str, op: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td><code>{escape(p['name'])}</code></td><td>{p['in']}</td>"
        f"<td>{'yes' if p.get('required') else ''}</td>"
        f"<td>{escape(_range(p['schema']))}</td><td>{escape(p.get('description', ''))}</td></tr>"
        for p in op.get("parameters", [])
    )
    params = ("<table><tr><th>parameter</th><th>in</th><th>required</th><th>values</th>"
              f"<th></th></tr>{rows}</table>") if rows else ""
    answers = []
    for status, answer in op["responses"].items():
        types = ", ".join(answer.get("content", {})) or "no body"
        schemas = [c["schema"] for c in answer.get("content", {}).values() if "schema" in c]
        detail = (f"<details><summary>schema</summary><pre>{_schema_text(schemas[0])}</pre>"
                  "</details>") if schemas else ""
        answers.append(f"<tr><td>{status}</td><td>{escape(answer['description'])}</td>"
                       f"<td>{escape(types)}{detail}</td></tr>")
    auth = "API key" if op.get("security") != [] else "public"
    return (f"<div class=op id={escape(op['operationId'])}><p><span class='m {method}'>"
            f"{method}</span> <code>{escape(path)}</code> — {escape(op['summary'])} "
            f"<small>({auth})</small></p>"
            f"<p>{escape(op.get('description', ''))}</p>{params}"
            f"<table><tr><th>status</th><th>when</th><th>body</th></tr>{''.join(answers)}"
            "</table></div>")


def render(document: dict[str, Any], workflow_ids: tuple[str, ...] = ()) -> str:
    info = document["info"]
    ops = "".join(_operation(method, path, op)
                  for path, item in document["paths"].items() for method, op in item.items())
    schemas = "".join(
        f"<details id=schema-{escape(name)}><summary><code>{escape(name)}</code></summary>"
        f"<pre>{_schema_text(schema)}</pre></details>"
        for name, schema in document["components"]["schemas"].items())
    scheme = document["components"]["securitySchemes"]["ApiKey"]["description"]
    links = ", ".join(f"<a href=/processing/{escape(w)}/openapi>{escape(w)}</a>"
                      for w in workflow_ids)
    per_workflow = f"; one workflow's: {links}" if links else ""
    return (f"<!doctype html><html lang=en><meta charset=utf-8><title>{escape(info['title'])}"
            f"</title><style>{STYLE}</style><h1>{escape(info['title'])} {escape(info['version'])}"
            f"</h1><p>{escape(info['description'])}</p><p>Authentication: "
            f"<code>{escape(scheme.strip('`'))}</code>. The machine-readable document: "
            f"<a href=/openapi.json>/openapi.json</a>{per_workflow}.</p><h2>Routes</h2>"
            f"{ops}<h2>Schemas</h2>{schemas}</html>")
