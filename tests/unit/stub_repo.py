"""A throwaway repository in which the seed pipeline is valid.

The seed names buildspecs and function folders that other work fills in; the
front-end tests need only that they exist and are well-formed, so they get
minimal stand-ins derived from the seed itself (a new stage in the seed needs
no change here).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "pipelines" / "flask-webapp.yaml"
STUB_BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo ok\n"
STUB_HANDLER = ("def handler(event: dict[str, object], context: object) -> dict[str, object]:\n"
                "    return {}\n")


def _builds(steps: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    for step in steps:
        if "stages" in step:
            found.extend(_builds(step["stages"]))
        elif "build" in step:
            found.append(step["build"])
    return found


def make_repo(root: Path, pipeline_text: str | None = None) -> Path:
    """Lay out ``root`` as a repository holding the seed (or ``pipeline_text``) at
    pipelines/flask-webapp.yaml, with a stub for every file the seed names."""
    seed = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    (root / ".git").mkdir(parents=True, exist_ok=True)
    for relative in _builds(seed["stages"]):
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(STUB_BUILDSPEC, encoding="utf-8")
    for function in seed.get("functions", {}).values():
        folder = root / function["code"]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "handler.py").write_text(STUB_HANDLER, encoding="utf-8")
    pipeline = root / "pipelines" / "flask-webapp.yaml"
    pipeline.parent.mkdir(parents=True, exist_ok=True)
    text = SEED.read_text(encoding="utf-8") if pipeline_text is None else pipeline_text
    pipeline.write_text(text, encoding="utf-8")
    return pipeline
