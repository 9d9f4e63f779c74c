"""A throwaway Redis Cluster of three masters from Debian's redis-server.

    with RedisClusterProcesses(tmp_dir) as cluster:
        cluster.url   # redis+cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3

Ports are picked below 55535 with their cluster bus port (+10000) free too.
"""

from __future__ import annotations

import random
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

MASTERS = 3
HOST = "127.0.0.1"


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def cluster_ports(count: int = MASTERS) -> list[int]:
    """`count` ports whose bus ports are free as well (checked, not reserved)."""
    chosen: list[int] = []
    while len(chosen) < count:
        port = random.randrange(20000, 45000)
        if port not in chosen and _free(port) and _free(port + 10000):
            chosen.append(port)
    return chosen


class RedisClusterProcesses:
    def __init__(self, directory: Path, masters: int = MASTERS) -> None:
        self.directory = Path(directory)
        self.ports = cluster_ports(masters)
        self.processes: list[subprocess.Popen[bytes]] = []

    @property
    def url(self) -> str:
        return "redis+cluster://" + ",".join(f"{HOST}:{port}" for port in self.ports)

    @property
    def nodes(self) -> list[tuple[str, int]]:
        return [(HOST, port) for port in self.ports]

    def start(self) -> None:
        for port in self.ports:
            node_dir = self.directory / str(port)
            node_dir.mkdir(parents=True, exist_ok=True)
            self.processes.append(subprocess.Popen(
                ["redis-server", "--port", str(port), "--bind", HOST, "--dir", str(node_dir),
                 "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                 "--cluster-node-timeout", "2000", "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for port in self.ports:
            self._wait(lambda p=port: _answers(p), f"redis-server on {port}")
        subprocess.run(
            ["redis-cli", "--cluster", "create", *(f"{HOST}:{p}" for p in self.ports),
             "--cluster-replicas", "0", "--cluster-yes"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        for port in self.ports:
            self._wait(lambda p=port: _cluster_ok(p), f"cluster state ok on {port}")

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()

    @staticmethod
    def _wait(ready: object, what: str, seconds: float = 20.0) -> None:
        assert callable(ready)
        deadline = time.monotonic() + seconds
        while not ready():
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out waiting for {what}")
            time.sleep(0.05)

    def __enter__(self) -> RedisClusterProcesses:
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


def _cluster_ok(port: int) -> bool:
    info = subprocess.run(["redis-cli", "-h", HOST, "-p", str(port), "cluster", "info"],
                          capture_output=True, text=True, timeout=5).stdout
    return "cluster_state:ok" in info
