"""Fixtures for the web app tests; the shared servers live in tests/support."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

# tests.support must import however pytest was started (pytest, python -m pytest, a subfolder).
_REPO_ROOT = Path(__file__).resolve().parents[2]
for _path in (_REPO_ROOT, _REPO_ROOT / "webapp"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from flaskapp import create_app  # noqa: E402

from tests.support.chromium import ensure_chromium  # noqa: E402
from tests.support.http_recorder import http_recorder  # noqa: E402
from tests.support.webapp_server import RunningApp, running_webapp  # noqa: E402

__all__ = ["http_recorder"]

APP_VERSION = "0123456789abcdef0123456789abcdef01234567"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives headless Chromium (installs it with apt when missing)"
    )


@pytest.fixture
def app_version() -> str:
    return APP_VERSION


@pytest.fixture
def app() -> Flask:
    return create_app({"TESTING": True, "APP_VERSION": APP_VERSION})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def gunicorn_app() -> Iterator[RunningApp]:
    with running_webapp(version=APP_VERSION) as running:
        yield running


@pytest.fixture(scope="session")
def chromium_binary() -> Path:
    try:
        return ensure_chromium()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
