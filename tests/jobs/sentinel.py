"""A throwaway primary, its replica and one Sentinel watching them (Debian's redis-server).

    with SentinelSetup(tmp_dir) as setup:
        setup.url   # redis+sentinel://127.0.0.1:<sentinel port>/folio/0
        setup.fail_over()   # stop the primary; returns once the replica is promoted
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

from tests.helpers import free_port

SERVICE = "folio"
HOST = "127.0.0.1"


class SentinelSetup:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.primary, self.replica, self.sentinel = free_port(), free_port(), free_port()
        self.processes: dict[int, subprocess.Popen[bytes]] = {}

    @property
    def url(self) -> str:
        return f"redis+sentinel://{HOST}:{self.sentinel}/{SERVICE}/0"

    def start(self) -> None:
        self._server(self.primary)
        self._server(self.replica, "--replicaof", HOST, str(self.primary))
        conf = self.directory / "sentinel.conf"
        conf.write_text(f"port {self.sentinel}\nbind {HOST}\n"
                        f"sentinel monitor {SERVICE} {HOST} {self.primary} 1\n"
                        f"sentinel down-after-milliseconds {SERVICE} 500\n"
                        f"sentinel failover-timeout {SERVICE} 2000\n")
        self.processes[self.sentinel] = subprocess.Popen(
            ["redis-server", str(conf), "--sentinel"], cwd=self.directory,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(lambda: _answers(self.sentinel), "sentinel")
        _wait(lambda: "master_link_status:up" in _cli(self.replica, "info", "replication"),
              "replica in sync")

    def primary_port(self) -> int:
        reply = _cli(self.sentinel, "sentinel", "get-master-addr-by-name", SERVICE).split()
        return int(reply[1]) if len(reply) == 2 else 0

    def fail_over(self) -> None:
        """Stop the primary; return once Sentinel names the replica instead."""
        self._stop(self.primary)
        _wait(lambda: self.primary_port() == self.replica, "failover", 30)

    def stop(self) -> None:
        for port in list(self.processes):
            self._stop(port)

    def _server(self, port: int, *args: str) -> None:
        self.processes[port] = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", HOST, "--save", "",
             "--appendonly", "no", "--dir", str(self.directory), *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(lambda: _answers(port), f"redis-server on {port}")

    def _stop(self, port: int) -> None:
        process = self.processes.pop(port, None)
        if process is not None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> SentinelSetup:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()


def _answers(port: int) -> bool:
    try:
        socket.create_connection((HOST, port), timeout=0.2).close()
    except OSError:
        return False
    return True


def _cli(port: int, *args: str) -> str:
    return subprocess.run(["redis-cli", "-h", HOST, "-p", str(port), *args],
                          capture_output=True, text=True, timeout=5).stdout


def _wait(ready: object, what: str, seconds: float = 20.0) -> None:
    assert callable(ready)
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.05)
