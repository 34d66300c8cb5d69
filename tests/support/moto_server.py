"""A real moto server process on loopback, shared by every test that talks to AWS APIs.

Tests talk to it over HTTP exactly as the code under test talks to AWS: boto3
(and the AWS CLI) pick the endpoint up from ``AWS_ENDPOINT_URL``.
Use the ``moto_server`` fixture for the process and ``aws_env`` for a test that
needs a clean account and the environment pointing at it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.net import LOOPBACK, free_port, http_answers, stop_process, wait_until

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account


@dataclass
class MotoServer:
    """One ``python -m moto.server`` process; ``start`` retries if its port was taken."""

    startup_timeout: float = 30.0
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log_path: Path = field(default_factory=lambda: Path(tempfile.mkdtemp()) / "moto.log")

    @property
    def endpoint_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> MotoServer:
        last_error: Exception | None = None
        # Another process can grab the port between free_port() and moto's bind.
        for _ in range(3):
            self.port = free_port()
            with self.log_path.open("wb") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "moto.server", "-H", LOOPBACK, "-p", str(self.port)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            try:
                wait_until(
                    lambda: http_answers(f"{self.endpoint_url}/moto-api/"),
                    timeout=self.startup_timeout,
                    process=self.process,
                    log=self.log_path,
                    what="moto server",
                )
                return self
            except RuntimeError as error:
                last_error = error
        raise RuntimeError(f"moto server did not start: {last_error}")

    def reset(self) -> None:
        """Forget every resource, so each test starts from an empty account."""
        request = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None


def aws_environment(endpoint_url: str) -> dict[str, str]:
    """Variables that send boto3 and the AWS CLI to ``endpoint_url`` with dummy credentials.

    The config and credential files point nowhere so that a developer's own
    profile can never leak into a test, let alone reach a real account.
    """
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


_shared: MotoServer | None = None
_users = 0


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """One server per test session, even when several conftest files import this fixture."""
    global _shared, _users
    if _shared is None:
        _shared = MotoServer().start()
    _users += 1
    try:
        yield _shared
    finally:
        _users -= 1
        if _users == 0:
            _shared.stop()
            _shared = None


@pytest.fixture
def aws_env(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """A freshly reset moto account that boto3 in this process (and children) will use."""
    moto_server.reset()
    for name in [n for n in os.environ if n == "AWS_PROFILE" or n.startswith("AWS_ENDPOINT_URL_")]:
        monkeypatch.delenv(name)
    for name, value in aws_environment(moto_server.endpoint_url).items():
        monkeypatch.setenv(name, value)
    return moto_server.endpoint_url
