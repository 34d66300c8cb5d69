"""The checked pipeline: frozen, typed, defaults applied, durations in seconds.

Back ends read only this model, never YAML. Each object keeps the source
spans of its fields (``spans``) so later phases can still point at the line
that caused a problem (a limit exceeded while compiling, say).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from sfnc.diagnostics import FILE_START, Span

Compute = Literal["small", "medium", "large", "xlarge", "2xlarge"]
Provider = Literal["github", "codecommit"]

DEFAULT_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0"
DEFAULT_COMPUTE: Compute = "small"
DEFAULT_BUILD_TIMEOUT = 60 * 60
DEFAULT_FUNCTION_TIMEOUT = 30
DEFAULT_RUNTIME = "python3.12"
DEFAULT_HANDLER = "handler.handler"


def _spans() -> dict[str, Span]:
    return {}


@dataclass(frozen=True)
class Located:
    """Something written in the pipeline file: where each of its fields was written."""

    spans: dict[str, Span] = field(default_factory=_spans, compare=False, repr=False,
                                   kw_only=True)
    _anchor: ClassVar[str] = "name"  # the field a diagnostic about the whole thing points at

    @property
    def span(self) -> Span:
        return self.spans.get(self._anchor, FILE_START)


@dataclass(frozen=True)
class Retry:
    attempts: int = 0      # retries after the first failure, as in ASL MaxAttempts
    interval: int = 10     # seconds before the first retry
    backoff: float = 2.0


@dataclass(frozen=True)
class Defaults:
    """What build stages inherit; kept so checks and summaries can speak of them."""

    image: str = DEFAULT_IMAGE
    compute: Compute = DEFAULT_COMPUTE
    timeout: int = DEFAULT_BUILD_TIMEOUT
    retry: Retry = Retry()


@dataclass(frozen=True)
class BuildStage(Located):
    name: str
    buildspec: str  # relative to the repository root, POSIX separators
    image: str = DEFAULT_IMAGE
    compute: Compute = DEFAULT_COMPUTE
    privileged: bool = False
    timeout: int = DEFAULT_BUILD_TIMEOUT
    retry: Retry = Retry()
    permissions: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    secrets: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class FunctionStage(Located):
    name: str
    function: str
    timeout: int | None = None  # None: the function's own timeout bounds the call
    retry: Retry = Retry()
    description: str = ""


@dataclass(frozen=True)
class Group(Located):
    name: str
    members: tuple[Step, ...]
    description: str = ""
    _anchor: ClassVar[str] = "parallel"


Stage = BuildStage | FunctionStage
Step = BuildStage | FunctionStage | Group


@dataclass(frozen=True)
class Source:
    provider: Provider
    repository: str  # owner/name on GitHub, the repository name on CodeCommit
    branch: str = "main"
    connection: str | None = None


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str = ""
    default: str | None = None
    allowed_values: tuple[str, ...] = ()
    no_echo: bool = False


@dataclass(frozen=True)
class Function(Located):
    name: str
    code: str  # folder relative to the repository root
    handler: str = DEFAULT_HANDLER
    runtime: str = DEFAULT_RUNTIME
    memory: int = 128
    timeout: int = DEFAULT_FUNCTION_TIMEOUT
    description: str = ""
    env: tuple[tuple[str, str], ...] = ()
    secrets: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Secret:
    name: str
    service: Literal["secretsmanager", "ssm"]
    identifier: str  # secret name/ARN, or parameter name

    @property
    def env_name(self) -> str:
        """github-token → GITHUB_TOKEN: the variable a build sees."""
        return self.name.upper().replace("-", "_")


@dataclass(frozen=True)
class Ec2Target:
    instance_type: str
    allow_from: str
    port: int = 80
    container_port: int = 8080


@dataclass(frozen=True)
class Pipeline(Located):
    name: str
    source: Source
    stages: tuple[Step, ...]
    description: str = ""
    defaults: Defaults = Defaults()
    parameters: tuple[Parameter, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    on_failure: str | None = None
    functions: tuple[Function, ...] = ()
    secrets: tuple[Secret, ...] = ()
    notify_email: str | None = None
    target: Ec2Target | None = None
    file: str = "pipeline.yaml"   # as the user named it, for diagnostics
    root: str = "."               # the repository root that paths are relative to
    path_in_repo: str = "pipeline.yaml"  # the file relative to root: stable in generated text

    def function(self, name: str) -> Function | None:
        return next((f for f in self.functions if f.name == name), None)

    def secret(self, name: str) -> Secret | None:
        return next((s for s in self.secrets if s.name == name), None)


def walk(steps: tuple[Step, ...]) -> Iterator[Step]:
    """Every stage and group, depth first, in file order."""
    for step in steps:
        yield step
        if isinstance(step, Group):
            yield from walk(step.members)


def leaf_stages(steps: tuple[Step, ...]) -> Iterator[Stage]:
    for step in walk(steps):
        if not isinstance(step, Group):
            yield step
