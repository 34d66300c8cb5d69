"""The library API. It never prints and never exits: results and diagnostics are data.

    from sfnc.api import validate_pipeline, compile_pipeline
    result = validate_pipeline("pipelines/flask-webapp.yaml")     # .pipeline, .diagnostics
    compiled = compile_pipeline("pipelines/flask-webapp.yaml")    # raises PipelineError
    compiled.template_json, compiled.definition_json, compiled.assets
"""

from __future__ import annotations

from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sfnc import model
from sfnc.diagnostics import Diagnostic, PipelineError, has_errors
from sfnc.frontend.load import Loaded, load

if TYPE_CHECKING:
    from sfnc.backends.limits import Measures

__all__ = ["Asset", "Compiled", "Loaded", "PipelineError", "compile_pipeline",
           "validate_pipeline"]

# Template parameters that sfnc fills at deploy time. Users cannot declare
# parameters starting with "Sfnc" (SFN311), so these never clash.
ASSETS_BUCKET_PARAMETER = "SfncAssetsBucket"


@dataclass(frozen=True)
class Asset:
    """A folder that deploy zips and uploads; its S3 key goes into ``parameter``."""

    function: str     # the pipeline's function name
    source_dir: str   # absolute path of the code folder
    parameter: str    # template parameter holding the object key, e.g. SfncCodeNotifyFailure


@dataclass(frozen=True)
class Compiled:
    pipeline: model.Pipeline
    template: dict[str, Any]       # the CloudFormation template, JSON-ready
    definition: dict[str, Any]     # the ASL state machine definition
    template_json: str             # deterministic text of ``template`` (indented)
    definition_json: str           # deterministic text of ``definition`` (indented)
    assets: tuple[Asset, ...] = ()
    diagnostics: list[Diagnostic] = field(default_factory=list)  # warnings only
    measures: Measures | None = None  # sizes and counts against AWS limits

    @property
    def template_minified(self) -> str:
        """What CloudFormation receives; its size decides inline vs. S3 upload."""
        from sfnc.backends.render import minified
        text: str = minified(self.template)
        return text


def validate_pipeline(path: str | PathLike[str], root: str | PathLike[str] | None = None) -> Loaded:
    """Check a pipeline file; the result holds the model (when it could be built) and
    every diagnostic, sorted by position."""
    return load(Path(path), str(path), Path(root) if root is not None else None)


def compile_pipeline(path: str | PathLike[str],
                     root: str | PathLike[str] | None = None) -> Compiled:
    """Validate and compile a pipeline file. Raises PipelineError with every diagnostic
    when the pipeline has errors or breaks an AWS limit."""
    loaded = validate_pipeline(path, root)
    if loaded.pipeline is None or has_errors(loaded.diagnostics):
        raise PipelineError(loaded.diagnostics)
    # Imported here: validation must not pay for troposphere.
    from sfnc.backends.compile import compile_model
    compiled: Compiled = compile_model(loaded.pipeline, loaded.diagnostics)
    return compiled
