"""The IAM back end: permission bundles and built-in needs → scoped policy statements.

Every statement names the resources it is for. `Resource: "*"` appears only
for actions that AWS does not scope to a resource (each such place is listed
in STAR_ACTIONS and in docs/iam.md with the reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sfnc import model, permissions
from sfnc.references import REFERENCE

Statement = dict[str, Any]
Ref = dict[str, Any]

# Actions with no resource-level permissions in IAM; "*" is the only valid resource.
STAR_ACTIONS: dict[str, str] = {
    "ecr:GetAuthorizationToken": "the registry login token is account-wide",
    "ssm:GetCommandInvocation": "SSM command results have no ARN",
    "ssm:ListCommandInvocations": "SSM command results have no ARN",
    "ssm:DescribeInstanceInformation": "the SSM inventory call has no resource scope",
    "ec2:DescribeTags": "EC2 describe calls have no resource-level permissions",
    "logs:CreateLogDelivery": "Step Functions log delivery is configured account-wide",
    "logs:GetLogDelivery": "Step Functions log delivery is configured account-wide",
    "logs:UpdateLogDelivery": "Step Functions log delivery is configured account-wide",
    "logs:DeleteLogDelivery": "Step Functions log delivery is configured account-wide",
    "logs:ListLogDeliveries": "Step Functions log delivery is configured account-wide",
    "logs:PutResourcePolicy": "Step Functions log delivery is configured account-wide",
    "logs:DescribeResourcePolicies": "Step Functions log delivery is configured account-wide",
    "logs:DescribeLogGroups": "Step Functions log delivery is configured account-wide",
}


def sub(text: str) -> Ref:
    return {"Fn::Sub": text}


def user_text(value: str) -> Ref | str:
    """A string from the pipeline file: Ref when it is exactly one ${Parameter}, Fn::Sub
    when it contains references, else the literal text (CloudFormation's ${!Name} undone)."""
    whole = REFERENCE.fullmatch(value)
    if whole and not whole.group(1).startswith("AWS::"):
        return ref(whole.group(1))
    return sub(value) if REFERENCE.search(value) else value.replace("${!", "${")


def get_att(logical_id: str, attribute: str) -> Ref:
    return {"Fn::GetAtt": [logical_id, attribute]}


def ref(logical_id: str) -> Ref:
    return {"Ref": logical_id}


def allow(actions: list[str], resources: Any) -> Statement:
    listed = resources if isinstance(resources, list) else [resources]
    return {"Effect": "Allow", "Action": sorted(actions), "Resource": listed}


def star(actions: list[str]) -> Statement:
    unknown = [a for a in actions if a not in STAR_ACTIONS]
    if unknown:  # keeps docs/iam.md and the template honest
        raise ValueError(f"{unknown} are not known to lack resource-level permissions")
    return allow(actions, "*")


def document(statements: list[Statement]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements}


def assume_role(service: str) -> dict[str, Any]:
    return document([{"Effect": "Allow", "Principal": {"Service": service},
                      "Action": "sts:AssumeRole"}])


@dataclass(frozen=True)
class Resources:
    """Logical IDs of the shared resources that statements point at."""

    artifact_bucket: str = "ArtifactBucket"
    image_repository: str = "ImageRepository"
    topic: str = "NotificationTopic"
    instance: str = "TargetInstance"


RESOURCES = Resources()


def secret_arn(secret: model.Secret) -> Ref | str:
    if secret.identifier.startswith("arn:"):
        return secret.identifier
    if secret.service == "ssm":
        return sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/"
                   + secret.identifier.lstrip("/"))
    # Secrets Manager appends six random characters to a secret's ARN.
    return sub("arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
               + secret.identifier + "-??????")


def read_secrets(secrets: list[model.Secret]) -> list[Statement]:
    managers = [secret_arn(s) for s in secrets if s.service == "secretsmanager"]
    parameters = [secret_arn(s) for s in secrets if s.service == "ssm"]
    out: list[Statement] = []
    if managers:
        out.append(allow(["secretsmanager:GetSecretValue"], managers))
    if parameters:
        out.append(allow(["ssm:GetParameter", "ssm:GetParameters"], parameters))
    return out


