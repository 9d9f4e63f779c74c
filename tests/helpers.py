"""Shared test helpers: a real folio server over TCP and processings made through the store."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import orjson
import pikepdf
import pyvips

from service.artifacts.catalogue import (
    file_of,
    page_file,
    sub_pdf_file,
    sub_pdf_name,
    write_full_body,
)
from service.artifacts.record import Record
from service.artifacts.store import FileStore

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("FOLIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SpareRedis:
    """A throwaway redis-server on a free port that a test can stop, restart or freeze
    (the shared one on 6379 must never be touched)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


class Server:
    def __init__(self, url: str, data_dir: Path, process: subprocess.Popen[bytes]) -> None:
        self.url = url
        self.data_dir = data_dir
        self.process = process
        self.store = FileStore(data_dir)

    def client(self, secret: str | None = None,
               headers: dict[str, str] | None = None) -> httpx.Client:
        all_headers = {"Authorization": f"ApiKey {secret}"} if secret else {}
        all_headers.update(headers or {})
        client = httpx.Client(base_url=self.url, headers=all_headers, timeout=30)
        OPEN_CLIENTS.append(client)
        return client


OPEN_CLIENTS: list[httpx.Client] = []


def close_clients() -> None:
    while OPEN_CLIENTS:
        OPEN_CLIENTS.pop().close()


@contextmanager
def run_server(data_dir: Path, env: dict[str, str] | None = None,
               args: tuple[str, ...] = ()) -> Iterator[Server]:
    port = free_port()
    full_env = {**os.environ, "FOLIO_DATA_DIR": str(data_dir), "FOLIO_ACCESS_LOG": "false",
                "FOLIO_LOG_LEVEL": "warning", **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port), *args],
        cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                out = process.stdout.read().decode() if process.stdout else ""
                raise RuntimeError(f"server exited: {out}")
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        yield Server(url, data_dir, process)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


def jpeg(width: int, height: int) -> bytes:
    image = pyvips.Image.xyz(width, height)[0].cast("uchar").bandjoin([128, 200])
    data: bytes = image.write_to_buffer(".jpg[Q=90]")
    return data


def tiny_pdf(pages: int) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


OCR_BODY = {"pages": [{"width": 40, "height": 60, "bboxes": [
    {"id": 1, "x1": 1, "y1": 2, "x2": 10, "y2": 8, "text": "Rechnung", "text_entropy": 0.0}],
    "fulltext": "Rechnung " + "Lorem ipsum dolor sit amet " * 80}]}


def make_processing(store: FileStore, tenant: str, workflow: str = "generic_splitting",
                    status: str = "succeeded", pages: int = 2,
                    error: str = "the PDF is encrypted",
                    sizes: list[tuple[int, int]] | None = None) -> Record:
    """A processing with every artifact of its workflow, written through the store API."""
    record = store.create(tenant, workflow)
    pid = record.processing_id
    if status == "pending":
        return record
    store.mark_running(pid)
    if status == "running":
        return store.load(pid)  # type: ignore[return-value]
    if status == "failed":
        return store.fail(pid, error)
    sizes = sizes or [(40 + 10 * i, 60) for i in range(pages)]
    pages = len(sizes)
    for n, (w, h) in enumerate(sizes, 1):
        store.write_artifact(pid, page_file(n), jpeg(w, h))
    store.write_artifact(pid, file_of("ocr"), orjson.dumps(OCR_BODY), compress=True)
    hocr = ("<!DOCTYPE html><html><body>" + "<div class='ocr_page'>x</div>" * 200
            + "</body></html>").encode()
    store.write_artifact(pid, file_of("hocr"), hocr, compress=True)
    store.write_artifact(pid, file_of("language"), b'{"iso_639_1":"de"}')
    store.write_artifact(pid, file_of("pdf"), tiny_pdf(pages))
    results = ["ocr", "hocr", "language", "page-images", "thumbnail", "pdf"]
    sub_pdfs: list[str] = []
    if workflow == "invoice_extraction":
        store.write_artifact(pid, file_of("extractions"),
                             b'{"schema_version":2,"document_type":"invoice"}', compress=True)
        ner = {"types": [{"reference": {"page_num": 1, "bbox_id": 1}, "type": "VOID",
                          "type_probs": [{"type": "VOID", "prob": 1.0}]}],
               "groupings": {"line_item": [], "vendor": [], "customer": []}}
        store.write_artifact(pid, "ner.json", orjson.dumps(ner), compress=True)
        results += ["extractions", "ner"]
    if workflow == "generic_splitting":
        split = {"schema_version": 1, "sub_documents": [
            {"name": "sub_document_0", "pages": [1]},
            {"name": "sub_document_1", "pages": list(range(2, pages + 1))}],
            "split_point_confidences": [0.9] + [0.1] * (pages - 2)}
        store.write_artifact(pid, file_of("document-splitting"), orjson.dumps(split),
                             compress=True)
        for i in range(2):
            store.write_artifact(pid, sub_pdf_file(i), tiny_pdf(1 + i))
            sub_pdfs.append(sub_pdf_name(i))
        results += ["document-splitting", "sub-pdfs"]
    done = store.succeed(pid, pages=sizes, results=results, sub_pdfs=sub_pdfs)
    write_full_body(store, done, workflow)
    return done


def metric(text: str, name: str) -> float:
    """The value of an unlabelled metric in a Prometheus text exposition."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


def folio(data_dir: Path, *args: str, env: dict[str, str] | None = None
          ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service.cli", *args], cwd=ROOT,
                          env={**os.environ, "FOLIO_DATA_DIR": str(data_dir), **(env or {})},
                          capture_output=True, text=True, timeout=60)


def secret_from(output: str) -> str:
    return next(line.split()[-1] for line in output.splitlines() if line.startswith("secret:"))
