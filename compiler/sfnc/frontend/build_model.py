"""Schema-valid YAML nodes → the typed model, with defaults applied.

Runs only on documents the schema accepted, so types are known here. Values
that become text (environment, parameter defaults) keep the text the user
wrote: `VERSION: 1.10` must stay "1.10", not the float 1.1.
"""

from __future__ import annotations

from typing import Any, cast

from sfnc import durations, model
from sfnc.diagnostics import Span
from sfnc.frontend.yamlpos import YMap, YNode, YScalar, YSeq


def _map(node: YNode | None) -> YMap:
    return node if isinstance(node, YMap) else YMap(Span.point(1, 1))


def _entries(node: YNode | None) -> list[tuple[str, YNode]]:
    return [(name, value) for name, (_, value) in _map(node).entries.items()]


def _items(node: YNode | None) -> list[YNode]:
    return node.items if isinstance(node, YSeq) else []


def _value(node: YNode | None, default: Any = None) -> Any:
    return node.value if isinstance(node, YScalar) else default


def _text(node: YNode | None, default: str = "") -> str:
    """The text as written: numbers and booleans keep their spelling."""
    if not isinstance(node, YScalar):
        return default
    return node.value if isinstance(node.value, str) else node.raw


def _strings(node: YNode | None) -> tuple[str, ...]:
    return tuple(_text(item) for item in _items(node))


def _env(node: YNode | None) -> dict[str, str]:
    return {name: _text(value) for name, (_, value) in _map(node).entries.items()}


def _seconds(node: YNode | None, default: int) -> int:
    parsed = durations.parse(_text(node)) if isinstance(node, YScalar) else None
    return default if parsed is None else parsed


def _spans(node: YNode | None, prefix: str = "") -> dict[str, Span]:
    """Spans of every key and scalar under ``node``, keyed by dotted path."""
    out: dict[str, Span] = {}
    if isinstance(node, YMap):
        for name, (key, value) in node.entries.items():
            path = f"{prefix}{name}"
            out[path] = value.span
            out[f"{path}:key"] = key.span
            out.update(_spans(value, f"{path}."))
    elif isinstance(node, YSeq):
        for index, item in enumerate(node.items):
            out[f"{prefix}{index}"] = item.span
            out.update(_spans(item, f"{prefix}{index}."))
    return out


def _retry(base: model.Retry, node: YNode | None) -> model.Retry:
    retry = _map(node)
    return model.Retry(
        attempts=int(_value(retry.get("attempts"), base.attempts)),
        interval=_seconds(retry.get("interval"), base.interval),
        backoff=float(_value(retry.get("backoff"), base.backoff)),
    )


class _Builder:
    def __init__(self, root: YMap) -> None:
        defaults = _map(root.get("defaults"))
        self.defaults = model.Defaults(
            image=_text(defaults.get("image"), model.DEFAULT_IMAGE),
            compute=cast(model.Compute, _text(defaults.get("compute"), model.DEFAULT_COMPUTE)),
            timeout=_seconds(defaults.get("timeout"), model.DEFAULT_BUILD_TIMEOUT),
            retry=_retry(model.Retry(), defaults.get("retry")),
        )
        self.env = _env(root.get("env"))

    def step(self, node: YNode) -> model.Step:
        step = _map(node)
        if step.get("parallel") is not None:
            return model.Group(
                name=_text(step.get("parallel")),
                members=tuple(self.step(member) for member in _items(step.get("stages"))),
                description=_text(step.get("description")),
                spans=_spans(step),
            )
        name = _text(step.get("name"))
        retry = _retry(self.defaults.retry, step.get("retry"))
        if step.get("function") is not None:
            timeout = step.get("timeout")
            return model.FunctionStage(
                name=name,
                function=_text(step.get("function")),
                timeout=_seconds(timeout, 0) if timeout is not None else None,
                retry=retry,
                description=_text(step.get("description")),
                spans=_spans(step),
            )
        env = {**self.env, **_env(step.get("env"))}
        return model.BuildStage(
            name=name,
            buildspec=_text(step.get("build")),
            image=_text(step.get("image"), self.defaults.image),
            compute=cast(model.Compute, _text(step.get("compute"), self.defaults.compute)),
            privileged=bool(_value(step.get("privileged"), False)),
            timeout=_seconds(step.get("timeout"), self.defaults.timeout),
            retry=retry,
            permissions=_strings(step.get("permissions")),
            env=tuple(sorted(env.items())),
            secrets=_strings(step.get("secrets")),
            description=_text(step.get("description")),
            spans=_spans(step),
        )


def _function(name: str, node: YNode) -> model.Function:
    fn = _map(node)
    return model.Function(
        name=name,
        code=_text(fn.get("code")),
        handler=_text(fn.get("handler"), model.DEFAULT_HANDLER),
        runtime=_text(fn.get("runtime"), model.DEFAULT_RUNTIME),
        memory=int(_value(fn.get("memory"), 128)),
        timeout=_seconds(fn.get("timeout"), model.DEFAULT_FUNCTION_TIMEOUT),
        description=_text(fn.get("description")),
        env=tuple(sorted(_env(fn.get("env")).items())),
        secrets=_strings(fn.get("secrets")),
        permissions=_strings(fn.get("permissions")),
        spans=_spans(fn),
    )


def _secret(name: str, node: YNode) -> model.Secret:
    service, _, identifier = _text(node).partition(":")
    return model.Secret(name, "ssm" if service == "ssm" else "secretsmanager", identifier)


def _source(node: YNode | None) -> model.Source:
    source = _map(node)
    github = source.get("github")
    return model.Source(
        provider="github" if github is not None else "codecommit",
        repository=_text(github if github is not None else source.get("codecommit")),
        branch=_text(source.get("branch"), "main"),
        connection=_text(source.get("connection")) or None,
    )


def _parameter(name: str, node: YNode) -> model.Parameter:
    param = _map(node)
    default = param.get("default")
    return model.Parameter(
        name=name,
        description=_text(param.get("description")),
        default=_text(default) if default is not None else None,
        allowed_values=_strings(param.get("allowed_values")),
        no_echo=bool(_value(param.get("no_echo"), False)),
    )


def _target(node: YNode | None) -> model.Ec2Target | None:
    ec2 = _map(node).get("ec2")
    if not isinstance(ec2, YMap):
        return None
    return model.Ec2Target(
        instance_type=_text(ec2.get("instance_type")),
        allow_from=_text(ec2.get("allow_from")),
        port=int(_value(ec2.get("port"), 80)),
        container_port=int(_value(ec2.get("container_port"), 8080)),
    )


def build(root: YMap, file: str, repo_root: str, path_in_repo: str) -> model.Pipeline:
    builder = _Builder(root)
    on_failure = _map(root.get("on_failure")).get("function")
    email = _map(root.get("notifications")).get("email")
    return model.Pipeline(
        name=_text(root.get("name")),
        description=_text(root.get("description")),
        defaults=builder.defaults,
        source=_source(root.get("source")),
        parameters=tuple(_parameter(n, v) for n, v in _entries(root.get("parameters"))),
        env=tuple(sorted(builder.env.items())),
        stages=tuple(builder.step(step) for step in _items(root.get("stages"))),
        on_failure=_text(on_failure) if on_failure is not None else None,
        functions=tuple(_function(n, v) for n, v in _entries(root.get("functions"))),
        secrets=tuple(_secret(n, v) for n, v in _entries(root.get("secrets"))),
        notify_email=_text(email) if email is not None else None,
        target=_target(root.get("target")),
        file=file,
        root=repo_root,
        path_in_repo=path_in_repo,
        spans=_spans(root),
    )
