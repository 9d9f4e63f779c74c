"""`folio serve --server granian` against uvicorn and nginx (`benchmarks.run --only server`).

- P1 hot hit (one process): folio under uvicorn and under granian, each against
  nginx static, and granian against uvicorn.
- A large file (a PDF above FOLIO_MEMORY_ARTIFACT_MAX_BYTES, so it is a file
  answer, not the memory tier): uvicorn streams it through Python (aiofiles),
  granian sends it from the path (`http.response.pathsend`), nginx `sendfile`s it.
- P1 with two processes under granian: against nginx with 2 workers, and
  against granian with one.

Under granian the `folio` process is a supervisor: the app runs in a child even
with one worker, so profiles follow subprocesses.
"""

from __future__ import annotations

import os
import random
import statistics
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from benchmarks.tools import say

if TYPE_CHECKING:
    from benchmarks.run import Bench

BIG_PDF = 8 * 1024 * 1024  # bytes; above the 4 MiB memory-tier default
_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and all its descendants (alive ones)."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total = (int(fields[11]) + int(fields[12])) / _TICK
    except OSError:
        return 0.0
    kids = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):  # children of any thread
        kids.update(_task_children(task))
    return total + sum(cpu_seconds(child) for child in kids)


def _task_children(task: Path) -> list[int]:
    try:
        return [int(p) for p in (task / "children").read_text().split()]
    except OSError:
        return []


def cpu_per_answer(b: Bench, targets: dict[str, tuple[int, str, list[str] | None]]
                   ) -> tuple[dict[str, float], str]:
    """Server CPU microseconds per answer, each target's wrk runs in alternation
    (rotating order); the medians, and a note with every run."""
    runs: dict[str, list[float]] = {name: [] for name in targets}
    names = list(targets)
    for i in range(b.rounds):
        for name in names[i % len(names):] + names[:i % len(names)]:
            pid, url, headers = targets[name]
            before = cpu_seconds(pid)
            result = b.wrk(url, headers, warm=False)  # the servers are warm already
            runs[name].append(1e6 * (cpu_seconds(pid) - before) / max(result.requests, 1))
    note = "; ".join(f"{name} " + "/".join(f"{x:,.0f}" for x in values)
                     for name, values in runs.items())
    return {name: statistics.median(values) for name, values in runs.items()}, note


