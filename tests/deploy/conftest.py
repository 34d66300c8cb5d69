"""Fixtures for the deploy tests: the shared moto server, test repositories, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# tests.support must import however pytest was started (pytest, python -m pytest, a subfolder).
_REPO_ROOT = Path(__file__).resolve().parents[2]
if str(_REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(_REPO_ROOT))

from tests.deploy.repos import SampleRepo  # noqa: E402
from tests.support.moto_server import (  # noqa: E402
    MotoServer,
    aws_env,
    aws_environment,
    moto_server,
)

__all__ = ["aws_env", "moto_server"]

REPO_ROOT = _REPO_ROOT
Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def repo(tmp_path: Path) -> SampleRepo:
    """A small repository with a pipeline that moto can deploy end to end."""
    return SampleRepo.create(tmp_path / "repo")


def base_env(home: Path) -> dict[str, str]:
    """A clean environment: no developer profile, no real endpoint, no colour surprises."""
    keep = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "SYSTEMROOT") if k in os.environ}
    return {**keep, "HOME": str(home), "NO_COLOR": "1", "COLUMNS": "200",
            "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true", "PYTHONUNBUFFERED": "1"}


@pytest.fixture
def moto_env(moto_server: MotoServer, tmp_path: Path) -> dict[str, str]:
    """A reset moto account and the environment of a CI job pointing at it, except the
    endpoint: tests pass --endpoint-url so that the option itself is what reaches AWS."""
    moto_server.reset()
    env = {**base_env(tmp_path), **aws_environment(moto_server.endpoint_url)}
    del env["AWS_ENDPOINT_URL"]
    return env


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """Runs `python -m sfnc ARGS` as a real process, stdin not a terminal."""

    def run(*args: str, env: dict[str, str] | None = None, stdin: str = "",
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "sfnc", *args], capture_output=True,
                              text=True, input=stdin, timeout=timeout, cwd=REPO_ROOT,
                              env=env if env is not None else base_env(tmp_path), check=False)

    return run


def localhost(endpoint: str) -> str:
    """moto reads a TemplateURL path-style only when it says "localhost" (see docs/deploy.md)."""
    return endpoint.replace("127.0.0.1", "localhost")
