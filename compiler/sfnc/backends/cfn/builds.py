"""Build stages: one CodeBuild project per stage, one role per distinct set of permissions.

A project per stage keeps the console readable (the project is named after
the stage and its history is that stage's history) and its buildspec runs
as-is from the console. Stages that need the same permissions share a role,
so a pipeline of 300 plain builds holds one build role, not 300.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from troposphere import GetAtt, Ref, Sub, codebuild, logs

from sfnc import model, naming
from sfnc.backends import iam
from sfnc.backends.cfn.stack import LOG_RETENTION_DAYS, Stack, text

R = iam.RESOURCES
LOG_GROUP = "BuildLogGroup"
COMPUTE_TYPES = {"small": "BUILD_GENERAL1_SMALL", "medium": "BUILD_GENERAL1_MEDIUM",
                 "large": "BUILD_GENERAL1_LARGE", "xlarge": "BUILD_GENERAL1_XLARGE",
                 "2xlarge": "BUILD_GENERAL1_2XLARGE"}
_PRIVATE_ECR = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/(?P<repo>[^:@]+)")


def project_name(stage_name: str) -> Any:
    """Stack names cannot contain "_", so `<stack>_` is a prefix no other stack's
    projects share; the state machine's role is scoped to exactly that prefix."""
    return Sub("${AWS::StackName}_" + stage_name)


PROJECT_ARN_PATTERN = ("arn:${AWS::Partition}:codebuild:${AWS::Region}:${AWS::AccountId}:"
                       "project/${AWS::StackName}_*")
REPORT_GROUP_PATTERN = ("arn:${AWS::Partition}:codebuild:${AWS::Region}:${AWS::AccountId}:"
                        "report-group/${AWS::StackName}_*")


@dataclass(frozen=True)
class Needs:
    """What a build's role must allow; stages with equal needs share a role."""

    permissions: tuple[str, ...]
    secrets: tuple[str, ...]
    image_repository: str | None  # a private ECR repository the build image comes from

    @classmethod
    def of(cls, stage: model.BuildStage) -> Needs:
        match = _PRIVATE_ECR.match(stage.image)
        return cls(tuple(sorted(set(stage.permissions))), tuple(sorted(set(stage.secrets))),
                   match.group(0) if match else None)

    @property
    def role_id(self) -> str:
        parts = [naming.camel(p) for p in self.permissions]
        parts += ["Secret" + naming.camel(s) for s in self.secrets]
        if self.image_repository:
            parts.append("Image" + naming.camel(self.image_repository.rsplit("/", 1)[-1]))
        role = "BuildRole" + "".join(parts)
        if len(role) > 200:  # logical IDs stop at 255 characters
            digest = hashlib.sha256(role.encode()).hexdigest()[:10]
            role = f"BuildRole{digest}"
        return role


