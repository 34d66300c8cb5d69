"""A readable outline of a checked pipeline, for `sfnc validate --summary`."""

from __future__ import annotations

from sfnc import durations, model


def counts(pipeline: model.Pipeline) -> tuple[int, int, int]:
    steps = list(model.walk(pipeline.stages))
    groups = sum(isinstance(s, model.Group) for s in steps)
    return len(steps) - groups, groups, len(pipeline.functions)


def one_line(pipeline: model.Pipeline) -> str:
    stages, groups, functions = counts(pipeline)
    return (f"{stages} stage{'s' * (stages != 1)}, {groups} group{'s' * (groups != 1)}, "
            f"{functions} function{'s' * (functions != 1)}")


def _stage_line(stage: model.Stage) -> str:
    if isinstance(stage, model.FunctionStage):
        return f"function {stage.function}"
    extras = [stage.compute, durations.format_seconds(stage.timeout)]
    if stage.privileged:
        extras.append("privileged")
    extras.extend(stage.permissions)
    return f"build    {stage.buildspec}  ({', '.join(extras)})"


def _tree(steps: tuple[model.Step, ...], prefix: str, width: int) -> list[str]:
    out: list[str] = []
    for index, step in enumerate(steps):
        last = index == len(steps) - 1
        branch, indent = ("└─ ", "   ") if last else ("├─ ", "│  ")
        if isinstance(step, model.Group):
            out.append(f"{prefix}{branch}{step.name}  (parallel, {len(step.members)} members)")
            out.extend(_tree(step.members, prefix + indent, width))
        else:
            pad = max(width - len(prefix), len(step.name))
            out.append(f"{prefix}{branch}{step.name.ljust(pad)}  {_stage_line(step)}")
    return out


def outline(pipeline: model.Pipeline) -> str:
    source = pipeline.source
    lines = [f"{pipeline.name}: {pipeline.description}".rstrip(": "),
             f"  file      {pipeline.file}",
             f"  source    {source.provider} {source.repository} @ {source.branch}",
             f"  stages    {one_line(pipeline)}"]
    width = max((len(s.name) for s in model.walk(pipeline.stages)), default=0) + 6
    lines.extend("    " + line for line in _tree(pipeline.stages, "", width))
    if pipeline.on_failure:
        lines.append(f"  on failure  call {pipeline.on_failure}, then stop")
    for fn in pipeline.functions:
        secrets = f"; secrets: {', '.join(fn.secrets)}" if fn.secrets else ""
        lines.append(f"  function  {fn.name}  ({fn.code}, {fn.runtime}{secrets})")
    if pipeline.target is not None:
        t = pipeline.target
        lines.append(f"  target    ec2 {t.instance_type}, port {t.port} from {t.allow_from}")
    return "\n".join(lines)