def run(b: Bench, auth: str, headers: dict[str, str], *, uvicorn_two: bool = True) -> None:
    """The rows above; `uvicorn_two`: also uvicorn's 2-process rows (the full run has them)."""
    try:
        import granian  # noqa: F401
    except ImportError:
        b.notes.append("granian is not installed (pip install -e '.[granian]'): "
                       "no --server granian rows.")
        return
    from benchmarks import fixtures
    from benchmarks.run import P1_WIDTH, Row
    from service.artifacts.catalogue import file_of, page_file, write_full_body
    from service.artifacts.store import FileStore

    p1 = b.processing()
    # a processing whose searchable PDF is large (random bytes: only its size matters)
    store = FileStore(b.data)
    big = store.create("bench", "ocr").processing_id
    pdf = b"%PDF-1.7\n" + random.Random(5).randbytes(BIG_PDF - 9)
    store.write_artifact(big, page_file(1), b.page)
    store.write_artifact(big, file_of("pdf"), pdf)
    done = store.succeed(big, pages=[(fixtures.PAGE_W, fixtures.PAGE_H)],
                         results=["page-images", "pdf"])
    write_full_body(store, done, "OCR")
    (b.static / "big.pdf").write_bytes(pdf)

    # no job workers: their idle polling would count in the CPU figures
    uv, uv_base = b.folio("folio-uvicorn", FOLIO_JOB_WORKERS="0")
    gr, gr_base = b.folio("folio-granian", server="granian", FOLIO_JOB_WORKERS="0")
    page = f"/processing/results/{p1}/page-images/1?width={P1_WIDTH}"
    for base in (uv_base, gr_base):
        httpx.get(base + page, headers=headers)
        hit = httpx.get(base + page, headers=headers)
        assert hit.headers.get("x-cache") == "hit-memory", hit.headers
    (b.static / "p1.jpg").write_bytes(hit.content)
    nginx = b.nginx()
    assert nginx is not None
    ng = b.procs[-1]
    uv_url, gr_url = uv_base + page, gr_base + page

    say("P1 hot hit: uvicorn, granian, nginx")
    f, n, note = b.paired((uv_url, [auth]), (f"{nginx}/p1.jpg", None))
    b.add_paired(Row("P1 hot hit 800px vs nginx static (uvicorn)", f, "nginx", n, "req/s",
                     ">=0.6x", note))
    f, n, note = b.paired((gr_url, [auth]), (f"{nginx}/p1.jpg", None))
    b.add_paired(Row("P1 hot hit 800px vs nginx static, --server granian", f, "nginx", n,
                     "req/s", ">=0.6x", note))
    f, n, note = b.paired((gr_url, [auth]), (uv_url, [auth]))
    b.add_paired(Row("P1 hot hit 800px: granian vs uvicorn", f, "folio uvicorn", n, "req/s",
                     "info", note))
    cpu, note = cpu_per_answer(b, {"uvicorn": (uv.pid, uv_url, [auth]),
                                   "granian": (gr.pid, gr_url, [auth]),
                                   "nginx": (ng.pid, f"{nginx}/p1.jpg", None)})
    for name, ref in (("granian", "uvicorn"), ("uvicorn", "nginx"), ("granian", "nginx")):
        b.add(Row(f"P1 hot hit: server CPU µs per answer, {name} vs {ref}", cpu[name],
                  ref, cpu[ref], "µs", "info",
                  f"{b.rounds} alternating runs each (µs per answer, all processes of "
                  f"the server; lower is better): {note}"))
    b.profile_run("p1-hot-hit-granian", gr.pid, gr_url, [auth], subprocesses=True)
    b.profile_run("p1-hot-hit-uvicorn", uv.pid, uv_url, [auth])

    say(f"large file: {len(pdf):,}-byte PDF")
    pdf_path = f"/processing/results/{big}/pdf"
    for base in (uv_base, gr_base):
        answer = httpx.get(base + pdf_path, headers=headers)
        assert answer.content == pdf, base
    identity = "Accept-Encoding: identity"
    uv_pdf, gr_pdf, ng_pdf = uv_base + pdf_path, gr_base + pdf_path, f"{nginx}/big.pdf"
    mib = f"{len(pdf) / 2**20:.0f} MiB PDF"
    size = f"{mib} (a file answer, above the memory tier)"
    f, n, note = b.paired((uv_pdf, [auth, identity]), (ng_pdf, [identity]))
    b.add_paired(Row(f"Large file: {size}, uvicorn streaming vs nginx", f, "nginx", n,
                     "req/s", "info", note))
    f, n, note = b.paired((gr_pdf, [auth, identity]), (ng_pdf, [identity]))
    b.add_paired(Row(f"Large file: {size}, granian pathsend vs nginx", f, "nginx", n,
                     "req/s", "info", note))
    f, n, note = b.paired((gr_pdf, [auth, identity]), (uv_pdf, [auth, identity]))
    b.add_paired(Row(f"Large file: {size}, granian pathsend vs uvicorn streaming", f,
                     "folio uvicorn", n, "req/s", "info", note))
    cpu, note = cpu_per_answer(b, {"uvicorn": (uv.pid, uv_pdf, [auth, identity]),
                                   "granian": (gr.pid, gr_pdf, [auth, identity]),
                                   "nginx": (ng.pid, ng_pdf, [identity])})
    b.add(Row(f"Large file: server CPU µs per answer ({mib}), granian vs uvicorn",
              cpu["granian"], "folio uvicorn", cpu["uvicorn"], "µs", "info",
              f"{b.rounds} alternating runs each (µs per answer, all processes of the "
              f"server; lower is better): {note}"))
    b.add(Row(f"Large file: server CPU µs per answer ({mib}), granian vs nginx",
              cpu["granian"], "nginx", cpu["nginx"], "µs", "info", note))
    b.add(Row(f"Large file: server CPU µs per answer ({mib}), uvicorn vs nginx",
              cpu["uvicorn"], "nginx", cpu["nginx"], "µs", "info", note))
    b.profile_run("big-pdf-granian", gr.pid, gr_pdf, [auth, identity], subprocesses=True)
    b.profile_run("big-pdf-uvicorn", uv.pid, uv_pdf, [auth, identity])
    b.stop(uv)
    b.stop(gr)

    say("P1 with two processes under granian")
    b.two_processes(p1, server="granian")
    if uvicorn_two:
        say("P1 with two processes under uvicorn (the same rows as the full run's)")
        b.two_processes(p1)
