"""A small DevTools-protocol client for a real headless Chromium.

Just what the browser tests need: open a page, run JavaScript, wait for a
condition, dispatch mouse-wheel input, record network responses, and take
a screenshot. One page target, one websocket, commands answered in order.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars",
         "--mute-audio", "--remote-debugging-port=0")
_LISTENING = re.compile(r"DevTools listening on (ws://\S+)")


def chromium_binary() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Response:
    url: str
    status: int
    headers: dict[str, str]
    kind: str  # the DevTools resource type: Document, XHR, Image, Preflight...


@dataclass
class Page:
    socket: ClientConnection
    responses: list[Response] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def send(self, method: str, params: dict[str, Any] | None = None,
             timeout: float = 30) -> dict[str, Any]:
        call_id = next(self._ids)
        self.socket.send(json.dumps({"id": call_id, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.socket.recv(timeout=max(0.01, deadline - time.monotonic())))
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self._event(message)

    def _event(self, message: dict[str, Any]) -> None:
        if message.get("method") == "Network.responseReceived":
            response = message["params"]["response"]
            headers = {k.lower(): v for k, v in response["headers"].items()}
            self.responses.append(Response(response["url"], response["status"], headers,
                                           message["params"].get("type", "")))

    def pump(self) -> None:
        """Read the events that have arrived (responses recorded) without blocking long."""
        while True:
            try:
                raw = self.socket.recv(timeout=0.05)
            except TimeoutError:
                return
            self._event(json.loads(raw))

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out waiting for {expression}")
            self.pump()
            time.sleep(0.1)

    def goto(self, url: str) -> None:
        self.send("Page.navigate", {"url": url})
        self.wait_for("document.readyState === 'complete'")

    def wheel(self, x: float, y: float, delta_y: float) -> None:
        self.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})
        self.send("Input.dispatchMouseEvent", {"type": "mouseWheel", "x": x, "y": y,
                                               "deltaX": 0, "deltaY": delta_y})

    def hover(self, x: float, y: float) -> None:
        self.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})

    def screenshot(self) -> bytes:
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        return base64.b64decode(data)


@contextmanager
def browser(width: int = 1280, height: int = 900) -> Iterator[Page]:
    binary = chromium_binary()
    assert binary is not None
    profile = tempfile.mkdtemp(prefix="folio-chromium-")
    log = Path(profile) / "stderr.log"
    # stderr to a file: a pipe nobody reads would stall the browser once full
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
             "about:blank"],
            stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        endpoint = _endpoint(process, log)
        port = endpoint.split(":")[2].split("/")[0]
        targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        target = next(t for t in targets if t["type"] == "page")
        with connect(target["webSocketDebuggerUrl"], max_size=64 * 1024 * 1024,
                     open_timeout=10) as socket:
            page = Page(socket)
            page.send("Page.enable")
            page.send("Network.enable")
            # every request goes to the server: what the test counts is what folio saw
            page.send("Network.setCacheDisabled", {"cacheDisabled": True})
            page.send("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
            yield page
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(profile, ignore_errors=True)


def _endpoint(process: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + 30
    text = ""
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        match = _LISTENING.search(text)
        if match:
            return match.group(1)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError("chromium did not start: " + text[-2000:])


def save_for_review(image: Any, name: str) -> None:
    """Keep a screenshot in $TMPDIR/folio-browser-shots for a person to look at."""
    folder = Path(tempfile.gettempdir()) / "folio-browser-shots"
    folder.mkdir(exist_ok=True)
    image.write_to_file(str(folder / f"{name}.png"))
