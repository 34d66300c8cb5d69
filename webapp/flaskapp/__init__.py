"""The Flask web app that the seed pipeline tests, scans and deploys."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, Response, jsonify, render_template

# The page carries its own CSS and nothing else: the policy makes the browser
# refuse anything fetched from elsewhere, so a stray font or script link shows
# up as a broken page in review rather than as a silent third-party request.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides settings such as ``APP_VERSION``."""
    app = Flask(__name__)
    app.config["APP_VERSION"] = os.environ.get("APP_VERSION", "dev")
    app.config.update(config or {})

    @app.get("/")
    def index() -> str:
        return render_template("index.html", version=app.config["APP_VERSION"])

    @app.get("/healthz")
    def healthz() -> Response:
        response = jsonify(status="ok", version=app.config["APP_VERSION"])
        # Load balancers and the deploy check must see the live version, never a cached one.
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    return app
