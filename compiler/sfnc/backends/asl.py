"""The ASL back end: the pipeline model → an Amazon States Language definition (JSONPath).

Shape of the data every state sees:
    {"context": {...what SetInputParameters normalized...},
     "results": {"<Stage>": {"build_id", "status", "logs"}, "<Group>": {"<Stage>": {...}}}}

Failures: each stage catches States.ALL. At the top level the catch leads to a
"<Stage> failed" Pass that records {stage, group, error} under $.failure and
goes on to NotifyFailure (when `on_failure` is set) and the final Fail. Inside a
parallel branch a catch can only lead to a state in the same branch, so it
leads to a "<Stage> failed" Pass that records the failure and a "<Stage> fails
the group" Fail that rethrows it as sfnc.StageFailed with the record as JSON in
its Cause; the group's own catch decodes it. No intrinsic function needs an
escaped brace, so emulators that do not unescape them run the machine too. No
Choice state re-checks a status: every transition is billed.
"""

from __future__ import annotations

import json
from typing import Any

from sfnc import model, naming
from sfnc.naming import RESERVED_STATE_NAMES

START, NOTIFY, FAILED = RESERVED_STATE_NAMES
STAGE_FAILED = "sfnc.StageFailed"
CODEBUILD_SYNC = "arn:aws:states:::codebuild:startBuild.sync"
LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
LAMBDA_TRANSIENT = ["Lambda.ServiceException", "Lambda.AWSLambdaException",
                    "Lambda.SdkClientException", "Lambda.TooManyRequestsException"]
# A new account may run only a few builds at once; StartBuild beyond that is
# throttled, which is worth waiting out rather than failing the pipeline.
CODEBUILD_THROTTLED = ["CodeBuild.AccountLimitExceededException"]

State = dict[str, Any]
Json = dict[str, Any]


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _retriers(transient: list[str], interval: int, attempts: int,
              retry: model.Retry) -> list[Json]:
    out: list[Json] = [{"ErrorEquals": transient, "IntervalSeconds": interval,
                        "MaxAttempts": attempts, "BackoffRate": 2, "JitterStrategy": "FULL"}]
    if retry.attempts:
        out.append({"ErrorEquals": ["States.ALL"], "IntervalSeconds": retry.interval,
                    "MaxAttempts": retry.attempts, "BackoffRate": _number(retry.backoff)})
    return out


def context_defaults(pipeline: model.Pipeline) -> Json:
    """What an execution started without input sees: the branch head of the source."""
    source = pipeline.source
    return {"branch": source.branch, "commit": source.branch, "provider": source.provider,
            "pull_request": "", "repository": source.repository}


def _intrinsic_json(value: Json) -> str:
    """A JSON object as an intrinsic-function string literal. Only the quote and the
    backslash need escaping: braces are placeholders in States.Format alone."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def set_input_parameters(pipeline: model.Pipeline, next_state: str) -> State:
    defaults = _intrinsic_json(context_defaults(pipeline))
    merged = f"States.JsonMerge(States.StringToJson({defaults}), $$.Execution.Input, false)"
    return {
        "Type": "Pass",
        "Comment": "Normalizes the execution input: values given at start override the "
                   "source defaults.",
        "Parameters": {
            "context": {
                "pipeline": pipeline.name,
                "execution_id.$": "$$.Execution.Id",
                "source.$": merged,
            },
            "results": {},
        },
        "Next": next_state,
    }


ENV_FROM_CONTEXT = (
    ("SFNC_BRANCH", "$.context.source.branch"),
    ("SFNC_COMMIT", "$.context.source.commit"),
    ("SFNC_EXECUTION_ID", "$.context.execution_id"),
    ("SFNC_REPOSITORY", "$.context.source.repository"),
)


def build_task(stage: model.BuildStage) -> State:
    env: list[Json] = [{"Name": name, "Value.$": path} for name, path in ENV_FROM_CONTEXT]
    # A pull request number may arrive as a number; CodeBuild wants text.
    env.append({"Name": "SFNC_PULL_REQUEST",
                "Value.$": "States.Format('{}', $.context.source.pull_request)"})
    return {
        "Type": "Task",
        "Comment": stage.description or stage.buildspec,
        "Resource": CODEBUILD_SYNC,
        "Parameters": {
            "ProjectName": f"${{{naming.project_id(stage.name)}}}",
            "SourceVersion.$": "$.context.source.commit",
            "EnvironmentVariablesOverride": env,
        },
        # A finished build returns the whole Build object (kilobytes); keep three fields.
        "ResultSelector": {"build_id.$": "$.Build.Id", "status.$": "$.Build.BuildStatus",
                           "logs.$": "$.Build.Logs.DeepLink"},
        "ResultPath": f"$.results.{naming.result_key(stage.name)}",
        "Retry": _retriers(CODEBUILD_THROTTLED, 30, 6, stage.retry),
    }


def function_task(stage: model.FunctionStage) -> State:
    state: State = {
        "Type": "Task",
        "Comment": stage.description or f"function {stage.function}",
        "Resource": LAMBDA_INVOKE,
        "Parameters": {
            "FunctionName": f"${{{naming.function_resource_id(stage.function)}}}",
            "Payload": {"context.$": "$.context", "results.$": "$.results",
                        "stage": stage.name},
        },
        "ResultSelector": {"status_code.$": "$.StatusCode"},
        "ResultPath": f"$.results.{naming.result_key(stage.name)}",
        "Retry": _retriers(LAMBDA_TRANSIENT, 2, 3, stage.retry),
    }
    if stage.timeout:
        state["TimeoutSeconds"] = stage.timeout
    return state


def _catch(next_state: str, errors: list[str] | None = None) -> list[Json]:
    return [{"ErrorEquals": errors or ["States.ALL"], "ResultPath": "$.error",
             "Next": next_state}]


def _branch_failure(stage: model.Stage, group: str) -> dict[str, State]:
    """A catch inside a branch cannot leave it: record the failure, then fail the
    branch with the record as JSON in the cause, for the group's catch to decode."""
    return {
        naming.failure_state(stage.name): {
            "Type": "Pass",
            "Parameters": {"stage": stage.name, "group": group, "error.$": "$.error"},
            "Next": naming.rethrow_state(stage.name),
        },
        naming.rethrow_state(stage.name): {
            "Type": "Fail",
            "Error": STAGE_FAILED,
            "CausePath": "States.JsonToString($)",
        },
    }


