"""The app served by real gunicorn over loopback HTTP, as the container serves it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request

from tests.support.net import free_port
from tests.support.webapp_server import WEBAPP_DIR, RunningApp, running_webapp


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, dict(response.headers), response.read()


def test_gunicorn_serves_the_landing_page(gunicorn_app: RunningApp) -> None:
    status, headers, body = _get(f"{gunicorn_app.base_url}/")

    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert b"<h1>your fancy app, deployed</h1>" in body


def test_gunicorn_serves_healthz(gunicorn_app: RunningApp, app_version: str) -> None:
    status, headers, body = _get(f"{gunicorn_app.base_url}/healthz")

    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"status": "ok", "version": app_version}


def test_gunicorn_logs_requests_to_stdout(gunicorn_app: RunningApp) -> None:
    _get(f"{gunicorn_app.base_url}/healthz")

    assert '"GET /healthz HTTP/1.1" 200' in gunicorn_app.log_path.read_text()


def test_container_healthcheck_script(gunicorn_app: RunningApp) -> None:
    port = gunicorn_app.base_url.rsplit(":", 1)[1]
    probe = [sys.executable, str(WEBAPP_DIR / "healthcheck.py")]

    healthy = subprocess.run(probe, env={**os.environ, "PORT": port}, check=False)
    unhealthy = subprocess.run(
        probe, env={**os.environ, "PORT": str(free_port())}, capture_output=True, check=False
    )

    assert healthy.returncode == 0
    assert unhealthy.returncode == 1
    assert b"unhealthy" in unhealthy.stderr


def test_gunicorn_stops_cleanly_on_sigterm() -> None:
    with running_webapp() as app:
        pass

    assert app.process.returncode == 0
    assert "Shutting down: Master" in app.log_path.read_text()
