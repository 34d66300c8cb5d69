"""Payloads shaped like the ones the compiled state machine hands to the Lambda functions."""

from __future__ import annotations

import json
from typing import Any

ACCOUNT = "123456789012"
EXECUTION_ARN = (
    f"arn:aws:states:eu-west-1:{ACCOUNT}:execution:flask-webapp:"
    "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
)
EXECUTION_CONSOLE_URL = (
    "https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1"
    f"#/v2/executions/details/{EXECUTION_ARN}"
)
SHA = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
BUILD_ID = "flask-webapp-UnitTests:0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"
LOG_DEEP_LINK = (
    "https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups"
    "/log-group/$252Faws$252Fcodebuild$252Fflask-webapp-UnitTests/log-events/0b1c2d3e"
)


def run_context(**source: Any) -> dict[str, Any]:
    """The "context" object every state passes along; ``source`` overrides its fields."""
    return {
        "pipeline": "flask-webapp",
        "execution_id": EXECUTION_ARN,
        "source": {
            "commit": SHA,
            "branch": "main",
            "repository": "acme/flask-webapp",
            "provider": "github",
            "pull_request": "42",
            "trigger": "push",
            **source,
        },
    }


def codebuild_failure_cause() -> str:
    """The Cause of a failed codebuild:startBuild.sync task: the Build object as JSON."""
    build = {
        "Build": {
            "Arn": f"arn:aws:codebuild:eu-west-1:{ACCOUNT}:build/{BUILD_ID}",
            "Id": BUILD_ID,
            "BuildNumber": 17,
            "BuildStatus": "FAILED",
            "CurrentPhase": "COMPLETED",
            "ProjectName": "flask-webapp-UnitTests",
            "SourceVersion": SHA,
            "Logs": {
                "DeepLink": LOG_DEEP_LINK,
                "GroupName": "/aws/codebuild/flask-webapp-UnitTests",
                "StreamName": "0b1c2d3e",
            },
            "Phases": [
                {"PhaseType": "SUBMITTED", "PhaseStatus": "SUCCEEDED"},
                {"PhaseType": "INSTALL", "PhaseStatus": "SUCCEEDED", "Contexts": []},
                {
                    "PhaseType": "BUILD",
                    "PhaseStatus": "FAILED",
                    "Contexts": [
                        {
                            "StatusCode": "COMMAND_EXECUTION_ERROR",
                            "Message": "Error while executing command: python3 -m pytest. "
                            "Reason: exit status 1",
                        }
                    ],
                },
                {"PhaseType": "POST_BUILD", "PhaseStatus": "SUCCEEDED"},
                {"PhaseType": "COMPLETED"},
            ],
        }
    }
    return json.dumps(build)


def failure_event(
    cause: str | None = None, stage: str = "UnitTests", group: str | None = "ParallelValidation"
) -> dict[str, Any]:
    return {
        "context": run_context(),
        "results": {"ParallelValidation": [{"build_id": BUILD_ID, "status": "FAILED"}]},
        "failure": {
            "stage": stage,
            "group": group,
            "error": {
                "Error": "States.TaskFailed",
                "Cause": codebuild_failure_cause() if cause is None else cause,
            },
        },
    }
