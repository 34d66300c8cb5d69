"""Checks that need the whole pipeline: names, references, files, ranges.

The schema checks each value on its own; these checks relate values to each
other (a stage's function exists, names are unique across groups) and to
the repository (buildspecs exist inside it and are valid).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from sfnc import durations, model, naming, permissions
from sfnc.diagnostics import FILE_START, Diagnostic, Span, did_you_mean, error, warning
from sfnc.frontend.buildspec import check_buildspec
from sfnc.frontend.repo import resolve_inside
from sfnc.frontend.yamlpos import YMap, YNode, YScalar, YSeq
from sfnc.naming import RESERVED_STATE_NAMES
from sfnc.references import PSEUDO_PARAMETERS, REFERENCE

RESERVED_ENV_PREFIXES = ("SFNC_", "CODEBUILD_", "AWS_")
# Variables sfnc sets on builds that use the image repository or the target.
RESERVED_ENV_NAMES = ("APP_PORT", "CONTAINER_PORT", "ECR_REPOSITORY_URI", "TARGET_INSTANCE_ID",
                      "TARGET_URL")

# Resource names drop - and _ and capitalise what follows (naming.camel), so
# `unit-tests`, `unit_tests` and `unitTests` all become UnitTests.
_COLLIDE_HINT = ("resource names drop - and _ and capitalise each part, so unit-tests, "
                 "unit_tests and UnitTests collide; rename one")

# (smallest, largest, whole minutes only) in seconds
BUILD_TIMEOUT = (5 * 60, 36 * 3600, True)
FUNCTION_TIMEOUT = (1, 15 * 60, False)
RETRY_INTERVAL = (1, 3600, False)


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


class _Checks:
    def __init__(self, pipeline: model.Pipeline, repo_root: Path) -> None:
        self.p = pipeline
        self.root = repo_root
        self.file = pipeline.file
        self.found: list[Diagnostic] = []
        self.used_functions: set[str] = set()
        self.used_secrets: set[str] = set()

    def err(self, code: str, message: str, span: Span | None, hint: str | None = None) -> None:
        self.found.append(error(code, message, self.file, span or FILE_START, hint))

    def warn(self, code: str, message: str, span: Span | None, hint: str | None = None) -> None:
        self.found.append(warning(code, message, self.file, span or FILE_START, hint))

    # -- names -------------------------------------------------------------
    def names(self) -> None:
        first: dict[str, Span] = {}
        ids: dict[str, str] = {}
        for step in model.walk(self.p.stages):
            other = ids.setdefault(naming.stage_id(step.name), step.name)
            if other != step.name:
                self.err("SFN315", f"stages `{other}` and `{step.name}` would share the "
                         f"resource name {naming.stage_id(step.name)}", step.span,
                         hint=_COLLIDE_HINT)
            if step.name in RESERVED_STATE_NAMES:
                self.err("SFN311", f"`{step.name}` is a state sfnc adds itself; choose another "
                         "name", step.span)
            if step.name in first:
                at = first[step.name]
                self.err("SFN301", f"stage `{step.name}` is defined twice (first at "
                         f"{at.line}:{at.column})", step.span,
                         hint="state names must be unique across the whole pipeline, groups "
                              "included")
            else:
                first[step.name] = step.span
            if isinstance(step, model.Group) and len(step.members) == 1:
                self.warn("SFN306", f"group `{step.name}` has a single member, so nothing "
                          "runs in parallel", step.span,
                          hint="move the member up a level, or add the stages meant to run "
                               "beside it")

    # -- references ---------------------------------------------------------
    def function_ref(self, name: str, span: Span | None) -> None:
        self.used_functions.add(name)
        if self.p.function(name) is None:
            known = [f.name for f in self.p.functions]
            self.err("SFN302", f"function `{name}` is not defined under `functions`", span,
                     hint=did_you_mean(name, known) or
                     (f"defined: {', '.join(known)}" if known else "add a `functions:` entry"))

    def secret_ref(self, name: str, span: Span | None) -> None:
        self.used_secrets.add(name)
        if self.p.secret(name) is None:
            known = [s.name for s in self.p.secrets]
            self.err("SFN310", f"secret `{name}` is not defined under `secrets`", span,
                     hint=did_you_mean(name, known) or "add it under the top-level `secrets:`")

    def grants(self, owner: str, bundles: tuple[str, ...], secrets: tuple[str, ...],
               spans: dict[str, Span]) -> None:
        """What a stage or a function asks for: permission bundles and secrets."""
        self.bundles(owner, bundles, spans)
        for index, name in enumerate(secrets):
            self.secret_ref(name, spans.get(f"secrets.{index}"))

    def bundles(self, owner: str, granted: tuple[str, ...], spans: dict[str, Span]) -> None:
        for index, bundle in enumerate(granted):
            span = spans.get(f"permissions.{index}")
            if bundle.startswith(permissions.SECRET_PREFIX):
                self.secret_ref(bundle[len(permissions.SECRET_PREFIX):], span)
                continue
            if permissions.describe(bundle) is None:
                names = permissions.known_names([s.name for s in self.p.secrets])
                self.err("SFN307", f"{owner} asks for unknown permission bundle `{bundle}`",
                         span, hint=did_you_mean(bundle, names) or f"known: {', '.join(names)}")
            elif bundle == "ec2:deploy" and self.p.target is None:
                self.err("SFN312", f"{owner} asks for `ec2:deploy` but the pipeline has no "
                         "`target`", span, hint="add `target: {ec2: ...}`")
            elif bundle == "codecommit:pull-requests" and self.p.source.provider != "codecommit":
                self.err("SFN307", "`codecommit:pull-requests` needs a CodeCommit source",
                         span)

    # -- files ----------------------------------------------------------------
    def path(self, relative: str, span: Span | None, kind: str) -> Path | None:
        target, problem = resolve_inside(self.root, relative)
        if target is None:
            self.err("SFN303", f"{kind} `{relative}` {problem}", span,
                     hint=f"paths are relative to the repository root ({_display(self.root)})")
            return None
        if kind == "buildspec" and not target.is_file():
            self.err("SFN304", f"buildspec `{relative}` not found (looked for "
                     f"{_display(target)})", span)
            return None
        if kind == "code folder" and not target.is_dir():
            self.err("SFN304", f"code folder `{relative}` not found (looked for "
                     f"{_display(target)})", span)
            return None
        return target

    def stages(self, buildspecs: dict[Path, list[Diagnostic]]) -> None:
        for stage in model.leaf_stages(self.p.stages):
            if isinstance(stage, model.FunctionStage):
                self.function_ref(stage.function, stage.spans.get("function"))
                if "timeout" in stage.spans:
                    self.duration(stage.timeout or 0, FUNCTION_TIMEOUT, "timeout",
                                  stage.spans["timeout"])
            else:
                target = self.path(stage.buildspec, stage.spans.get("build"), "buildspec")
                if target is not None and target not in buildspecs:
                    buildspecs[target] = check_buildspec(target, _display(target))
                self.grants(f"stage `{stage.name}`", stage.permissions, stage.secrets,
                            stage.spans)
                if "timeout" in stage.spans:
                    self.duration(stage.timeout, BUILD_TIMEOUT, "build timeout",
                                  stage.spans["timeout"])
                self.env_names(stage.spans, dict(stage.env))
                self.secret_env(stage)
            if "retry.interval" in stage.spans:
                self.duration(stage.retry.interval, RETRY_INTERVAL, "retry interval",
                              stage.spans["retry.interval"])

    def functions(self) -> None:
        if self.p.on_failure:
            self.function_ref(self.p.on_failure, self.p.spans.get("on_failure.function"))
        for fn in self.p.functions:
            folder = self.path(fn.code, fn.spans.get("code"), "code folder")
            module = fn.handler.rsplit(".", 1)[0].replace(".", "/")
            if folder is not None and not (folder / f"{module}.py").is_file():
                self.err("SFN314", f"function `{fn.name}`: {fn.code}/{module}.py does not exist "
                         f"(handler `{fn.handler}`)", fn.spans.get("code"),
                         hint="add the module or set `handler:` to module.function")
            self.grants(f"function `{fn.name}`", fn.permissions, fn.secrets, fn.spans)
            if "timeout" in fn.spans:
                self.duration(fn.timeout, FUNCTION_TIMEOUT, "function timeout",
                              fn.spans["timeout"])
            self.env_names(fn.spans, dict(fn.env))

    def duration(self, seconds: int, bounds: tuple[int, int, bool], what: str,
                 span: Span) -> None:
        low, high, whole_minutes = bounds
        if not low <= seconds <= high:
            self.err("SFN309", f"{what} {durations.format_seconds(seconds)} is outside "
                     f"{durations.format_seconds(low)}–{durations.format_seconds(high)}", span)
        elif whole_minutes and seconds % 60:
            self.err("SFN309", f"{what} {durations.format_seconds(seconds)} is not a whole "
                     "number of minutes, which CodeBuild needs", span,
                     hint=f"use {durations.format_seconds((seconds // 60 + 1) * 60)}")

    def env_names(self, spans: dict[str, Span], env: dict[str, str]) -> None:
        hidden = {p.name for p in self.p.parameters if p.no_echo}
        for name, value in env.items():
            span = spans.get(f"env.{name}:key")
            if span is None:  # inherited from the pipeline's env: reported there
                continue
            if name.startswith(RESERVED_ENV_PREFIXES):
                self.err("SFN311", f"environment variable `{name}` uses a prefix reserved for "
                         f"sfnc, CodeBuild and AWS ({', '.join(RESERVED_ENV_PREFIXES)})", span)
            elif name in RESERVED_ENV_NAMES:
                self.err("SFN311", f"environment variable `{name}` is set by sfnc for builds "
                         "that use the image repository or the target", span,
                         hint="choose another name")
            shown = sorted(hidden & set(REFERENCE.findall(value)))
            if shown:
                self.warn("SFN316", f"`{name}` shows the hidden parameter {shown[0]} in plain "
                          "text: CodeBuild and Lambda display environment values",
                          spans.get(f"env.{name}"),
                          hint="keep the value in Secrets Manager or Parameter Store and list "
                               "it under `secrets:`")

    def secret_env(self, stage: model.BuildStage) -> None:
        env = dict(stage.env)
        for index, name in enumerate(stage.secrets):
            secret = self.p.secret(name)
            if secret is not None and secret.env_name in env:
                self.err("SFN311", f"secret `{name}` arrives as {secret.env_name}, which `env` "
                         "also sets", stage.spans.get(f"secrets.{index}"),
                         hint="remove one of the two")

    def defaults(self) -> None:
        spans = self.p.spans
        if "defaults.timeout" in spans:
            self.duration(self.p.defaults.timeout, BUILD_TIMEOUT, "default build timeout",
                          spans["defaults.timeout"])
        if "defaults.retry.interval" in spans:
            self.duration(self.p.defaults.retry.interval, RETRY_INTERVAL,
                          "default retry interval", spans["defaults.retry.interval"])
        self.env_names(spans, dict(self.p.env))
        for name in (p.name for p in self.p.parameters):
            if name.startswith("Sfnc"):
                self.err("SFN311", f"parameter `{name}`: names starting with Sfnc are reserved "
                         "for parameters sfnc adds", spans.get(f"parameters.{name}:key"))

    def function_names(self) -> None:
        ids: dict[str, str] = {}
        for fn in self.p.functions:
            other = ids.setdefault(naming.function_id(fn.name), fn.name)
            if other != fn.name:
                self.err("SFN315", f"functions `{other}` and `{fn.name}` would share the "
                         f"resource name {naming.function_id(fn.name)}",
                         self.p.spans.get(f"functions.{fn.name}:key"),
                         hint=_COLLIDE_HINT)

    def unused(self) -> None:
        for fn in self.p.functions:
            if fn.name not in self.used_functions:
                self.warn("SFN313", f"function `{fn.name}` is defined but no stage or "
                          "`on_failure` uses it", self.p.spans.get(f"functions.{fn.name}:key"))
        for secret in self.p.secrets:
            if secret.name not in self.used_secrets:
                self.warn("SFN313", f"secret `{secret.name}` is defined but nothing uses it",
                          self.p.spans.get(f"secrets.{secret.name}:key"))


KeyPath = tuple[str | int, ...]


def _strings(node: YNode) -> Iterator[tuple[KeyPath, YScalar]]:
    """Every string scalar with the path of keys and indexes that leads to it."""
    stack: list[tuple[KeyPath, YNode]] = [((), node)]
    seen: set[int] = set()
    while stack:
        path, current = stack.pop()
        if id(current) in seen:  # aliases share nodes
            continue
        seen.add(id(current))
        if isinstance(current, YScalar) and isinstance(current.value, str):
            yield path, current
        elif isinstance(current, YSeq):
            stack.extend(((*path, index), item) for index, item in enumerate(current.items))
        elif isinstance(current, YMap):
            stack.extend(((*path, name), value)
                         for name, (_, value) in current.entries.items())


def substituted(path: KeyPath) -> bool:
    """Where the compiler puts strings through Fn::Sub (docs/language.md, Parameters)."""
    return (path in (("source", "connection"), ("notifications", "email"))
            or (len(path) >= 2 and path[-2] == "env"))


def parameter_references(pipeline: model.Pipeline, root: YNode) -> list[Diagnostic]:
    """Every ${Name} must name a parameter or an AWS pseudo parameter, and sit where the
    compiler substitutes it."""
    defined = {p.name for p in pipeline.parameters} | PSEUDO_PARAMETERS
    found: list[Diagnostic] = []
    for path, scalar in _strings(root):
        for match in REFERENCE.finditer(scalar.value):
            name = match.group(1)
            if name not in defined:
                found.append(error(
                    "SFN308", f"${{{name}}} refers to no parameter", pipeline.file, scalar.span,
                    hint=did_you_mean(name, sorted(defined)) or
                    "define it under `parameters:` (or write ${!" + name + "} for a literal)"))
            elif not substituted(path):
                found.append(warning(
                    "SFN317", f"${{{name}}} stays as written here: only source.connection, "
                    "notifications.email and env values take parameters", pipeline.file,
                    scalar.span, hint="move the value into `env`, or write ${!" + name + "} "
                    "to say the text is meant literally"))
    return found


def check(pipeline: model.Pipeline, root: YNode, repo_root: Path) -> list[Diagnostic]:
    checks = _Checks(pipeline, repo_root)
    buildspecs: dict[Path, list[Diagnostic]] = {}
    checks.names()
    checks.stages(buildspecs)
    checks.functions()
    checks.function_names()
    checks.defaults()
    checks.unused()
    found = checks.found + parameter_references(pipeline, root)
    for problems in buildspecs.values():
        found.extend(problems)
    return found
