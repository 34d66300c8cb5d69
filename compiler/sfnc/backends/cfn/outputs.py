"""Stack outputs: what a user needs after deploying (sfnc deploy prints them)."""

from __future__ import annotations

from troposphere import GetAtt, Output, Ref, Sub

from sfnc.backends import iam
from sfnc.backends.cfn.stack import Stack
from sfnc.backends.cfn.statemachine import STATE_MACHINE
from sfnc.backends.cfn.trigger import PIPELINE

R = iam.RESOURCES


def add(stack: Stack) -> None:
    outputs = [
        Output("StateMachineArn", Description="The pipeline's state machine",
               Value=Ref(STATE_MACHINE)),
        Output("PipelineName", Description="The CodePipeline that starts it on each change",
               Value=Ref(PIPELINE)),
        Output("ArtifactBucketName", Description="Source snapshots and artifacts",
               Value=Ref(R.artifact_bucket)),
    ]
    target = stack.pipeline.target
    if target is not None:
        outputs.append(Output("AppUrl", Description="Where the deployed app answers",
                              Value=Sub("http://${%s.PublicDnsName}:%d" % (R.instance,
                                                                          target.port))))
    if stack.needs_topic:
        outputs.append(Output("NotificationTopicArn", Description="Failure notifications",
                              Value=Ref(R.topic)))
    if stack.needs_images:
        outputs.append(Output("ImageRepositoryUri", Description="The app's images",
                              Value=GetAtt(R.image_repository, "RepositoryUri")))
    for output in outputs:
        stack.template.add_output(output)
