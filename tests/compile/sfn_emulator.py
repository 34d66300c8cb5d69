"""Runs compiled state machines in moto's Step Functions interpreter (LocalStack's ASL
engine), with each Task state answered by a mocked response.

The interpreter evaluates the definition as written: Parameters, intrinsic
functions, ResultSelector, ResultPath, OutputPath, Retry, Catch, Parallel and
Fail states. Two adjustments, both to the emulator's inputs, never to the logic
under test:

- DefinitionSubstitutions are CloudFormation's job; ${Name} tokens are replaced
  with plausible project names and function ARNs here.
- The emulator refuses to mock the `codebuild:startBuild.sync` integration (it
  validates the pattern before consulting mocks), so build tasks run under the
  lambda:invoke resource with the same parameters and a mocked CodeBuild result.

Mocked responses use the engine's own mock-test-case support, which moto ships
without a loader; they are handed to each execution's environment.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

import boto3
from moto import mock_aws
from moto.core.config import default_user_config
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from moto.stepfunctions.parser.mocking.mock_config import (
    MockedResponse,
    MockedResponseReturn,
    MockedResponseThrow,
    MockTestCase,
    StateMockedResponses,
)

REGION, ACCOUNT = "us-east-1", "123456789012"
CODEBUILD_SYNC = "arn:aws:states:::codebuild:startBuild.sync"


def build_result(stage: str, status: str = "SUCCEEDED") -> dict[str, Any]:
    """What a finished startBuild.sync task returns, trimmed to realistic essentials."""
    build_id = f"demo_{stage}:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    return {"Build": {
        "Id": build_id, "Arn": f"arn:aws:codebuild:{REGION}:{ACCOUNT}:build/{build_id}",
        "BuildStatus": status, "CurrentPhase": "COMPLETED", "ProjectName": f"demo_{stage}",
        "Phases": [{"PhaseType": "BUILD", "PhaseStatus": status}],
        "Logs": {"GroupName": "demo-BuildLogGroup", "StreamName": f"{stage}/0f1e",
                 "DeepLink": f"https://console.aws.amazon.com/cloudwatch/home?region="
                             f"{REGION}#logEvent:group=demo-BuildLogGroup;stream={stage}/0f1e"},
    }}


def returns(payload: Any) -> list[MockedResponse]:
    return [MockedResponseReturn(0, 0, payload)]


def throws(error: str, cause: str, then: Any = None) -> list[MockedResponse]:
    """Fails the first attempt; with ``then``, the retry returns it."""
    if then is None:
        return [MockedResponseThrow(0, 0, error, cause)]
    return [MockedResponseThrow(0, 0, error, cause), MockedResponseReturn(1, 1, then)]


@dataclass
class Run:
    status: str
    output: dict[str, Any] | None
    error: str | None
    cause: str | None
    events: list[dict[str, Any]]

    def entered(self) -> list[str]:
        return [e["stateEnteredEventDetails"]["name"] for e in self.events
                if "stateEnteredEventDetails" in e]

    def input_of(self, state: str) -> dict[str, Any]:
        """The input the state received when it was last entered. (The emulator does not
        record a mocked task's evaluated Parameters, only that they evaluated.)"""
        inputs = [e["stateEnteredEventDetails"]["input"] for e in self.events
                  if e.get("stateEnteredEventDetails", {}).get("name") == state]
        assert inputs, f"{state} was never entered"
        loaded: dict[str, Any] = json.loads(inputs[-1])
        return loaded


def emulatable(definition: dict[str, Any]) -> str:
    text = json.dumps(definition)
    text = re.sub(r"\$\{(\w+)Project\}", r"demo_\1", text)
    text = re.sub(r"\$\{(\w+)Function\}",
                  rf"arn:aws:lambda:{REGION}:{ACCOUNT}:function:demo-\1", text)
    return text.replace(CODEBUILD_SYNC, "arn:aws:states:::lambda:invoke")


# Mocked responses by execution ARN, for the patched environment factory to find.
_CASES: dict[str, MockTestCase] = {}


class Emulator:
    def __init__(self, definition: dict[str, Any]) -> None:
        self.client = boto3.client("stepfunctions", region_name=REGION)
        self.arn = self.client.create_state_machine(
            name=f"demo-{uuid.uuid4().hex[:8]}", definition=emulatable(definition),
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/demo")["stateMachineArn"]

    def run(self, name: str, responses: dict[str, list[MockedResponse]],
            execution_input: dict[str, Any] | None = None) -> Run:
        arn = self.arn.replace(":stateMachine:", ":execution:") + ":" + name
        _CASES[arn] = MockTestCase("demo", name, [
            StateMockedResponses(state, f"{state}.{name}", answers)
            for state, answers in responses.items()])
        self.client.start_execution(stateMachineArn=self.arn, name=name,
                                    input=json.dumps(execution_input or {}))
        deadline = time.monotonic() + 30
        while True:
            described = self.client.describe_execution(executionArn=arn)
            if described["status"] != "RUNNING" or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        events = self.client.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        output = described.get("output")
        return Run(described["status"], json.loads(output) if output else None,
                   described.get("error"), described.get("cause"),
                   [dict(event) for event in events])


def _with_mocks(original: Any) -> Any:
    def environment(worker: ExecutionWorker) -> Any:
        created = original(worker)
        created.mock_test_case = _CASES[worker._evaluation_details.execution_details.arn]
        return created
    return environment


@contextmanager
def emulator(definition: dict[str, Any]) -> Iterator[Emulator]:
    settings = {"stepfunctions": {"execute_state_machine": True}}
    patched = _with_mocks(ExecutionWorker._get_evaluation_environment)
    with mock.patch.dict(default_user_config, settings), mock_aws(), \
            mock.patch.object(ExecutionWorker, "_get_evaluation_environment", patched):
        yield Emulator(definition)
