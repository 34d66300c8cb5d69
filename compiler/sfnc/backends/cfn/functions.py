"""Lambda functions: each with its own role and log group, code filled in at deploy time."""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Ref, awslambda, logs

from sfnc import model, naming
from sfnc.api import ASSETS_BUCKET_PARAMETER
from sfnc.backends import iam
from sfnc.backends.cfn.stack import LOG_RETENTION_DAYS, TOPIC_BUNDLE, Stack, code_parameter, text

R = iam.RESOURCES


def _environment(stack: Stack, fn: model.Function) -> dict[str, Any]:
    pipeline = stack.pipeline
    env: dict[str, Any] = {
        "SFNC_PIPELINE": pipeline.name,
        "SFNC_SOURCE_PROVIDER": pipeline.source.provider,
        "SFNC_REPOSITORY": pipeline.source.repository,
    }
    if stack.needs_topic:
        env["SFNC_TOPIC_ARN"] = Ref(R.topic)
    for name in fn.secrets:
        secret = pipeline.secret(name)
        if secret is not None:
            # The reference, never the value: the function reads it when it runs.
            env[f"SFNC_SECRET_{secret.env_name}"] = f"{secret.service}:{secret.identifier}"
    env.update((name, text(value)) for name, value in fn.env)
    return dict(sorted(env.items()))


def _statements(stack: Stack, fn: model.Function, log_group: str) -> list[iam.Statement]:
    pipeline = stack.pipeline
    granted = set(fn.permissions)
    if fn.name == pipeline.on_failure and stack.needs_topic:
        granted.add(TOPIC_BUNDLE)  # reporting failures is what the on_failure function is for
    statements = [iam.write_logs(log_group), *iam.bundles(tuple(granted), pipeline)]
    statements += [s for s in iam.read_secrets(
        [x for x in pipeline.secrets if x.name in fn.secrets]) if s not in statements]
    return statements


def _function(stack: Stack, fn: model.Function) -> None:
    resource_id = naming.function_resource_id(fn.name)
    log_group, role = f"{resource_id}LogGroup", f"{resource_id}Role"
    stack.add(logs.LogGroup(log_group, RetentionInDays=LOG_RETENTION_DAYS))
    stack.role(role, "lambda", "function", _statements(stack, fn, log_group))
    stack.add(awslambda.Function(
        resource_id,
        Description=(fn.description or f"function {fn.name} of pipeline "
                     f"{stack.pipeline.name}")[:256],
        Runtime=fn.runtime,
        Handler=fn.handler,
        # The functions are plain Python: Graviton runs them for less.
        Architectures=["arm64"],
        MemorySize=fn.memory,
        Timeout=fn.timeout,
        Role=GetAtt(role, "Arn"),
        Code=awslambda.Code(S3Bucket=Ref(ASSETS_BUCKET_PARAMETER),
                            S3Key=Ref(code_parameter(fn.name))),
        Environment=awslambda.Environment(Variables=_environment(stack, fn)),
        LoggingConfig=awslambda.LoggingConfig(LogGroup=Ref(log_group)),
    ))


def add(stack: Stack) -> None:
    for fn in stack.pipeline.functions:
        _function(stack, fn)
