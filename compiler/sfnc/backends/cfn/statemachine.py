"""The state machine (STANDARD: the CodeBuild .sync integration needs it), its role and logs."""

from __future__ import annotations

import json
from typing import Any

from troposphere import GetAtt, Ref, Sub, logs
from troposphere import stepfunctions as sfn

from sfnc import naming
from sfnc.backends import iam
from sfnc.backends.cfn.builds import PROJECT_ARN_PATTERN
from sfnc.backends.cfn.stack import LOG_RETENTION_DAYS, Stack

STATE_MACHINE = "StateMachine"
LOG_GROUP = "StateMachineLogGroup"
# Step Functions creates this EventBridge rule to learn when a build it started ends.
CODEBUILD_EVENTS_RULE = ("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:"
                         "rule/StepFunctionsGetEventForCodeBuildStartBuildRule")


def _statements(stack: Stack) -> list[iam.Statement]:
    statements: list[iam.Statement] = []
    if stack.build_stages:
        statements += [
            iam.allow(["codebuild:BatchGetBuilds", "codebuild:BatchGetReports",
                       "codebuild:StartBuild", "codebuild:StopBuild"],
                      iam.sub(PROJECT_ARN_PATTERN)),
            iam.allow(["events:DescribeRule", "events:PutRule", "events:PutTargets"],
                      iam.sub(CODEBUILD_EVENTS_RULE)),
        ]
    if stack.invoked_functions:
        arns: list[Any] = []
        for name in stack.invoked_functions:
            function = naming.function_resource_id(name)
            arns += [GetAtt(function, "Arn"), iam.sub("${%s.Arn}:*" % function)]
        statements.append(iam.allow(["lambda:InvokeFunction"], arns))
    statements.append(iam.star(sorted(a for a in iam.STAR_ACTIONS if a.startswith("logs:"))))
    return statements


def _substitutions(stack: Stack) -> dict[str, Any]:
    values: dict[str, Any] = {naming.project_id(s.name): Ref(naming.project_id(s.name))
                              for s in stack.build_stages}
    for name in stack.invoked_functions:
        function = naming.function_resource_id(name)
        values[function] = GetAtt(function, "Arn")
    return dict(sorted(values.items()))


def definition_string(definition: dict[str, Any]) -> str:
    return json.dumps(definition, separators=(",", ":"), ensure_ascii=False)


def add(stack: Stack, definition: dict[str, Any]) -> None:
    stack.add(logs.LogGroup(
        LOG_GROUP, RetentionInDays=LOG_RETENTION_DAYS,
        # The /aws/vendedlogs/ prefix keeps log delivery from growing a resource policy.
        LogGroupName=Sub("/aws/vendedlogs/states/${AWS::StackName}")))
    role = f"{STATE_MACHINE}Role"
    stack.role(role, "states", "state-machine", _statements(stack))
    machine = sfn.StateMachine(
        STATE_MACHINE,
        StateMachineName=Ref("AWS::StackName"),
        StateMachineType="STANDARD",
        RoleArn=GetAtt(role, "Arn"),
        DefinitionString=definition_string(definition),
        LoggingConfiguration=sfn.LoggingConfiguration(
            Level="ERROR", IncludeExecutionData=True,
            Destinations=[sfn.LogDestination(CloudWatchLogsLogGroup=sfn.CloudWatchLogsLogGroup(
                LogGroupArn=GetAtt(LOG_GROUP, "Arn")))]),
    )
    substitutions = _substitutions(stack)
    if substitutions:
        machine.DefinitionSubstitutions = substitutions
    stack.add(machine)
