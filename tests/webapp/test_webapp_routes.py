"""The two routes through Flask's test client: content, headers and configuration."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient
from flaskapp import create_app


class _PageScan(HTMLParser):
    """Collects the h1 text and every attribute that could make the browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.h1: list[str] = []
        self.tags: list[str] = []
        self.fetching: list[tuple[str, str, str]] = []
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_h1 = tag == "h1"
        for name, value in attrs:
            if name in {"src", "srcset", "href", "action", "poster", "data"} and value:
                self.fetching.append((tag, name, value))

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1.append(data)


def _scan(client: FlaskClient) -> _PageScan:
    scan = _PageScan()
    scan.feed(client.get("/").get_data(as_text=True))
    return scan


def test_landing_page_shows_the_heading(client: FlaskClient) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "".join(_scan(client).h1).strip() == "your fancy app, deployed"


def test_landing_page_is_self_contained(client: FlaskClient) -> None:
    scan = _scan(client)

    assert "script" not in scan.tags
    assert "img" not in scan.tags
    # Only same-origin links and the empty data: icon; nothing the page loads lives elsewhere.
    for tag, attribute, value in scan.fetching:
        assert value.startswith(("/", "data:")), (tag, attribute, value)
    body = client.get("/").get_data(as_text=True)
    assert "@import" not in body
    assert "url(" not in body


def test_landing_page_shows_the_version(client: FlaskClient, app_version: str) -> None:
    assert app_version in client.get("/").get_data(as_text=True)


def test_version_is_html_escaped() -> None:
    client = create_app({"APP_VERSION": "<b>x</b>"}).test_client()

    body = client.get("/").get_data(as_text=True)

    assert "<b>x</b>" not in body
    assert "&lt;b&gt;x&lt;/b&gt;" in body


def test_responses_forbid_third_party_content(client: FlaskClient) -> None:
    for path in ("/", "/healthz"):
        headers = client.get(path).headers
        assert "default-src 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_healthz_reports_status_and_version(client: FlaskClient, app_version: str) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "version": app_version}
    assert response.headers["Cache-Control"] == "no-store"


def test_version_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_VERSION", "from-env")

    assert create_app().test_client().get("/healthz").get_json()["version"] == "from-env"


def test_version_defaults_to_dev(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APP_VERSION", raising=False)

    assert create_app().test_client().get("/healthz").get_json() == {
        "status": "ok",
        "version": "dev",
    }


def test_unknown_path_is_404(client: FlaskClient) -> None:
    assert client.get("/nope").status_code == 404


def test_healthz_rejects_writes(client: FlaskClient) -> None:
    assert client.post("/healthz").status_code == 405
