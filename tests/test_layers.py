"""The house: nothing below the web layer imports it, Starlette or uvicorn, and jobs
run the pipeline while the pipeline knows nothing of jobs."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB_ONLY = ("service.web", "starlette", "uvicorn")
ALLOWED_TO_IMPORT_WEB = ("service.web", "service.cli")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(path: Path) -> Iterator[str]:
    """Every module an import statement in the file names, wherever the statement is."""
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def modules(*packages: str) -> Iterator[tuple[str, Path]]:
    for package in packages:
        for path in sorted((ROOT / package.replace(".", "/")).rglob("*.py")):
            yield module_name(path), path


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_nothing_below_the_web_layer_imports_it() -> None:
    leaks = [f"{module} imports {name}"
             for module, path in modules("service", "cache")
             if not within(module, ALLOWED_TO_IMPORT_WEB)
             for name in imported_names(path) if within(name, WEB_ONLY)]
    assert leaks == []


def test_the_pipeline_does_not_import_jobs() -> None:
    leaks = [f"{module} imports {name}"
             for module, path in modules("service.pipeline")
             for name in imported_names(path) if within(name, ("service.jobs",))]
    assert leaks == []


def test_jobs_import_the_pipeline_at_module_level_only() -> None:
    """An import inside a function would be a cycle dodged, not removed."""
    hidden = []
    for module, path in modules("service.jobs"):
        tree = ast.parse(path.read_text(), str(path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and within(
                        node.module or "", ("service.pipeline", "service.jobs")):
                    hidden.append(f"{module}.{function.name} imports {node.module}")
                elif isinstance(node, ast.Import):
                    hidden.extend(f"{module}.{function.name} imports {alias.name}"
                                  for alias in node.names
                                  if within(alias.name, ("service.pipeline", "service.jobs")))
    assert hidden == []


def test_importing_the_error_tree_loads_no_framework() -> None:
    code = ("import sys, service.errors, service.wire.errors; "
            "print(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('starlette', 'uvicorn') or m.startswith('service.web')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    assert out.strip() == "[]"
