"""Fixtures for the Lambda tests: handlers loaded by path, moto and a recording HTTP server."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

# tests.support must import however pytest was started (pytest, python -m pytest, a subfolder).
_REPO_ROOT = Path(__file__).resolve().parents[2]
if str(_REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(_REPO_ROOT))

from tests.support.http_recorder import http_recorder  # noqa: E402
from tests.support.moto_server import aws_env, moto_server  # noqa: E402

__all__ = ["aws_env", "http_recorder", "moto_server"]

LAMBDAS = _REPO_ROOT / "lambdas"


def load_handler(name: str) -> ModuleType:
    """Import lambdas/<name>/handler.py under a unique name: both folders hold a handler.py."""
    spec = importlib.util.spec_from_file_location(f"lambda_{name}", LAMBDAS / name / "handler.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is being built.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def notify_failure() -> ModuleType:
    return load_handler("notify_failure")


@pytest.fixture(scope="session")
def mark_pr_ready() -> ModuleType:
    return load_handler("mark_pr_ready")


@pytest.fixture
def lambda_env(monkeypatch: pytest.MonkeyPatch, aws_env: str) -> pytest.MonkeyPatch:
    """What the compiler injects into every function, minus the optional parts."""
    monkeypatch.setenv("SFNC_PIPELINE", "flask-webapp")
    monkeypatch.setenv("SFNC_SOURCE_PROVIDER", "github")
    monkeypatch.setenv("SFNC_REPOSITORY", "acme/flask-webapp")
    for name in ("SFNC_TOPIC_ARN", "SFNC_SECRET_SLACK_WEBHOOK", "SFNC_SECRET_GITHUB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    # Short waits keep the retry tests fast; the behaviour under test is the same.
    monkeypatch.setenv("SFNC_HTTP_ATTEMPTS", "3")
    monkeypatch.setenv("SFNC_HTTP_BACKOFF_SECONDS", "0.01")
    monkeypatch.setenv("SFNC_HTTP_TIMEOUT_SECONDS", "2")
    return monkeypatch
