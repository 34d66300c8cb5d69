"""The CodePipeline (V2) that starts the state machine on every change to the branch."""

from __future__ import annotations

import json

from troposphere import GetAtt, Ref, Sub, events
from troposphere import codepipeline as cp

from sfnc.backends import iam
from sfnc.backends.cfn.stack import Stack, text
from sfnc.backends.cfn.statemachine import STATE_MACHINE

R = iam.RESOURCES
PIPELINE = "Pipeline"
NAMESPACE = "SourceVariables"
ARTIFACT = "Source"


def execution_input(provider: str) -> str:
    """The execution input, from the source action's variables (docs: "Variables")."""
    del provider  # both source actions publish CommitId and BranchName
    return json.dumps({"branch": f"#{{{NAMESPACE}.BranchName}}",
                       "commit": f"#{{{NAMESPACE}.CommitId}}",
                       "pipeline_execution_id": "#{codepipeline.PipelineExecutionId}"},
                      sort_keys=True)


def _source_action(stack: Stack) -> cp.Actions:
    source = stack.pipeline.source
    if source.provider == "codecommit":
        provider = "CodeCommit"
        # Change detection comes from the EventBridge rule below, not from polling.
        config = {"RepositoryName": source.repository, "BranchName": source.branch,
                  "PollForSourceChanges": "false", "OutputArtifactFormat": "CODE_ZIP"}
    else:
        provider = "CodeStarSourceConnection"
        config = {"ConnectionArn": text(source.connection or ""),
                  "FullRepositoryId": source.repository, "BranchName": source.branch,
                  "OutputArtifactFormat": "CODE_ZIP", "DetectChanges": "true"}
    return cp.Actions(
        Name="Source", Namespace=NAMESPACE, RunOrder=1,
        ActionTypeId=cp.ActionTypeId(Category="Source", Owner="AWS", Provider=provider,
                                     Version="1"),
        Configuration=config,
        OutputArtifacts=[cp.OutputArtifacts(Name=ARTIFACT)],
    )


def _role_statements(stack: Stack) -> list[iam.Statement]:
    source = stack.pipeline.source
    if source.provider == "codecommit":
        read = [iam.allow(["codecommit:CancelUploadArchive", "codecommit:GetBranch",
                           "codecommit:GetCommit", "codecommit:GetUploadArchiveStatus",
                           "codecommit:UploadArchive"], iam.repository_arn(stack.pipeline))]
    else:
        read = [iam.allow(["codeconnections:UseConnection", "codestar-connections:UseConnection"],
                          iam.user_text(source.connection or ""))]
    executions = Sub("arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:"
                     "execution:${%s.Name}:*" % STATE_MACHINE)
    return [
        *read,
        iam.allow(["s3:GetBucketVersioning"], GetAtt(R.artifact_bucket, "Arn")),
        iam.allow(["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
                  iam.sub("${%s.Arn}/*" % R.artifact_bucket)),
        iam.allow(["states:DescribeStateMachine", "states:StartExecution"], Ref(STATE_MACHINE)),
        iam.allow(["states:DescribeExecution", "states:StopExecution"], executions),
    ]


def _change_rule(stack: Stack) -> None:
    source = stack.pipeline.source
    pipeline_arn = Sub("arn:${AWS::Partition}:codepipeline:${AWS::Region}:${AWS::AccountId}:"
                       "${%s}" % PIPELINE)
    stack.role("SourceChangeRuleRole", "events", "start-pipeline",
               [iam.allow(["codepipeline:StartPipelineExecution"], pipeline_arn)])
    stack.add(events.Rule(
        "SourceChangeRule",
        Description=f"starts the pipeline when {source.branch} of {source.repository} changes",
        EventPattern={
            "source": ["aws.codecommit"],
            "detail-type": ["CodeCommit Repository State Change"],
            "resources": [iam.repository_arn(stack.pipeline)],
            "detail": {"event": ["referenceCreated", "referenceUpdated"],
                       "referenceType": ["branch"], "referenceName": [source.branch]},
        },
        Targets=[events.Target(Id="pipeline", Arn=pipeline_arn,
                               RoleArn=GetAtt("SourceChangeRuleRole", "Arn"))],
    ))


def add(stack: Stack) -> None:
    role = f"{PIPELINE}Role"
    stack.role(role, "codepipeline", "pipeline", _role_statements(stack))
    run = cp.Actions(
        Name="StateMachine", RunOrder=1,
        ActionTypeId=cp.ActionTypeId(Category="Invoke", Owner="AWS", Provider="StepFunctions",
                                     Version="1"),
        Configuration={"StateMachineArn": Ref(STATE_MACHINE), "InputType": "Literal",
                       "Input": execution_input(stack.pipeline.source.provider)},
        InputArtifacts=[cp.InputArtifacts(Name=ARTIFACT)],
    )
    stack.add(cp.Pipeline(
        PIPELINE,
        Name=Ref("AWS::StackName"),
        PipelineType="V2",
        # Every commit gets its own run, one after the other: a deploy never overtakes another.
        ExecutionMode="QUEUED",
        RoleArn=GetAtt(role, "Arn"),
        ArtifactStore=cp.ArtifactStore(Type="S3", Location=Ref(R.artifact_bucket)),
        Stages=[cp.Stages(Name="Source", Actions=[_source_action(stack)]),
                cp.Stages(Name="Run", Actions=[run])],
    ))
    if stack.pipeline.source.provider == "codecommit":
        _change_rule(stack)
