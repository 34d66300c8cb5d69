"""The front end's one entry point: a file path in, a model and diagnostics out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sfnc import model
from sfnc.diagnostics import Diagnostic, has_errors, sorted_unique
from sfnc.frontend import schema_check, semantics
from sfnc.frontend.build_model import build
from sfnc.frontend.repo import find_root
from sfnc.frontend.source import read_source
from sfnc.frontend.yamlpos import YMap, parse, to_data


@dataclass(frozen=True)
class Loaded:
    """The checked pipeline (None when it could not be built) and every diagnostic."""

    pipeline: model.Pipeline | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.pipeline is not None and not has_errors(self.diagnostics)


def load(path: Path, display: str | None = None, root: Path | None = None) -> Loaded:
    """Read, parse, schema-check, build and semantically check one pipeline file.

    Each phase reports all it finds; a phase whose input is unusable (broken
    YAML, a document of the wrong shape) stops the ones after it.
    """
    display = display if display is not None else str(path)
    source, found = read_source(path, display)
    if source is None:
        return Loaded(None, found)
    node, yaml_problems = parse(source)
    found = [*found, *yaml_problems]
    if node is None:
        return Loaded(None, sorted_unique(found))
    schema_problems = schema_check.check(node, to_data(node), display)
    if schema_problems or not isinstance(node, YMap):
        return Loaded(None, sorted_unique([*found, *schema_problems]))
    repo_root = (root or find_root(path)).resolve()
    absolute = path.resolve()
    in_repo = (absolute.relative_to(repo_root).as_posix() if repo_root in absolute.parents
               else absolute.name)
    pipeline = build(node, display, str(repo_root), in_repo)
    found.extend(semantics.check(pipeline, node, repo_root))
    return Loaded(pipeline, sorted_unique(found))
