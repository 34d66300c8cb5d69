"""Check a running web app over HTTP: the landing page, /healthz and its version.

Used by integration-tests (against gunicorn in the build container) and by
deploy-ec2 (against the instance). The whole set of checks is retried until it
passes, because an app that is starting, or an old container that is still
answering, both fail it for a little while. Standard library only.

    python3 http_checks.py --base-url http://127.0.0.1:8080 --expect-version <sha>
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import xml.etree.ElementTree as ET  # nosec B405  # only writes the report
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.request import urlopen

HEADING = "your fancy app, deployed"


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Outcome:
    name: str
    problem: str | None  # None when the check passed
    seconds: float


def fetch(url: str, timeout: float) -> Response:
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) URL: {url}")
    try:
        # The scheme is checked above, so no file:// or other handler is reachable.
        with urlopen(url, timeout=timeout) as reply:  # nosec B310  # noqa: S310
            return Response(reply.status, reply.headers.get("Content-Type", ""), reply.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, error.headers.get("Content-Type", ""), error.read())


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.h1: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h1":
            self._depth += 1
            self.h1.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1" and self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.h1[-1] += data


def check_landing(base_url: str, timeout: float) -> str | None:
    page = fetch(f"{base_url}/", timeout)
    if page.status != 200:
        return f"/ answered {page.status}"
    if not page.content_type.startswith("text/html"):
        return f"/ is {page.content_type!r}, not HTML"
    headings = _Headings()
    headings.feed(page.body.decode("utf-8", "replace"))
    if HEADING not in [" ".join(h.split()) for h in headings.h1]:
        return f"/ has no h1 {HEADING!r} (found {headings.h1})"
    return None


def check_health(base_url: str, timeout: float, expected_version: str | None) -> str | None:
    health = fetch(f"{base_url}/healthz", timeout)
    if health.status != 200:
        return f"/healthz answered {health.status}"
    try:
        body = json.loads(health.body)
    except ValueError:
        return f"/healthz is not JSON: {health.body[:200]!r}"
    if not isinstance(body, dict) or body.get("status") != "ok":
        return f"/healthz is not ok: {body!r}"
    if expected_version is not None and body.get("version") != expected_version:
        return f"/healthz reports version {body.get('version')!r}, expected {expected_version!r}"
    return None


def check_not_found(base_url: str, timeout: float) -> str | None:
    missing = fetch(f"{base_url}/this-page-does-not-exist", timeout)
    return None if missing.status == 404 else f"an unknown path answered {missing.status}"


def run_checks(base_url: str, expected_version: str | None, timeout: float) -> list[Outcome]:
    base_url = base_url.rstrip("/")
    checks: dict[str, Callable[[], str | None]] = {
        "healthz reports ok and the expected version": lambda: check_health(
            base_url, timeout, expected_version
        ),
        "landing page shows the heading": lambda: check_landing(base_url, timeout),
        "unknown paths are 404": lambda: check_not_found(base_url, timeout),
    }
    outcomes = []
    for name, check in checks.items():
        started = time.monotonic()
        try:
            problem = check()
        except (OSError, ValueError) as error:
            problem = f"request failed: {error}"
        outcomes.append(Outcome(name, problem, time.monotonic() - started))
    return outcomes


def wait_until_answering(base_url: str, seconds: float, timeout: float = 2.0) -> bool:
    """Poll /healthz until anything HTTP answers: the app is up, right or wrong."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            fetch(f"{base_url.rstrip('/')}/healthz", timeout)
            return True
        except (OSError, ValueError):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)


def check_with_retries(
    base_url: str,
    expected_version: str | None,
    attempts: int,
    interval: float,
    timeout: float = 5.0,
) -> list[Outcome]:
    """Run every check until all pass or ``attempts`` runs are used up; the last run counts."""
    outcomes: list[Outcome] = []
    for attempt in range(1, attempts + 1):
        outcomes = run_checks(base_url, expected_version, timeout)
        problems = [o.problem for o in outcomes if o.problem]
        if not problems:
            return outcomes
        print(f"attempt {attempt}/{attempts}: {'; '.join(problems)}", file=sys.stderr, flush=True)
        if attempt < attempts:
            time.sleep(interval)
    return outcomes


def write_junit(outcomes: Sequence[Outcome], path: Path, suite: str) -> None:
    failures = [o for o in outcomes if o.problem]
    root = ET.Element(
        "testsuite",
        name=suite,
        tests=str(len(outcomes)),
        failures=str(len(failures)),
        time=f"{sum(o.seconds for o in outcomes):.3f}",
    )
    for outcome in outcomes:
        case = ET.SubElement(
            root, "testcase", classname=suite, name=outcome.name, time=f"{outcome.seconds:.3f}"
        )
        if outcome.problem:
            ET.SubElement(case, "failure", message=outcome.problem).text = outcome.problem
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--expect-version", help="the version /healthz must report")
    parser.add_argument(
        "--wait", type=float, default=0.0, help="seconds to wait for the app to answer at all"
    )
    parser.add_argument("--attempts", type=int, default=1, help="runs of the whole check set")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between attempts")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per request")
    parser.add_argument("--junit", type=Path, help="write a JUnit XML report here")
    args = parser.parse_args(argv)

    if args.wait and not wait_until_answering(args.base_url, args.wait):
        print(f"{args.base_url} did not answer within {args.wait}s", file=sys.stderr)
    outcomes = check_with_retries(
        args.base_url, args.expect_version, max(1, args.attempts), args.interval, args.timeout
    )
    if args.junit:
        write_junit(outcomes, args.junit, "http-checks")
    for outcome in outcomes:
        print(f"{'FAIL' if outcome.problem else 'ok  '} {outcome.name}", outcome.problem or "")
    return 1 if any(o.problem for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