def _image_pull(repository_uri: str) -> list[iam.Statement]:
    match = _PRIVATE_ECR.match(repository_uri)
    assert match is not None
    arn = (f"arn:${{AWS::Partition}}:ecr:{match['region']}:{match['account']}:repository/"
           f"{match['repo']}")
    return [iam.star(["ecr:GetAuthorizationToken"]),
            iam.allow(["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                       "ecr:GetDownloadUrlForLayer"], iam.sub(arn))]


def _role(stack: Stack, needs: Needs) -> None:
    pipeline = stack.pipeline
    statements = [
        iam.write_logs(LOG_GROUP),
        # Test reports in a buildspec (`reports:`) create report groups named <project>-<report>.
        iam.allow(["codebuild:BatchPutCodeCoverages", "codebuild:BatchPutTestCases",
                   "codebuild:CreateReport", "codebuild:CreateReportGroup",
                   "codebuild:UpdateReport"], iam.sub(REPORT_GROUP_PATTERN)),
        *iam.source_read(pipeline),
        *iam.bundles(needs.permissions, pipeline),
        *iam.read_secrets([s for s in pipeline.secrets if s.name in needs.secrets]),
    ]
    if needs.image_repository:
        statements.extend(s for s in _image_pull(needs.image_repository)
                          if s not in statements)
    stack.role(needs.role_id, "codebuild", "build", statements)


def _variables(stack: Stack, stage: model.BuildStage) -> list[codebuild.EnvironmentVariable]:
    pipeline = stack.pipeline
    plain: dict[str, Any] = {"SFNC_PIPELINE": pipeline.name, "SFNC_STAGE": stage.name}
    plain.update((name, text(value)) for name, value in stage.env)
    granted = set(stage.permissions)
    if stack.needs_images and granted & {"ecr:push", "ecr:pull", "ec2:deploy"}:
        plain["ECR_REPOSITORY_URI"] = GetAtt(R.image_repository, "RepositoryUri")
    target = pipeline.target
    if "ec2:deploy" in granted and target is not None:
        plain["TARGET_INSTANCE_ID"] = Ref(R.instance)
        plain["TARGET_URL"] = Sub("http://${%s.PublicDnsName}:%d" % (R.instance, target.port))
        plain["APP_PORT"] = str(target.port)
        plain["CONTAINER_PORT"] = str(target.container_port)
    variables = [codebuild.EnvironmentVariable(Name=name, Type="PLAINTEXT", Value=value)
                 for name, value in plain.items()]
    for secret in (pipeline.secret(name) for name in stage.secrets):
        if secret is not None:  # the front end has checked every name
            variables.append(codebuild.EnvironmentVariable(
                Name=secret.env_name, Value=secret.identifier,
                Type="PARAMETER_STORE" if secret.service == "ssm" else "SECRETS_MANAGER"))
    return sorted(variables, key=lambda v: v.Name)


def _source(stack: Stack, stage: model.BuildStage) -> codebuild.Source:
    source = stack.pipeline.source
    if source.provider == "codecommit":
        return codebuild.Source(
            Type="CODECOMMIT", BuildSpec=stage.buildspec,
            Location=Sub("https://git-codecommit.${AWS::Region}.amazonaws.com/v1/repos/"
                         + source.repository))
    # troposphere predates CODECONNECTIONS and only accepts OAUTH here.
    auth = codebuild.SourceAuth(Type="CODECONNECTIONS",
                                Resource=text(source.connection or "")).no_validation()
    return codebuild.Source(Type="GITHUB", BuildSpec=stage.buildspec, Auth=auth,
                            Location=f"https://github.com/{source.repository}.git")


def _project(stack: Stack, stage: model.BuildStage, needs: Needs) -> None:
    private_image = needs.image_repository is not None
    stack.add(codebuild.Project(
        naming.project_id(stage.name),
        Name=project_name(stage.name),
        Description=(stage.description or f"stage {stage.name} of pipeline "
                     f"{stack.pipeline.name}")[:255],
        ServiceRole=GetAtt(needs.role_id, "Arn"),
        Source=_source(stack, stage),
        Artifacts=codebuild.Artifacts(Type="NO_ARTIFACTS"),
        Environment=codebuild.Environment(
            Type="ARM_CONTAINER" if "aarch64" in stage.image else "LINUX_CONTAINER",
            ComputeType=COMPUTE_TYPES[stage.compute],
            Image=stage.image,
            ImagePullCredentialsType="SERVICE_ROLE" if private_image else "CODEBUILD",
            PrivilegedMode=stage.privileged,
            EnvironmentVariables=_variables(stack, stage),
        ),
        TimeoutInMinutes=stage.timeout // 60,
        LogsConfig=codebuild.LogsConfig(CloudWatchLogs=codebuild.CloudWatchLogs(
            Status="ENABLED", GroupName=Ref(LOG_GROUP), StreamName=stage.name)),
    ))


def add(stack: Stack) -> None:
    if not stack.build_stages:
        return
    stack.add(logs.LogGroup(LOG_GROUP, RetentionInDays=LOG_RETENTION_DAYS))
    roles: set[str] = set()
    for stage in stack.build_stages:
        needs = Needs.of(stage)
        if needs.role_id not in roles:
            roles.add(needs.role_id)
            _role(stack, needs)
        _project(stack, stage, needs)
