"""The landing page in real headless Chromium: what a visitor sees, what the page fetches."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.chromium import Page, headless_page
from tests.support.http_recorder import RecordingServer, Reply
from tests.support.net import LOOPBACK
from tests.support.webapp_server import RunningApp

pytestmark = pytest.mark.browser

_HEADING = """(() => {
  const h = document.querySelector('h1');
  if (!h) return null;
  const box = h.getBoundingClientRect();
  const style = getComputedStyle(h);
  return {
    text: h.innerText,
    width: box.width, height: box.height, top: box.top, bottom: box.bottom,
    viewport: window.innerHeight,
    visibility: style.visibility, display: style.display, opacity: style.opacity,
    cardRadius: getComputedStyle(document.querySelector('main')).borderTopLeftRadius,
  };
})()"""


def _load(page: Page, url: str) -> None:
    page.call("Network.enable")
    page.call("Log.enable")
    page.call("Page.enable")
    page.call("Page.setLifecycleEventsEnabled", enabled=True)
    navigation = page.call("Page.navigate", url=url)
    # networkIdle comes after the load event once nothing is in flight, so a
    # request the page made late is still among page.events afterwards. The
    # loader id matters: enabling lifecycle events replays about:blank's own.
    page.wait_for("Page.lifecycleEvent", name="networkIdle", loaderId=navigation["loaderId"])


def _foreign(page: Page) -> list[str]:
    return [u for u in page.requested_urls() if urlsplit(u).hostname != LOOPBACK]


def test_page_in_chromium(chromium_binary: Path, gunicorn_app: RunningApp, tmp_path: Path) -> None:
    url = f"{gunicorn_app.base_url}/"
    with headless_page(chromium_binary) as page:
        _load(page, url)
        heading = page.evaluate(_HEADING)
        shot = page.call("Page.captureScreenshot", format="png")
        (tmp_path / "landing.png").write_bytes(base64.b64decode(shot["data"]))

    assert heading is not None, "no h1 on the page"
    assert heading["text"] == "your fancy app, deployed"
    assert heading["width"] > 0
    assert heading["height"] > 0
    assert heading["top"] >= 0
    assert heading["bottom"] <= heading["viewport"]
    assert (heading["visibility"], heading["display"], heading["opacity"]) == (
        "visible",
        "block",
        "1",
    )
    # The inline stylesheet really applied, i.e. the page's own CSP did not block it.
    assert heading["cardRadius"] == "18px"

    assert url in page.requested_urls()
    assert _foreign(page) == [], "the page fetched from other hosts"
    problems = [
        e["params"]["entry"]
        for e in page.events
        if e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] == "error"
    ]
    assert problems == [], f"the browser logged errors (CSP violation?): {problems}"


def test_request_capture_sees_other_hosts(
    chromium_binary: Path, http_recorder: RecordingServer
) -> None:
    """The check above can fail: a page that loads from another host is caught.

    The other host is 127.0.0.2, still loopback, so nothing leaves the machine.
    """
    port = http_recorder.url.rsplit(":", 1)[1]
    elsewhere = f"http://127.0.0.2:{port}/pixel.png"
    page_html = f'<!doctype html><h1>x</h1><img src="{elsewhere}">'
    http_recorder.route("GET", "/", Reply(200, page_html, headers={"Content-Type": "text/html"}))

    with headless_page(chromium_binary) as page:
        _load(page, f"{http_recorder.url}/")

    assert _foreign(page) == [elsewhere]
