"""The library API. It never prints and never exits: results and diagnostics are data.

    from sfnc.api import validate_pipeline, compile_pipeline
    result = validate_pipeline("pipelines/flask-webapp.yaml")
    compiled = compile_pipeline("pipelines/flask-webapp.yaml")   # raises PipelineError
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from sfnc.diagnostics import PipelineError
from sfnc.frontend.load import Loaded, load

__all__ = ["Loaded", "PipelineError", "validate_pipeline"]


def validate_pipeline(path: str | PathLike[str], root: str | PathLike[str] | None = None) -> Loaded:
    """Check a pipeline file; the result holds the model (when it could be built) and
    every diagnostic, sorted by position."""
    return load(Path(path), str(path), Path(root) if root is not None else None)