class _Builder:
    def __init__(self, pipeline: model.Pipeline) -> None:
        self.pipeline = pipeline
        self.failure_target = NOTIFY if pipeline.on_failure else FAILED

    def branch(self, step: model.Step, group: str) -> Json:
        states: dict[str, State] = {}
        if isinstance(step, model.Group):
            states[step.name] = self.parallel(step)
        else:
            task = self.task(step)
            task["Catch"] = _catch(naming.failure_state(step.name))
            states[step.name] = task
            states.update(_branch_failure(step, group))
        # A branch hands back only its own result; the group names them (ResultSelector),
        # so a wide group's output grows by one result per member and no more.
        states[step.name]["OutputPath"] = states[step.name]["ResultPath"]
        states[step.name]["End"] = True
        return {"StartAt": step.name, "States": states}

    def parallel(self, group: model.Group) -> State:
        return {
            "Type": "Parallel",
            "Comment": group.description or f"runs {len(group.members)} stages side by side",
            "Branches": [self.branch(member, group.name) for member in group.members],
            "ResultSelector": {f"{naming.result_key(member.name)}.$": f"$[{index}]"
                               for index, member in enumerate(group.members)},
            "ResultPath": f"$.results.{naming.result_key(group.name)}",
        }

    def task(self, stage: model.Stage) -> State:
        return build_task(stage) if isinstance(stage, model.BuildStage) else function_task(stage)

    def top_level(self) -> dict[str, State]:
        steps = self.pipeline.stages
        states: dict[str, State] = {START: set_input_parameters(self.pipeline, steps[0].name)}
        failures: dict[str, State] = {}
        for index, step in enumerate(steps):
            failed = naming.failure_state(step.name)
            if isinstance(step, model.Group):
                state = self.parallel(step)
                state["Catch"] = _catch(failed, [STAGE_FAILED])
                record: Json = {"failure.$": "States.StringToJson($.error.Cause)"}
            else:
                state = self.task(step)
                state["Catch"] = _catch(failed)
                record = {"failure": {"stage": step.name, "group": None, "error.$": "$.error"}}
            if index + 1 < len(steps):
                state["Next"] = steps[index + 1].name
            else:
                state["End"] = True
            states[step.name] = state
            failures[failed] = {
                "Type": "Pass",
                "Parameters": {"context.$": "$.context", "results.$": "$.results", **record},
                "Next": self.failure_target,
            }
        states.update(failures)
        if self.pipeline.on_failure:
            states[NOTIFY] = self.notify(self.pipeline.on_failure)
        states[FAILED] = {
            "Type": "Fail",
            "ErrorPath": "States.Format('{} failed', $.failure.stage)",
            "CausePath": "States.JsonToString($.failure)",
        }
        return states

    def notify(self, function: str) -> State:
        return {
            "Type": "Task",
            "Comment": f"tells people which stage failed (function {function})",
            "Resource": LAMBDA_INVOKE,
            "Parameters": {
                "FunctionName": f"${{{naming.function_resource_id(function)}}}",
                "Payload": {"context.$": "$.context", "failure.$": "$.failure",
                            "results.$": "$.results"},
            },
            "ResultPath": None,
            "Retry": _retriers(LAMBDA_TRANSIENT, 2, 3, model.Retry()),
            # A notification that cannot be sent must not hide the failure itself.
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.notification_error",
                       "Next": FAILED}],
            "Next": FAILED,
        }


def definition(pipeline: model.Pipeline) -> Json:
    description = f"{pipeline.name}: {pipeline.description}" if pipeline.description else (
        pipeline.name)
    return {
        "Comment": f"{description} (generated by sfnc from {pipeline.path_in_repo}; edit that "
                   "file, not this one)",
        "StartAt": START,
        "States": _Builder(pipeline).top_level(),
    }
