"""Helpers for compile tests: throwaway repositories with generated pipelines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo build\n"


def write_repo(root: Path, pipeline: str) -> Path:
    (root / ".git").mkdir(parents=True, exist_ok=True)
    (root / "buildspecs").mkdir(exist_ok=True)
    (root / "buildspecs" / "build.yml").write_text(BUILDSPEC)
    path = root / "pipeline.yaml"
    path.write_text(pipeline)
    return path


def groups_pipeline(groups: int, per_group: int, name: str = "scale") -> str:
    lines = ["version: 1", f"name: {name}", "source: {codecommit: scale}", "stages:"]
    for g in range(groups):
        lines += [f"  - parallel: Group{g}", "    stages:"]
        lines += [f"      - {{name: G{g}Build{i:03d}, build: buildspecs/build.yml}}"
                  for i in range(per_group)]
    return "\n".join(lines) + "\n"


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[[str], Path]:
    return lambda pipeline: write_repo(tmp_path, pipeline)
