"""Run the web app under real gunicorn, configured exactly as the container runs it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.net import LOOPBACK, free_port, http_answers, stop_process, wait_until

REPO_ROOT = Path(__file__).resolve().parents[2]
WEBAPP_DIR = REPO_ROOT / "webapp"


@dataclass(frozen=True)
class RunningApp:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path


@contextmanager
def running_webapp(
    version: str = "test-version", webapp_dir: Path = WEBAPP_DIR
) -> Iterator[RunningApp]:
    """Start gunicorn from ``webapp_dir`` on a free loopback port; always stop it."""
    port = free_port()
    log_path = Path(tempfile.mkdtemp()) / "gunicorn.log"
    env = {
        **os.environ,
        "HOST": LOOPBACK,
        "PORT": str(port),
        "APP_VERSION": version,
        "WEB_CONCURRENCY": "1",
    }
    gunicorn = [sys.executable, "-m", "gunicorn", "flaskapp:create_app()"]
    with log_path.open("wb") as log:
        # The command line names no config file: gunicorn must find gunicorn.conf.py
        # in its working directory, as it does in the image.
        process = subprocess.Popen(
            gunicorn, cwd=webapp_dir, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    app = RunningApp(f"http://{LOOPBACK}:{port}", process, log_path)
    try:
        wait_until(
            lambda: http_answers(f"{app.base_url}/healthz"),
            timeout=20,
            process=process,
            log=log_path,
            what="gunicorn",
        )
        yield app
    finally:
        stop_process(process)
