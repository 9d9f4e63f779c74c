"""The standing matrix (issue 23): every stored answer folio gives, beside nginx serving
the same bytes.

    .venv/bin/python -m benchmarks.matrix               # 5 s runs, 3 rounds, every size (~30 min)
    .venv/bin/python -m benchmarks.matrix --quick       # 1 s runs, 1 round, fewer sizes (~2 min)
    .venv/bin/python -m benchmarks.matrix --seconds 10 --rounds 5
    .venv/bin/python -m benchmarks.matrix --only ocr --only hocr   # some kinds alone
    .venv/bin/python -m benchmarks.matrix --replot      # RESULTS-matrix.md and the plot again
                                                        # from results-matrix.json

Kinds: the page image as stored (no size, or asked wider than the page), scaled
(width=800, width=256), the thumbnail, IIIF tiles, OCR JSON, hOCR, a sub-PDF and the
searchable PDF, at sizes from 10 KB to 8 MB. The stored files are generated straight
into a folio data directory with FileStore (as `benchmarks.run` does); every answer is
read once from folio with the API key and its bytes written into nginx's root, so
nginx (`sendfile on`, `open_file_cache`, one worker) serves exactly what folio does.

Each answer is asked three ways: the API key header, a signed URL (the deployment's
key, as `folio sign` makes it) and a share token (`POST /share-tokens/documents`).
The three and nginx are measured in alternation, rotating the order every round
(wrk -t2 -c32 --latency; a warm-up run before each URL's first round), one folio
process (`serve --workers 1`, no job workers) against one nginx worker; ratios are
medians of one run. Writes benchmarks/RESULTS-matrix.md, results-matrix.json and
results-matrix.svg.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import math
import os
import platform
import random
import shutil
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from benchmarks import fixtures, plots
from benchmarks.run import (
    AUTH,
    HEADERS,
    Bench,
    Row,
    fmt,
    fmt_lat,
    loadavg,
    median_latency,
    print_table,
)
from benchmarks.tools import (
    HERE,
    WORK,
    WrkResult,
    children,
    cpu_model,
    ensure_binary,
    say,
    version_of,
)

KB, MB = 1024, 1024 * 1024
MD = HERE / "RESULTS-matrix.md"
DATA = HERE / "results-matrix.json"
SVG = HERE / "results-matrix.svg"
IDENTITY = "Accept-Encoding: identity"
ACCESS = ("key", "signed", "token")
ACCESS_NAMES = {"key": "API key", "signed": "signed URL", "token": "share token"}
P99_LIMIT = 2.0  # folio's p99 at most this many times nginx's
SPREAD_LIMIT = 0.10  # keyed, signed and token req/s within this of each other

STORED, SCALED, THUMB, TILE = "page stored", "page scaled", "thumbnail", "IIIF tile"
OCR, HOCR, SUB_PDF, PDF = "OCR JSON", "hOCR", "sub-PDF", "searchable PDF"
KINDS = {STORED: "page-stored", SCALED: "page-scaled", THUMB: "thumbnail", TILE: "iiif-tile",
         OCR: "ocr", HOCR: "hocr", SUB_PDF: "sub-pdf", PDF: "pdf"}
EXT = {STORED: "jpg", SCALED: "jpg", THUMB: "jpg", TILE: "jpg", OCR: "json", HOCR: "html",
       SUB_PDF: "pdf", PDF: "pdf"}


@dataclass(frozen=True)
class Spec:
    """One answer of the matrix."""

    kind: str
    label: str
    size: int = 0  # bytes of the stored file to generate; 0: the benchmark's P1 page
    ask: str = ""  # page images: the query; IIIF: region/size
    quick: bool = False  # part of --quick


SPECS = (
    Spec(STORED, "10 KB page", 10 * KB, quick=True),
    Spec(STORED, "64 KB page", 64 * KB),
    Spec(STORED, "212 KB page (1819x2573, as processed)", 212 * KB, quick=True),
    Spec(STORED, "212 KB page asked wider than it is (width=4000)", 212 * KB, "?width=4000"),
    Spec(STORED, "1.4 MB page (P1's, q90)"),
    Spec(STORED, "8 MB page (3638x5146)", 8 * MB),
    Spec(SCALED, "width=800 of P1's page", ask="?width=800", quick=True),
    Spec(SCALED, "width=256 of P1's page", ask="?width=256", quick=True),
    Spec(THUMB, "thumbnail of P1's page", quick=True),
    Spec(TILE, "tile 0,0,512,512/512, (full resolution)", ask="0,0,512,512/512,", quick=True),
    Spec(TILE, "tile 0,0,1024,1024/512, (scale 1/2)", ask="0,0,1024,1024/512,"),
    Spec(OCR, "10 KB", 10 * KB, quick=True),
    Spec(OCR, "64 KB", 64 * KB),
    Spec(OCR, "1 MB", 1 * MB),
    Spec(OCR, "8 MB", 8 * MB, quick=True),
    Spec(HOCR, "10 KB", 10 * KB),
    Spec(HOCR, "64 KB", 64 * KB, quick=True),
    Spec(HOCR, "1 MB", 1 * MB),
    Spec(HOCR, "8 MB", 8 * MB),
    Spec(SUB_PDF, "1 MB", 1 * MB, quick=True),
    Spec(SUB_PDF, "8 MB", 8 * MB),
    Spec(PDF, "1 MB", 1 * MB),
    Spec(PDF, "8 MB", 8 * MB, quick=True),
)

# the targets by answer size (folio / nginx req/s); a row takes the class whose
# size is nearest on a log scale, and a stored page also the stored-page target
SIZE_TARGETS = ((10 * KB, 0.4), (64 * KB, 0.5), (1 * MB, 0.8), (8 * MB, 0.8))
STORED_TARGET = 0.6


def target_ratio(kind: str, size: int) -> float:
    _, goal = min(SIZE_TARGETS, key=lambda c: abs(math.log(max(size, 1) / c[0])))
    return max(goal, STORED_TARGET) if kind == STORED else goal


# -- the stored files --------------------------------------------------------------

def _fit(target: int, make: Callable[[int], bytes], lo: int, hi: int) -> bytes:
    """The largest make(n), n in [lo, hi], of at most `target` bytes (make grows with
    n); make(lo) when even that is larger."""
    best = make(lo)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        body = make(mid)
        if len(body) <= target:
            lo, best = mid, body
        else:
            hi = mid - 1
    return best


def page_jpeg(spec: Spec) -> bytes:
    """A page JPEG of about `spec.size` bytes: smaller pages scaled down at q85, the
    212 KB page at full size (lower quality), 8 MB four noisy pages joined 2x2."""
    import pyvips

    if spec.size == 0:
        return fixtures.page_jpeg(1)
    if spec.size >= 4 * MB:
        pages = [fixtures.page_image(seed) for seed in range(1, 5)]
        big = pyvips.Image.arrayjoin(pages, across=2)
        return _fit(spec.size, lambda q: bytes(big.jpegsave_buffer(Q=q, keep="none")), 50, 100)
    clean = fixtures.page_image(1, noise=False)
    if spec.size >= 150 * KB:
        return _fit(spec.size, lambda q: bytes(clean.jpegsave_buffer(Q=q, keep="none")), 1, 95)
    return _fit(spec.size, lambda w: bytes(clean.resize(w / clean.width)
                                           .jpegsave_buffer(Q=85, keep="none")),
                32, clean.width)


def _ocr_lines(pages: list[dict[str, Any]], n: int) -> bytes:
    """An OCR JSON of the first `n` lines of `pages` (fixtures.ocr_json's pages)."""
    out = []
    left = n
    for page in pages:
        lines = page["fulltext"].split("\n")
        if left >= len(lines):
            out.append(page)
            left -= len(lines)
        else:
            kept = lines[:left]
            words = sum(len(line.split(" ")) for line in kept)
            out.append({**page, "bboxes": page["bboxes"][:words], "fulltext": "\n".join(kept)})
            left = 0
        if left == 0:
            break
    return orjson.dumps({"pages": out})


def text_of_size(kind: str, size: int) -> bytes:
    """OCR JSON or hOCR (folio's own, from that OCR JSON) of exactly `size` bytes: as
    many whole lines as fit, padded with trailing whitespace."""
    from service.pipeline.hocr import hocr
    from service.pipeline.pdf_variant import page_texts

    pages = orjson.loads(fixtures.ocr_json(size // (20 * KB) + 2))["pages"]
    total = sum(len(p["fulltext"].split("\n")) for p in pages)

    def make(n: int) -> bytes:
        ocr = _ocr_lines(pages, n)
        return ocr if kind == OCR else hocr(page_texts(ocr))

    body = _fit(size, make, 1, total)
    if len(make(total)) < size:
        raise RuntimeError(f"{kind}: {total} lines make less than {size} bytes")
    return body + (b"\n" if kind == HOCR else b" ") * (size - len(body))


def pdf_of_size(size: int, seed: int) -> bytes:
    """A PDF-looking file of `size` bytes (random bytes: only its size matters)."""
    head, tail = b"%PDF-1.7\n", b"\n%%EOF\n"
    return head + random.Random(seed).randbytes(size - len(head) - len(tail)) + tail


@dataclass
class Prepared:
    spec: Spec
    pid: str
    path: str  # folio's path (and query) for the answer
    stored: bytes | None  # the stored bytes folio should answer with, when it is a file
    static: str = ""  # nginx's path for the same bytes
    urls: dict[str, tuple[str, list[str]]] = dataclasses.field(default_factory=dict)
    nbytes: int = 0
    x_cache: str = ""
    media_type: str = ""
    skipped: dict[str, str] = dataclasses.field(default_factory=dict)  # access → why


def prepare(data: Path, spec: Spec, page: bytes) -> Prepared:
    """The processing of one answer, stored with FileStore: page 1 (`page`, or the
    generated page of a stored-page row) and the answer's own file."""
    import pyvips

    from service.artifacts.catalogue import (
        file_of,
        page_file,
        sub_pdf_file,
        sub_pdf_name,
        write_full_body,
    )
    from service.artifacts.store import FileStore

    store = FileStore(data)
    pid = store.create("bench", "ocr").processing_id
    stored: bytes | None = None
    results = ["page-images", "thumbnail"]
    sub_pdfs: list[str] = []
    if spec.kind == STORED:
        page = stored = page_jpeg(spec)
    store.write_artifact(pid, page_file(1), page)
    image = pyvips.Image.new_from_buffer(page, "")
    base = f"/processing/results/{pid}"
    if spec.kind in (STORED, SCALED):
        path = f"{base}/page-images/1{spec.ask}"
    elif spec.kind == THUMB:
        path = f"{base}/thumbnail"
    elif spec.kind == TILE:
        path = f"/iiif/3/{pid}~1/{spec.ask}/0/default.jpg"
    elif spec.kind in (OCR, HOCR):
        stored = text_of_size(spec.kind, spec.size)
        name = "ocr" if spec.kind == OCR else "hocr"
        store.write_artifact(pid, file_of(name), stored, compress=True)
        results.insert(0, name)
        path = f"{base}/{name}"
    elif spec.kind == SUB_PDF:
        stored = pdf_of_size(spec.size, 7)
        store.write_artifact(pid, sub_pdf_file(0), stored)
        sub_pdfs.append(sub_pdf_name(0))
        results.append("sub-pdfs")
        path = f"{base}/sub-pdfs/0"
    else:
        stored = pdf_of_size(spec.size, 5)
        store.write_artifact(pid, file_of("pdf"), stored)
        results.append("pdf")
        path = f"{base}/pdf"
    done = store.succeed(pid, pages=[(image.width, image.height)], results=results,
                         sub_pdfs=sub_pdfs)
    write_full_body(store, done, "OCR")
    return Prepared(spec, pid, path, stored)


# -- the run -----------------------------------------------------------------------

class Matrix:
    def __init__(self, seconds: float, rounds: int, quick: bool, only: list[str]) -> None:
        self.bench = Bench(False, seconds)
        self.bench.rounds = rounds
        self.bench.warmup = 1.0 if quick else 2.0
        self.bench.only = "matrix"
        self.bench.data = WORK / "matrix-data"
        self.bench.static = WORK / "matrix-static"
        self.quick = quick
        self.specs = [s for s in SPECS if (s.quick or not quick)
                      and (not only or KINDS[s.kind] in only)]
        self.cells: list[dict[str, Any]] = []

    def run(self) -> dict[str, Any]:
        b = self.bench
        t0 = time.monotonic()
        for d in (b.data, b.static):
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir(parents=True)
        for binary, packages in (("wrk", [["wrk"]]), ("nginx", [["nginx-light"], ["nginx"]])):
            if ensure_binary(binary, packages) is None:
                raise SystemExit(f"{binary} is missing and apt-get could not install it")
        b.collect_versions()
        runs = 4 * (b.rounds * b.seconds + b.warmup) + 2
        say(f"{len(self.specs)} answers x (API key, signed URL, share token, nginx), "
            f"{b.rounds} round(s) of {b.seconds:.0f} s: about "
            f"{len(self.specs) * runs / 60:.0f} min of wrk")
        say("generating the stored files")
        page = fixtures.page_jpeg(1)
        prepared = [prepare(b.data, spec, page) for spec in self.specs]
        try:
            folio, base = b.folio("folio-matrix", FOLIO_JOB_WORKERS="0")
            nginx = b.nginx(open_file_cache=True)
            if nginx is None:
                raise SystemExit("nginx is missing")
            ng = b.procs[-1]
            worker = (children(ng.pid) or [ng.pid])[0]
            for p in prepared:
                self.check(base, nginx, p)
            for n, p in enumerate(prepared, 1):
                say(f"[{n}/{len(prepared)}] {p.spec.kind}: {p.spec.label} "
                    f"({p.nbytes:,} bytes, X-Cache {p.x_cache or '-'})")
                self.measure(p, nginx, (folio.pid, worker), folio.alive)
        finally:
            b.stop_all()
        return self.data(time.monotonic() - t0)

    def check(self, base: str, nginx: str, p: Prepared) -> None:
        """The three folio URLs of `p`, each read twice (the second one is what the
        hot path answers): status, bytes and X-Cache; nginx's file from the keyed bytes."""
        from service.access.signing import Signer, load_or_create_key

        b = self.bench
        token = httpx.post(f"{base}/share-tokens/documents", headers=HEADERS, json={
            "document_id": p.pid,
            "expires_at": (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)).isoformat()})
        sep = "&" if "?" in p.path else "?"
        signed = Signer([load_or_create_key(b.data)]).sign(p.path, ttl=2 * 24 * 3600)
        p.urls = {"key": (base + p.path, [AUTH, IDENTITY]),
                  "signed": (base + signed, [IDENTITY])}
        if token.status_code == 201:
            p.urls["token"] = (f"{base}{p.path}{sep}token={token.json()['token']}", [IDENTITY])
        else:
            p.skipped["token"] = f"POST /share-tokens/documents answered {token.status_code}"
        what = f"{p.spec.kind} {p.spec.label}"
        keyed: bytes | None = None
        for access, (url, headers) in list(p.urls.items()):
            sent = dict(h.split(": ", 1) for h in headers)
            first = httpx.get(url, headers=sent, timeout=60)
            answer = httpx.get(url, headers=sent, timeout=60)
            if answer.status_code != 200:
                p.skipped[access] = f"answered {answer.status_code} {answer.text[:120]!r}"
                del p.urls[access]
                continue
            if access == "key":
                keyed = answer.content
                p.x_cache = f"{first.headers.get('x-cache', '-')}, then " \
                            f"{answer.headers.get('x-cache', '-')}"
                p.media_type = answer.headers.get("content-type", "")
                if p.stored is not None and keyed != p.stored:
                    b.notes.append(f"{what}: folio answered {len(keyed):,} bytes, not the "
                                   f"{len(p.stored):,} stored ones.")
            elif keyed is not None and answer.content != keyed:
                b.notes.append(f"{what}: the {ACCESS_NAMES[access]} answer ({len(answer.content):,}"
                               f" bytes) differs from the keyed one ({len(keyed):,} bytes).")
        body = keyed if keyed is not None else p.stored
        if body is None:
            p.skipped["nginx"] = "no folio answer to copy"
            return
        p.nbytes = len(body)
        p.static = f"/{KINDS[p.spec.kind]}-{p.pid}.{EXT[p.spec.kind]}"
        (b.static / p.static[1:]).write_bytes(body)
        check = httpx.get(nginx + p.static, headers={"Accept-Encoding": "identity"})
        assert check.content == body, p.static
        for access, why in p.skipped.items():
            b.notes.append(f"{what}: {ACCESS_NAMES.get(access, access)} not measured: {why}.")

    def measure(self, p: Prepared, nginx: str, pids: tuple[int, int],
                alive: Callable[[], bool]) -> None:
        """The folio URLs of `p` and nginx's file in alternation, the order rotating
        each round; a warm-up before each URL's first measured run."""
        b = self.bench
        if "nginx" in p.skipped:
            return
        targets = [(a, *p.urls[a], pids[0]) for a in ACCESS if a in p.urls]
        targets.append(("nginx", nginx + p.static, [IDENTITY], pids[1]))
        results: dict[str, list[WrkResult]] = {t[0]: [] for t in targets}
        for i in range(b.rounds):
            k = i % len(targets)
            for name, url, headers, pid in targets[k:] + targets[:k]:
                if name != "nginx" and not alive():
                    b.notes.append(f"folio exited during {p.spec.kind} {p.spec.label}.")
                    return
                results[name].append(b.wrk(url, headers, warm=i == 0, cpu_pid=pid))
        ref = results["nginx"]
        goal = target_ratio(p.spec.kind, p.nbytes)
        for access in ACCESS:
            runs = results.get(access, [])
            folio_rps = statistics.median(r.rps for r in runs) if runs else None
            failed = [r for r in runs if not r.ok]
            note = (f"{len(runs)} run(s): folio " + "/".join(f"{r.rps:,.0f}" for r in runs)
                    + ", nginx " + "/".join(f"{r.rps:,.0f}" for r in ref))
            if failed:
                note += (f"; {sum(r.non2xx for r in failed)} non-2xx, "
                         f"{sum(r.errors for r in failed)} socket errors")
            if access in p.skipped:
                note = f"not measured: {p.skipped[access]}"
            row = Row(f"{p.spec.kind}: {p.spec.label}, {ACCESS_NAMES[access]}", folio_rps,
                      "nginx", statistics.median(r.rps for r in ref), "req/s",
                      f">={goal}x", note, [r.rps for r in runs], [r.rps for r in ref],
                      median_latency(runs), median_latency(ref))
            b.add(row)
            self.cells.append({
                **dataclasses.asdict(row), "kind": p.spec.kind, "label": p.spec.label,
                "access": access, "bytes": p.nbytes, "x_cache": p.x_cache,
                "media_type": p.media_type, "errors": bool(failed),
                "cpu_us": [statistics.median(r.cpu_us for r in runs) if runs else None,
                           statistics.median(r.cpu_us for r in ref)]})

    def data(self, elapsed: float) -> dict[str, Any]:
        b = self.bench
        return {"when": f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
                "mode": "quick" if self.quick else "standing", "seconds": b.seconds,
                "rounds": b.rounds, "warmup": b.warmup, "elapsed": round(elapsed),
                "load": " ".join(loadavg()), "cpus": os.cpu_count(),
                "machine": f"{os.cpu_count()} CPUs (`nproc` = {version_of(['nproc'])}), "
                           f"{cpu_model()}, {platform.platform()}",
                "versions": {k: v for k, v in b.versions.items()
                             if k not in ("thumbor", "varnish", "tesseract", "redis-server")},
                "notes": b.notes, "rows": self.cells}


# -- the verdicts ----------------------------------------------------------------

def as_row(cell: dict[str, Any]) -> Row:
    return Row(**{f.name: cell[f.name] for f in dataclasses.fields(Row)})


def p99_ratio(cell: dict[str, Any]) -> float | None:
    f, r = cell.get("folio_lat"), cell.get("ref_lat")
    return f[1] / r[1] if f and r and r[1] > 0 else None


def p99_met(cell: dict[str, Any]) -> str:
    ratio = p99_ratio(cell)
    return "n/a" if ratio is None else ("met" if ratio <= P99_LIMIT else "MISSED")


def ratio_met(cell: dict[str, Any]) -> str:
    met = as_row(cell).met
    if cell.get("errors") and met == "yes":
        return "errors"  # fast, but not all answers were 2xx
    return {"yes": "met", "NO": "MISSED"}.get(met, met)


def answers(cells: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The cells grouped by answer (kind and label), in run order."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for c in cells:
        groups.setdefault((c["kind"], c["label"]), []).append(c)
    return list(groups.values())


def spread(group: list[dict[str, Any]]) -> float | None:
    """How far apart the keyed, signed and token req/s are: max / min - 1."""
    values = [c["folio"] for c in group if c["folio"]]
    return max(values) / min(values) - 1 if len(values) == len(ACCESS) else None


def spread_met(group: list[dict[str, Any]]) -> str:
    value = spread(group)
    return "n/a" if value is None else ("met" if value <= SPREAD_LIMIT else "MISSED")


def size(n: int) -> str:
    if n >= MB:
        return f"{n / MB:.1f} MB"
    return f"{n / KB:.0f} KB" if n >= 10 * KB else f"{n / KB:.1f} KB"


# -- the report --------------------------------------------------------------------

HOW = """## How to run

```
.venv/bin/python -m benchmarks.matrix               # 5 s runs, 3 rounds, every size (~30 min)
.venv/bin/python -m benchmarks.matrix --quick       # 1 s runs, 1 round, fewer sizes: does it work
.venv/bin/python -m benchmarks.matrix --seconds 10 --rounds 5   # figures to quote
.venv/bin/python -m benchmarks.matrix --only ocr --only pdf     # some kinds alone
.venv/bin/python -m benchmarks.matrix --replot      # this file and the plot again, from
                                                    # results-matrix.json
```

Needs wrk and nginx (apt-get installs them when run as root) and matplotlib for the
plot (`.venv/bin/pip install -e '.[bench]'`). Run it on a quiet machine: wrk, folio and
nginx share the CPUs, so ratios are only comparable within one run."""


def write_report(data: dict[str, Any]) -> None:
    cells = data["rows"]
    quick = data["mode"] == "quick"
    groups = answers(cells)
    ratio_verdicts = [ratio_met(c) for c in cells]
    p99_verdicts = [p99_met(c) for c in cells]
    spread_verdicts = [spread_met(g) for g in groups]
    lines = ["# folio against nginx: every stored answer (issue 23's matrix)", ""]
    if quick:
        lines += ["> **A `--quick` validation run** (1 s runs, one round, fewer sizes) on a "
                  "shared machine: it shows the matrix works end to end. Its figures are "
                  "noise, not a result.", ""]
    try:
        svg = draw(data)
        plot = f"![folio / nginx by answer size; per kind: throughput and latency]({svg.name})"
    except ImportError:
        plot = "(no plot: matplotlib is missing; `.venv/bin/pip install -e '.[bench]'`)"
    lines += [
        f"Generated by `.venv/bin/python -m benchmarks.matrix` ({data['mode']} mode: "
        f"{data['seconds']:.0f} s wrk runs, {data['rounds']} alternating round"
        f"{'s' if data['rounds'] != 1 else ''}, a "
        f"{data['warmup']:.0f} s warm-up before each URL's first run) on {data['when']}; "
        f"the run took {data['elapsed']} s. Machine: {data['machine']}; load average at "
        f"the end {data['load']}.",
        "",
        "Every answer is read from one folio process (`folio serve --workers 1`, uvicorn, "
        "`FOLIO_JOB_WORKERS=0`, access log off, rate limit out of the way) with the API "
        "key header, a signed URL (the data directory's key, as `folio sign` makes it) "
        "and a share token (`POST /share-tokens/documents`, `?token=`), and the keyed "
        "answer's bytes from one nginx worker (`sendfile on`, `tcp_nopush on`, "
        "`open_file_cache`). wrk -t2 -c32 --latency, `Accept-Encoding: identity` on both "
        "sides; the four URLs of an answer alternate, the order rotating every round; "
        "figures are medians over the rounds, latencies the medians of each run's p50 and "
        "p99. CPU = the server process's CPU time per answer (from /proc, all threads), "
        "which moves far less with the machine's load than req/s does.",
        "",
        "Targets (issue 23, folio / nginx in one run): 10 KB >= 0.4x, 64 KB >= 0.5x, "
        "1 MB and 8 MB >= 0.8x (an answer takes the size class nearest to its size on a "
        "log scale), a stored page also >= 0.6x; p99 <= 2x nginx's on every row; keyed, "
        "signed and token req/s within 10 % of each other (max / min - 1, per answer).",
        "",
        "## Summary",
        "",
        f"- throughput target: {_count(ratio_verdicts)}",
        f"- p99 <= 2x nginx: {_count(p99_verdicts)}",
        f"- keyed / signed / token within 10 %: {_count(spread_verdicts)}",
        "",
        plot,
        "",
    ]
    for kind in KINDS:
        rows = [g for g in groups if g[0]["kind"] == kind]
        if rows:
            lines += [f"## {kind}", "", *kind_table(rows), ""]
    notes = [f"- {n}" for n in data["notes"]] or ["- none"]
    lines += ["## Notes from this run", "", *notes, "",
              "## Versions", "", *[f"- {k}: {v}" for k, v in data["versions"].items()], "",
              HOW, ""]
    MD.write_text("\n".join(lines))
    say(f"wrote {MD}")


def _count(verdicts: list[str]) -> str:
    counts = {v: verdicts.count(v) for v in dict.fromkeys(verdicts)}
    return ", ".join(f"{n} {v}" for v, n in counts.items()) or "nothing measured"


def kind_table(groups: list[list[dict[str, Any]]]) -> list[str]:
    out = ["| answer | bytes | X-Cache (1st, 2nd) | access | folio req/s | folio p50 / p99 ms "
           "| nginx req/s | nginx p50 / p99 ms | ratio | target | met | p99 ratio (<=2x) "
           "| CPU µs/answer folio / nginx | keyed/signed/token spread (<=10 %) |",
           "|---|---:|---|---|---:|---:|---:|---:|---:|---|---|---:|---:|---|"]
    for group in groups:
        value = spread(group)
        spread_text = f"{value * 100:.0f} % {spread_met(group)}" if value is not None else "n/a"
        for i, c in enumerate(group):
            row = as_row(c)
            ratio = f"{row.ratio:.2f}x" if row.ratio is not None else "-"
            p99 = p99_ratio(c)
            cpu = c.get("cpu_us") or [None, None]
            cpu_text = " / ".join("-" if x is None else f"{x:,.0f}" for x in cpu)
            first = i == 0
            label, nbytes, x_cache = ((c["label"], f"{c['bytes']:,}", c["x_cache"]) if first
                                      else ("", "", ""))
            out.append(
                f"| {label} | {nbytes} | {x_cache} | {ACCESS_NAMES[c['access']]} "
                f"| {fmt(row.folio)} | {fmt_lat(row.folio_lat)} | {fmt(row.ref)} "
                f"| {fmt_lat(row.ref_lat)} | {ratio} | {row.target} | {ratio_met(c)} "
                f"| {'-' if p99 is None else f'{p99:.2f}x'} {p99_met(c)} | {cpu_text} "
                f"| {spread_text if first else ''} |")
    return out


# -- the plot ----------------------------------------------------------------------

MARKERS = {STORED: "o", SCALED: "s", THUMB: "v", TILE: "D", OCR: "^", HOCR: "<",
           SUB_PDF: ">", PDF: "P"}
COLOURS = {"key": "#1f77b4", "signed": "#ff7f0e", "token": "#2ca02c"}


def draw(data: dict[str, Any], out: Path = SVG) -> Path:
    """Top: folio / nginx req/s and p99 against the answer's size, every cell; below,
    per kind, the panels of benchmarks.plots (throughput relative to nginx with the
    run range and the target, p50-p99 latency of both)."""
    plt = plots.pyplot()
    cells = [c for c in data["rows"] if c["folio_runs"] and c["ref_runs"]]
    kinds = [k for k in KINDS if any(c["kind"] == k for c in cells)]
    heights = [3.4] + [0.45 * sum(c["kind"] == k for c in cells) + 0.9 for k in kinds]
    tall = sum(heights) + 0.6 * len(heights) + 1
    fig = plt.figure(figsize=(15, tall))
    grid = fig.add_gridspec(len(heights), 2, height_ratios=heights, hspace=0.6, wspace=0.45,
                            width_ratios=[1.25, 1], top=1 - 1.2 / tall, bottom=0.3 / tall)
    ratio_ax, p99_ax = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
    for c in cells:
        ratio, p99 = as_row(c).ratio, p99_ratio(c)
        style = {"marker": MARKERS[c["kind"]], "color": COLOURS[c["access"]], "ms": 5,
                 "mec": "black", "mew": 0.4, "ls": "none"}
        if ratio is not None:
            ratio_ax.plot([c["bytes"]], [ratio], **style)
            ratio_ax.plot([c["bytes"]], [float(c["target"][2:-1])], "_", color="red", ms=9)
        if p99 is not None:
            p99_ax.plot([c["bytes"]], [p99], **style)
    for ax, limit, title in ((ratio_ax, None, "req/s folio / nginx (red dash = target)"),
                             (p99_ax, P99_LIMIT, "p99 folio / nginx (red line = 2x; log)")):
        ax.set_xscale("log")
        ax.axhline(1.0, color="grey", lw=0.6, ls=":")
        if limit:
            ax.axhline(limit, color="red", lw=1, ls="--")
        ax.set_xlabel("answer size, bytes (log scale)", fontsize=8)
        ax.set_title(title, fontsize=9)
    ratio_ax.set_ylim(bottom=0)
    p99_ax.set_yscale("log")  # one slow row would squash every other
    p99_ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))
    handles = [plt.Line2D([], [], marker=MARKERS[k], color="grey", ls="none", label=k)
               for k in kinds]
    handles += [plt.Line2D([], [], marker="o", color=COLOURS[a], ls="none",
                           label=ACCESS_NAMES[a]) for a in ACCESS]
    p99_ax.legend(handles=handles, fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1))
    for i, kind in enumerate(kinds, 1):
        rows = [{**c, "scenario": f"{c['label']}, {ACCESS_NAMES[c['access']]} "
                                  f"({size(c['bytes'])})"}
                for c in cells if c["kind"] == kind]
        tput, lat = fig.add_subplot(grid[i, 0]), fig.add_subplot(grid[i, 1])
        plots.throughput_panel(tput, rows)
        plots.latency_panel(lat, rows)
        tput.set_title(f"{kind}: req/s relative to nginx's median (blue folio, grey nginx, "
                       "red tick = target)", fontsize=9)
        tput.set_xlabel("")
        lat.set_title(f"{kind}: latency, ms (dot p50, bar end p99; log scale)", fontsize=9)
        lat.set_xlabel("")
    fig.suptitle(f"folio vs nginx, every stored answer: {data['when']} ({data['mode']} mode, "
                 f"{data['seconds']:.0f} s x {data['rounds']}, load average {data['load']} "
                 f"on {data['cpus']} CPUs)", fontsize=10, y=1 - 0.3 / tall)
    fig.savefig(out, format=out.suffix[1:], bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return out


def summary(data: dict[str, Any]) -> None:
    print_table([as_row(c) for c in data["rows"]])
    print()
    for group in answers(data["rows"]):
        c = group[0]
        value = spread(group)
        p99s = " ".join(f"{ACCESS_NAMES[x['access']]} "
                        f"{'-' if p99_ratio(x) is None else f'{p99_ratio(x):.2f}x'}"
                        for x in group)
        spread_text = "n/a" if value is None else f"{value * 100:.0f} %"
        name = f"{c['kind']}: {c['label']}"
        print(f"{name[:62]:62} {size(c['bytes']):>8}  p99 folio/nginx: {p99s}; "
              f"keyed/signed/token spread {spread_text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, help="length of each wrk run (5; quick 1)")
    parser.add_argument("--rounds", type=int, help="alternating rounds per answer (3; quick 1)")
    parser.add_argument("--quick", action="store_true",
                        help="1 s runs, 1 round, one or two sizes per kind: does it work")
    parser.add_argument("--only", action="append", choices=sorted(KINDS.values()), default=[],
                        help="only this kind (repeatable)")
    parser.add_argument("--replot", action="store_true",
                        help="RESULTS-matrix.md and the plot from results-matrix.json")
    args = parser.parse_args()
    if args.replot:
        data = orjson.loads(DATA.read_bytes())
    else:
        seconds = args.seconds or (1.0 if args.quick else 5.0)
        rounds = args.rounds or (1 if args.quick else 3)
        data = Matrix(seconds, rounds, args.quick, args.only).run()
        DATA.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))
    summary(data)
    write_report(data)


if __name__ == "__main__":
    main()
