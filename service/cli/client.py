"""`folio worker`, `folio submit`, `folio get` and `folio delete`."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx


def _base(args: argparse.Namespace) -> tuple[str, dict[str, str]]:
    key = args.key or os.environ.get("FOLIO_KEY")
    if not key:
        print("folio: give --key or set FOLIO_KEY to an API key secret", file=sys.stderr)
        raise SystemExit(2)
    return args.url.rstrip("/"), {"Authorization": f"ApiKey {key}"}


def _progress(path: Path) -> Iterator[bytes]:
    total = path.stat().st_size or 1
    sent = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(256 * 1024):
            sent += len(chunk)
            print(f"\ruploading {path.name}: {sent * 100 // total:3d}%", end="",
                  file=sys.stderr, flush=True)
            yield chunk
    print(file=sys.stderr)


def cmd_submit(args: argparse.Namespace) -> int:
    url, headers = _base(args)
    path = Path(args.file)
    if not path.is_file():
        print(f"folio: no such file {path}", file=sys.stderr)
        return 2
    boundary = "folio" + os.urandom(8).hex()
    params = f'{{"language": "{args.language}"}}'

    def body() -> Iterator[bytes]:
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"parameters\"\r\n\r\n"
               f"{params}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
               f"filename=\"{path.name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
               ).encode()
        yield from _progress(path)
        yield f"\r\n--{boundary}--\r\n".encode()

    with httpx.Client(timeout=300, headers=headers) as client:
        response = client.post(f"{url}/processing/{args.workflow}?wait_for=0", content=body(),
                               headers={"Content-Type":
                                        f"multipart/form-data; boundary={boundary}"})
        if response.status_code not in (201, 202):
            print(f"folio: {response.status_code} {response.text}", file=sys.stderr)
            return 1
        pid = response.json()["processing_id"]
        print(f"processing id: {pid}")
        if args.wait:
            spinner = "|/-\\"
            started = time.monotonic()
            while response.status_code == 202:
                print(f"\rwaiting {spinner[int(time.monotonic()) % 4]} "
                      f"{time.monotonic() - started:5.0f} s", end="", file=sys.stderr,
                      flush=True)
                response = client.get(f"{url}/processing/results/{pid}?wait_for=5")
            print(file=sys.stderr)
            if response.status_code != 200:
                print(f"folio: {response.status_code} {response.text}", file=sys.stderr)
                return 1
            for name in response.json()["available_results"]:
                print(f"  {name}: {url}/processing/results/{pid}/{name}")
        else:
            print(f"  result: {url}/processing/results/{pid}")
    return 0


def cmd_get(args: argparse.Namespace) -> int:
    url, headers = _base(args)
    path = f"{url}/processing/results/{args.id}" + (f"/{args.result}" if args.result else "")
    with httpx.Client(timeout=300, headers=headers) as client, \
            client.stream("GET", path) as response:
        if response.status_code != 200:
            response.read()
            print(f"folio: {response.status_code} {response.text}", file=sys.stderr)
            return 1
        if args.output:
            with open(args.output, "wb") as out:
                for chunk in response.iter_bytes():
                    out.write(chunk)
        else:
            for chunk in response.iter_bytes():
                sys.stdout.buffer.write(chunk)
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    url, headers = _base(args)
    with httpx.Client(timeout=60, headers=headers) as client:
        response = client.delete(f"{url}/processing/results/{args.id}")
    if response.status_code != 204:
        print(f"folio: {response.status_code} {response.text}", file=sys.stderr)
        return 1
    print(f"deleted {args.id}")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from service.cli.commands import _database_ready, _settings, _setup_logging
    from service.cli.store_check import store_ready
    from service.jobs.arq_queue import run_arq_worker
    from service.jobs.embedded import EmbeddedWorkers

    settings = _settings()
    _setup_logging(settings.log_level)
    store_ready(settings)
    _database_ready(settings)
    if settings.redis_url:
        run_arq_worker(settings, burst=args.burst)
        return 0
    workers = EmbeddedWorkers(settings).start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        workers.stop()
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    worker = sub.add_parser("worker", help="run processing jobs (arq on Redis when "
                            "FOLIO_REDIS_URL is set, else the local directory queue)")
    worker.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    worker.set_defaults(func=cmd_worker)

    for name, func, help_text in (("submit", cmd_submit, "upload a document"),
                                  ("get", cmd_get, "download a result"),
                                  ("delete", cmd_delete, "delete a processing and all it "
                                   "produced (folio's extension)")):
        cmd = sub.add_parser(name, help=help_text)
        cmd.add_argument("--url", default=os.environ.get("FOLIO_URL", "http://127.0.0.1:8000"))
        cmd.add_argument("--key", help="API key secret (or FOLIO_KEY)")
        cmd.set_defaults(func=func)
        if name == "submit":
            cmd.add_argument("file")
            cmd.add_argument("--workflow", default="ocr")
            cmd.add_argument("--language", default="de", choices=["de", "en"])
            cmd.add_argument("--wait", action="store_true")
        else:
            cmd.add_argument("id")
            if name == "get":
                cmd.add_argument("result", nargs="?")
                cmd.add_argument("-o", "--output")
