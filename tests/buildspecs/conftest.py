"""Fixtures for the buildspec tests: a build Python, repository copies, moto, a fake app."""

from __future__ import annotations

import sys
from pathlib import Path

import boto3
import pytest

# tests.support must import however pytest was started (pytest, python -m pytest, a subfolder).
_REPO_ROOT = Path(__file__).resolve().parents[2]
if str(_REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(_REPO_ROOT))

from tests.support import buildspec_runner  # noqa: E402
from tests.support.http_recorder import RecordingServer, Reply, http_recorder  # noqa: E402
from tests.support.moto_server import aws_env, moto_server  # noqa: E402

__all__ = ["aws_env", "http_recorder", "moto_server"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: takes more than a few seconds (real servers, subprocess installs)"
    )


@pytest.fixture(scope="session")
def build_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bin/ of a fresh venv for the builds (see buildspec_runner.overlay_venv)."""
    return buildspec_runner.overlay_venv(tmp_path_factory.mktemp("build-venv") / "venv")


@pytest.fixture(scope="session")
def tool_caches(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    # Shared across builds so that mypy does not re-analyse the stubs for every copy.
    root = tmp_path_factory.mktemp("tool-caches")
    return {"MYPY_CACHE_DIR": str(root / "mypy"), "RUFF_CACHE_DIR": str(root / "ruff")}


@pytest.fixture
def build_env(build_bin: Path, tool_caches: dict[str, str]) -> dict[str, str]:
    return buildspec_runner.clean_environment(build_bin, tool_caches)


@pytest.fixture
def seed_repo(tmp_path: Path) -> Path:
    """A fresh copy of the seed project, committed to its own git repository."""
    return buildspec_runner.copy_repository(tmp_path / "repo")


def serve_app(server: RecordingServer, version: str) -> None:
    """Make ``server`` answer like the deployed web app at ``version``."""
    server.route("GET", "/healthz", default=Reply(200, {"status": "ok", "version": version}))
    page = "<!doctype html><title>x</title><h1>your fancy app, deployed</h1>"
    server.route("GET", "/", default=Reply(200, page, headers={"Content-Type": "text/html"}))


@pytest.fixture
def instance_id(aws_env: str) -> str:
    """An EC2 instance in moto, the deployment target."""
    # One of moto's built-in images; listing them all takes seconds.
    reservation = boto3.client("ec2").run_instances(
        ImageId="ami-03cf127a", MinCount=1, MaxCount=1, InstanceType="t3.micro"
    )
    instance: str = reservation["Instances"][0]["InstanceId"]
    return instance