def _bucket_objects() -> Ref:
    return sub("${%s.Arn}/*" % RESOURCES.artifact_bucket)


def repository_arn(pipeline: model.Pipeline) -> Ref:
    if pipeline.source.provider == "codecommit":
        return sub("arn:${AWS::Partition}:codecommit:${AWS::Region}:${AWS::AccountId}:"
                   + pipeline.source.repository)
    raise ValueError("a GitHub source has no CodeCommit repository")


def bundle(name: str, pipeline: model.Pipeline) -> list[Statement]:
    """The statements one permission bundle grants."""
    repo = get_att(RESOURCES.image_repository, "Arn")
    pull = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer"]
    if name == "ecr:push":
        # DescribeImages lets a re-run of a commit find its image and skip the rebuild.
        return [star(["ecr:GetAuthorizationToken"]),
                allow([*pull, "ecr:CompleteLayerUpload", "ecr:DescribeImages",
                       "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"], repo)]
    if name == "ecr:pull":
        return [star(["ecr:GetAuthorizationToken"]),
                allow([*pull, "ecr:DescribeImages", "ecr:DescribeImageScanFindings"], repo)]
    if name == "ec2:deploy":
        instance = sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/${"
                       + RESOURCES.instance + "}")
        document_arn = sub("arn:${AWS::Partition}:ssm:${AWS::Region}::document/"
                           "AWS-RunShellScript")
        # The deploy records the release that passed its checks as instance tags: the
        # rollback target. Only those two tag keys may be written.
        tag_release = allow(["ec2:CreateTags"], instance)
        tag_release["Condition"] = {"ForAllValues:StringEquals": {
            "aws:TagKeys": ["sfnc:image", "sfnc:version"]}}
        return [allow(["ssm:SendCommand"], [document_arn, instance]), tag_release,
                star(["ec2:DescribeTags", "ssm:DescribeInstanceInformation",
                      "ssm:GetCommandInvocation", "ssm:ListCommandInvocations"])]
    if name in ("artifacts:read", "artifacts:write"):
        actions = ["s3:GetObject", "s3:GetObjectVersion"]
        if name == "artifacts:write":
            actions.append("s3:PutObject")
        return [allow(actions, _bucket_objects()),
                allow(["s3:ListBucket"], get_att(RESOURCES.artifact_bucket, "Arn"))]
    if name == "notifications:publish":
        return [allow(["sns:Publish"], ref(RESOURCES.topic))]
    if name == "codecommit:pull-requests":
        return [allow(["codecommit:GetPullRequest", "codecommit:PostCommentForPullRequest",
                       "codecommit:UpdatePullRequestApprovalState"],
                      repository_arn(pipeline))]
    if name.startswith(permissions.SECRET_PREFIX):
        secret = pipeline.secret(name[len(permissions.SECRET_PREFIX):])
        if secret is not None:
            return read_secrets([secret])
    raise ValueError(f"unknown permission bundle {name}")  # the front end rejects these


def bundles(names: tuple[str, ...], pipeline: model.Pipeline) -> list[Statement]:
    """Statements for several bundles, with repeats (GetAuthorizationToken twice) merged."""
    out: list[Statement] = []
    for name in sorted(names):
        for statement in bundle(name, pipeline):
            if statement not in out:
                out.append(statement)
    return out


def source_read(pipeline: model.Pipeline) -> list[Statement]:
    """What a build needs to check out the source."""
    source = pipeline.source
    if source.provider == "codecommit":
        return [allow(["codecommit:GitPull"], repository_arn(pipeline))]
    arn = user_text(source.connection or "")
    # Connections created before the CodeConnections rename still answer to the
    # codestar-connections prefix, so both are granted on the one connection.
    return [allow(["codeconnections:GetConnection", "codeconnections:GetConnectionToken",
                   "codeconnections:UseConnection", "codestar-connections:GetConnection",
                   "codestar-connections:GetConnectionToken",
                   "codestar-connections:UseConnection"], arn)]


def write_logs(log_group_id: str) -> Statement:
    return allow(["logs:CreateLogStream", "logs:PutLogEvents"],
                 sub("${%s.Arn}" % log_group_id))
