"""The image definition: slim, non-root, stdlib health check, and a CMD that really serves.

No docker daemon runs here, so the Dockerfile is read rather than built; the
CMD and HEALTHCHECK lines are then run as written, with /app mapped to webapp/.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.support.net import LOOPBACK, free_port, http_answers, stop_process, wait_until
from tests.support.webapp_server import WEBAPP_DIR


def _instructions() -> list[tuple[str, str]]:
    text = (WEBAPP_DIR / "Dockerfile").read_text().replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), " ".join(rest.split())))
    return found


def _last(keyword: str) -> str:
    return [rest for kw, rest in _instructions() if kw == keyword][-1]


def _exec_form(rest: str) -> list[str]:
    """A JSON-array command with /app mapped to webapp/ and python to this interpreter."""
    argv: list[str] = json.loads(rest)
    argv = [arg.replace("/app/", f"{WEBAPP_DIR}/") for arg in argv]
    if argv[0] == "python":
        return [sys.executable, *argv[1:]]
    return [sys.executable, "-m", *argv]  # console scripts: gunicorn


def test_base_image_is_slim_python() -> None:
    assert re.fullmatch(r"python:3\.1[2-9]-slim(-\w+)?", _last("FROM"))


def test_runs_as_a_non_root_user() -> None:
    keywords = [kw for kw, _ in _instructions()]
    user = _last("USER")

    assert user not in {"root", "0"}
    # Nothing after USER may need root, and the process must not switch back.
    assert keywords.index("USER") > max(i for i, kw in enumerate(keywords) if kw == "RUN")


def test_exposes_the_default_port() -> None:
    assert _last("EXPOSE") == "8080"
    assert "PORT=8080" in " ".join(rest for kw, rest in _instructions() if kw == "ENV")


def test_healthcheck_uses_python_not_curl() -> None:
    healthcheck = _last("HEALTHCHECK")

    assert "curl" not in healthcheck
    assert "wget" not in healthcheck
    assert '["python", "/app/healthcheck.py"]' in healthcheck


def test_copies_what_cmd_and_healthcheck_need() -> None:
    copied = " ".join(rest for kw, rest in _instructions() if kw == "COPY")

    for needed in ("requirements.txt", "gunicorn.conf.py", "healthcheck.py", "flaskapp/"):
        assert needed in copied
        assert (WEBAPP_DIR / needed).exists()


def test_requirements_pin_flask_and_gunicorn() -> None:
    pins = dict(
        line.split("==")
        for line in (WEBAPP_DIR / "requirements.txt").read_text().splitlines()
        if "==" in line
    )

    assert {"flask", "gunicorn"} <= set(pins)


def test_cmd_and_healthcheck_work_as_written(tmp_path: Path) -> None:
    cmd = _exec_form(_last("CMD"))
    healthcheck = _exec_form(_last("HEALTHCHECK").split(" CMD ", 1)[1])
    port = str(free_port())
    # The Dockerfile's ENV, with the port and host a test can use on this machine.
    env = {**os.environ, "APP_VERSION": "from-cmd", "PORT": port, "HOST": LOOPBACK}
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            cmd, cwd=WEBAPP_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        url = f"http://{LOOPBACK}:{port}/healthz"
        wait_until(lambda: http_answers(url), timeout=20, process=server, log=log, what="CMD")
        with urllib.request.urlopen(url, timeout=5) as response:
            assert json.load(response) == {"status": "ok", "version": "from-cmd"}
        probe = subprocess.run(healthcheck, env=env, capture_output=True, check=False)
        assert probe.returncode == 0, probe.stderr
    finally:
        stop_process(server)

    probe = subprocess.run(healthcheck, env=env, capture_output=True, check=False)
    assert probe.returncode == 1, "the health check must notice that the app is gone"
