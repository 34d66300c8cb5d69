"""Runs the back ends in order: model → ASL → template → limits → Compiled."""

from __future__ import annotations

from pathlib import Path

from sfnc import model
from sfnc.api import Asset, Compiled
from sfnc.backends import asl, limits, render
from sfnc.backends.cfn import build_template
from sfnc.backends.cfn.stack import code_parameter
from sfnc.diagnostics import Diagnostic, PipelineError, has_errors


def compile_model(pipeline: model.Pipeline, diagnostics: list[Diagnostic]) -> Compiled:
    definition = asl.definition(pipeline)
    template = build_template(pipeline, definition).to_dict()
    measures = limits.measure(template, definition, render.minified(template),
                              render.minified(definition))
    problems = [*diagnostics, *limits.check(pipeline, measures)]
    if has_errors(problems):
        raise PipelineError(problems)
    assets = tuple(Asset(fn.name, str(Path(pipeline.root) / fn.code), code_parameter(fn.name))
                   for fn in pipeline.functions)
    return Compiled(
        pipeline=pipeline,
        template=template,
        definition=definition,
        template_json=render.pretty_json(template),
        definition_json=render.definition_json(definition),
        assets=assets,
        diagnostics=problems,
        measures=measures,
    )
