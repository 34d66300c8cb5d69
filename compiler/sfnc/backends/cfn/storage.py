"""Shared storage: the artifact bucket, the notification topic, the image repository."""

from __future__ import annotations

from troposphere import GetAtt, Join, Ref, Select, Split, ecr, s3, sns

from sfnc.backends import iam
from sfnc.backends.cfn.stack import Stack, text

R = iam.RESOURCES


def artifact_bucket(stack: Stack) -> None:
    stack.add(s3.Bucket(
        R.artifact_bucket,
        BucketEncryption=s3.BucketEncryption(ServerSideEncryptionConfiguration=[
            s3.ServerSideEncryptionRule(ServerSideEncryptionByDefault=(
                s3.ServerSideEncryptionByDefault(SSEAlgorithm="AES256")))]),
        VersioningConfiguration=s3.VersioningConfiguration(Status="Enabled"),
        PublicAccessBlockConfiguration=s3.PublicAccessBlockConfiguration(
            BlockPublicAcls=True, BlockPublicPolicy=True, IgnorePublicAcls=True,
            RestrictPublicBuckets=True),
        OwnershipControls=s3.OwnershipControls(Rules=[
            s3.OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]),
        # Source snapshots pile up on every run; old ones are never read again.
        LifecycleConfiguration=s3.LifecycleConfiguration(Rules=[s3.LifecycleRule(
            Id="ExpireOldArtifacts", Status="Enabled", ExpirationInDays=90,
            NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(NoncurrentDays=30))]),
    ))
    stack.add(s3.BucketPolicy(
        f"{R.artifact_bucket}Policy",
        Bucket=Ref(R.artifact_bucket),
        PolicyDocument=iam.document([{
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [GetAtt(R.artifact_bucket, "Arn"),
                         iam.sub("${%s.Arn}/*" % R.artifact_bucket)],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }]),
    ))


def notification_topic(stack: Stack) -> None:
    pipeline = stack.pipeline
    stack.add(sns.Topic(
        R.topic,
        DisplayName=f"{pipeline.name} pipeline"[:100],
        KmsMasterKeyId="alias/aws/sns",
    ))
    email = pipeline.notify_email
    if not email:
        return
    condition = stack.condition_if_set("HasNotificationEmail", email)
    subscription = sns.SubscriptionResource(
        "NotificationEmail", TopicArn=Ref(R.topic), Protocol="email", Endpoint=text(email))
    if condition:
        subscription.Condition = condition
    stack.add(subscription)


def image_repository(stack: Stack) -> None:
    stack.add(ecr.Repository(
        R.image_repository,
        # <pipeline>-<stack uuid>: lower-case as ECR requires, unique per stack, and
        # readable in the console (a generated name would start with the stack name).
        RepositoryName=Join("-", [stack.pipeline.name, Select(2, Split("/", Ref("AWS::StackId")))]),
        ImageScanningConfiguration=ecr.ImageScanningConfiguration(ScanOnPush=True),
        EncryptionConfiguration=ecr.EncryptionConfiguration(EncryptionType="AES256"),
        # Deleting the stack must not fail on a repository that still holds images.
        EmptyOnDelete=True,
        LifecyclePolicy=ecr.LifecyclePolicy(LifecyclePolicyText=(
            '{"rules":[{"rulePriority":1,"description":"keep the last 50 images",'
            '"selection":{"tagStatus":"any","countType":"imageCountMoreThan",'
            '"countNumber":50},"action":{"type":"expire"}}]}')),
    ))


def add(stack: Stack) -> None:
    artifact_bucket(stack)
    if stack.needs_topic:
        notification_topic(stack)
    if stack.needs_images:
        image_repository(stack)
