"""Headless Debian Chromium driven over the DevTools protocol (CDP).

``ensure_chromium`` installs the browser with apt when it is missing and fails
loudly when it cannot: a browser test that silently skips proves nothing.
``Page`` speaks CDP over the page target's websocket, keeping every event so a
test can inspect what the page asked the network for.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.net import LOOPBACK, stop_process, wait_until

CHROMIUM = Path("/usr/bin/chromium")
PACKAGES = ["chromium", "chromium-driver"]
LAUNCH_FLAGS = [
    "--headless",
    "--no-sandbox",  # we run as root in a container, where the sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-address=" + LOOPBACK,
    "--remote-debugging-port=0",  # Chromium picks a port and writes it to DevToolsActivePort
]


def ensure_chromium() -> Path:
    """Return the browser binary, installing Debian's chromium first if needed."""
    if CHROMIUM.exists():
        return CHROMIUM
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*sudo, "apt-get", "install", "-y", *PACKAGES]
    outputs: list[str] = []
    # A fresh machine has no package lists yet, so only a failed install earns an update.
    for attempt in ([install], [[*sudo, "apt-get", "update"], install]):
        ok = True
        for command in attempt:
            result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            outputs.append(f"$ {' '.join(command)}\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
            ok = result.returncode == 0
            if not ok:
                break
        if ok and CHROMIUM.exists():
            return CHROMIUM
    raise RuntimeError("could not install chromium with apt-get:\n" + "\n".join(outputs))


class Page:
    """A CDP session on one page target; events are kept in arrival order."""

    def __init__(self, websocket_url: str, timeout: float = 15.0) -> None:
        # Imported here so test folders that never start a browser need no websocket client.
        import websocket

        # Chromium rejects websocket handshakes that carry an Origin it does not allow.
        self._ws = websocket.create_connection(websocket_url, timeout=timeout, suppress_origin=True)
        self._timeout = timeout
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def close(self) -> None:
        self._ws.close()

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        call_id = self._next_id
        self._ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = self._receive()
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"CDP {method} failed: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    def wait_for(self, method: str, timeout: float | None = None, **match: Any) -> dict[str, Any]:
        """Wait for an event ``method`` whose params contain ``match``, seen or still to come."""
        deadline = time.monotonic() + (timeout or self._timeout)
        seen = 0
        while True:
            for event in self.events[seen:]:
                params = event.get("params", {})
                if event["method"] == method and all(params.get(k) == v for k, v in match.items()):
                    return event
            seen = len(self.events)
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} {match} within the timeout")
            self._receive()

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def requested_urls(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e["method"] == "Network.requestWillBeSent"
        ]

    def _receive(self) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(self._ws.recv())
        if "method" in message:
            self.events.append(message)
        return message


@contextmanager
def headless_page(binary: Path) -> Iterator[Page]:
    """Launch Chromium with a new empty profile and yield a session on its blank page."""
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-"))
    log_path = profile.parent / f"{profile.name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(binary), *LAUNCH_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    page: Page | None = None
    try:
        port_file = profile / "DevToolsActivePort"
        wait_until(
            # Two lines (port, browser path) mean Chromium has finished writing the file.
            lambda: port_file.exists() and len(port_file.read_text().splitlines()) >= 2,
            timeout=30,
            process=process,
            log=log_path,
            what="chromium",
        )
        port = port_file.read_text().split()[0]
        page = Page(_page_websocket_url(f"http://{LOOPBACK}:{port}"))
        yield page
    finally:
        if page is not None:
            page.close()
        stop_process(process)
        shutil.rmtree(profile, ignore_errors=True)


def _page_websocket_url(devtools_url: str) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{devtools_url}/json/list", timeout=5) as response:
            targets = json.load(response)
        pages = [t for t in targets if t.get("type") == "page"]
        if pages:
            url: str = pages[0]["webSocketDebuggerUrl"]
            return url
        time.sleep(0.1)
    raise TimeoutError("chromium opened no page target")
