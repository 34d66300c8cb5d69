"""`sfnc deploy`, `status` and `destroy` as real processes against a moto server on loopback.

What moto can show: change sets (add/modify/remove, the "no changes" answer),
stacks and their resources for the types it implements, S3 objects, state
machines. What it cannot: per-resource events (it emits only the stack's own),
failures and rollbacks (it has none), outputs after a change set (it never
computes them), resource types it does not implement (CodeBuild projects,
CodePipeline, S3 bucket policies, SNS subscriptions: listed in change sets,
never created). Those are covered by test_deploy_events.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.deploy.conftest import REPO_ROOT, Cli, localhost
from tests.deploy.repos import CONNECTION, SECRET, SampleRepo
from tests.support.moto_server import MotoServer

pytestmark = pytest.mark.slow

STACK = "deploy-test-stack"
BUCKET = "sfnc-assets-123456789012-us-east-1"


def aws(service: str, endpoint: str) -> Any:
    make: Any = boto3.client  # any service by name; the stubs know only literal names
    return make(service, endpoint_url=endpoint, region_name="us-east-1",
                aws_access_key_id="testing", aws_secret_access_key="testing")


def deploy_args(repo: SampleRepo, endpoint: str, *extra: str) -> list[str]:
    return ["deploy", str(repo.pipeline), "--stack-name", STACK, "--endpoint-url", endpoint,
            "--parameter", f"GitHubConnectionArn={CONNECTION}",
            "--parameter", f"DeployToken={SECRET}", *extra]


def assert_clean(result: Any) -> None:
    """No traceback and no secret, whatever happened."""
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream
        assert SECRET not in stream


def stack_status(endpoint: str, name: str = STACK) -> str | None:
    cfn = aws("cloudformation", endpoint)
    stacks = [s for s in cfn.describe_stacks()["Stacks"] if s["StackName"] == name]
    return stacks[0]["StackStatus"] if stacks else None


def test_first_deploy_creates_the_stack_and_the_second_has_no_changes(
        cli: Cli, repo: SampleRepo, moto_server: MotoServer, moto_env: dict[str, str]) -> None:
    endpoint = moto_server.endpoint_url
    first = cli(*deploy_args(repo, endpoint, "--yes"), env=moto_env)
    assert_clean(first)
    assert first.returncode == 0, first.stderr
    assert re.search(rf"Change set sfnc-\S+ \(create stack {STACK}\): 13 to add, 0 to modify, "
                     "0 to remove", first.stdout)
    assert re.search(r"add\s+-\s+AWS::CodeBuild::Project\s+Stage01Project", first.stdout)
    assert f"Stack {STACK}: CREATE_COMPLETE" in first.stdout
    assert "DeployToken = ****" in first.stdout
    assert stack_status(endpoint) == "CREATE_COMPLETE"

    second = cli(*deploy_args(repo, endpoint, "--yes"), env=moto_env)
    assert_clean(second)
    assert second.returncode == 0, second.stderr
    assert f"No changes: stack {STACK} is up to date." in second.stdout
    assert "Change set" not in second.stdout
    cfn = aws("cloudformation", endpoint)
    assert [s["ExecutionStatus"] for s in cfn.list_change_sets(StackName=STACK)["Summaries"]] \
        == ["EXECUTE_COMPLETE"]


def test_assets_are_uploaded_once_and_reused(cli: Cli, repo: SampleRepo, moto_server: MotoServer,
                                             moto_env: dict[str, str]) -> None:
    endpoint = moto_server.endpoint_url
    assert cli(*deploy_args(repo, endpoint, "--yes"), env=moto_env).returncode == 0
    s3 = aws("s3", endpoint)
    # From now on every PutObject leaves a version behind, so a re-upload would show.
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    first_keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert len(first_keys) == 1
    assert re.fullmatch(
        r"sfnc/deploy-test/notify-[0-9a-f]{64}\.zip", first_keys[0])

    again = cli(*deploy_args(repo, endpoint, "--yes"), env=moto_env)
    assert again.returncode == 0, again.stderr
    assert "Function notify: unchanged, already uploaded" in again.stdout
    versions = s3.list_object_versions(Bucket=BUCKET)["Versions"]
    assert [(v["Key"], v["VersionId"]) for v in versions] == [(first_keys[0], "null")]

    repo.change_code(version=2)
    changed = cli(*deploy_args(repo, endpoint, "--yes"), env=moto_env)
    assert changed.returncode == 0, changed.stderr
    assert "Function notify: uploaded" in changed.stdout
    keys = sorted(v["Key"] for v in s3.list_object_versions(Bucket=BUCKET)["Versions"])
    assert len(keys) == 2
    assert first_keys[0] in keys
    new_key = next(k for k in keys if k != first_keys[0])
    parameters = aws("cloudformation", endpoint).describe_stacks(StackName=STACK)["Stacks"][0][
        "Parameters"]
    assert {"ParameterKey": "SfncCodeNotify", "ParameterValue": new_key} in parameters
    # The bucket sfnc made for itself is private and encrypted.
    block = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    rule = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_a_changed_pipeline_is_previewed_then_updated(cli: Cli, repo: SampleRepo,
                                                      moto_server: MotoServer,
                                                      moto_env: dict[str, str]) -> None:
    endpoint = moto_server.endpoint_url
    assert cli(*deploy_args(repo, endpoint, "--yes"), env=moto_env).returncode == 0
    repo.write_pipeline(build_stages=2)

    preview = cli(*deploy_args(repo, endpoint, "--no-execute"), env=moto_env)
    assert_clean(preview)
    assert preview.returncode == 0, preview.stderr
    assert re.search(rf"\(update stack {STACK}\): 1 to add, \d+ to modify, 0 to remove",
                     preview.stdout)
    assert re.search(r"add\s+-\s+AWS::CodeBuild::Project\s+Stage02Project", preview.stdout)
    assert re.search(r"modify\s+-\s+AWS::StepFunctions::StateMachine\s+StateMachine",
                     preview.stdout)
    arn = re.search(r"execute-change-set --change-set-name (\S+)", preview.stdout)
    assert arn is not None
    cfn = aws("cloudformation", endpoint)
    assert cfn.describe_change_set(ChangeSetName=arn.group(1))["ExecutionStatus"] == "AVAILABLE"
    assert stack_status(endpoint) == "CREATE_COMPLETE"  # previewed, not deployed

    update = cli(*deploy_args(repo, endpoint, "--yes"), env=moto_env)
    assert_clean(update)
    assert update.returncode == 0, update.stderr
    assert f"Stack {STACK}: UPDATE_COMPLETE" in update.stdout
    assert stack_status(endpoint) == "UPDATE_COMPLETE"


def test_status_shows_the_stack_and_its_executions_then_destroy_removes_it(
        cli: Cli, repo: SampleRepo, moto_server: MotoServer, moto_env: dict[str, str]) -> None:
    endpoint = moto_server.endpoint_url
    assert cli(*deploy_args(repo, endpoint, "--yes"), env=moto_env).returncode == 0
    # moto computes no outputs after a change set: status finds the machine among resources.
    machines = aws("stepfunctions", endpoint).list_state_machines()["stateMachines"]
    assert len(machines) == 1
    arn = machines[0]["stateMachineArn"]
    aws("stepfunctions", endpoint).start_execution(stateMachineArn=arn, name="manual-run-1")

    status = cli("status", "--stack-name", STACK, "--endpoint-url", endpoint, env=moto_env)
    assert_clean(status)
    assert status.returncode == 0, status.stderr
    assert f"Stack {STACK}: CREATE_COMPLETE" in status.stdout
    assert f"State machine {arn}: latest 1 executions" in status.stdout
    assert "manual-run-1" in status.stdout

    refused = cli("destroy", "--stack-name", STACK, "--endpoint-url", endpoint, env=moto_env)
    assert refused.returncode == 1
    assert "Pass --yes" in refused.stderr
    assert stack_status(endpoint) == "CREATE_COMPLETE"

    # Runs leave source snapshots behind; the stack cannot go while they are there.
    s3 = aws("s3", endpoint)
    bucket = next(r["PhysicalResourceId"] for r in aws("cloudformation", endpoint)
                  .list_stack_resources(StackName=STACK)["StackResourceSummaries"]
                  if r["LogicalResourceId"] == "ArtifactBucket")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"run 1", b"run 2"):
        s3.put_object(Bucket=bucket, Key="Source/snapshot.zip", Body=body)
    gone = cli("destroy", "--stack-name", STACK, "--endpoint-url", endpoint, "--yes",
               env=moto_env)
    assert_clean(gone)
    assert gone.returncode == 0, gone.stderr
    assert f"Emptied the artifact bucket {bucket} (2 object versions of past runs)" in gone.stdout
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert re.search(r"remove\s+-\s+AWS::StepFunctions::StateMachine\s+StateMachine", gone.stdout)
    assert f"Stack {STACK}: DELETE_COMPLETE" in gone.stdout
    assert stack_status(endpoint) is None


def test_a_template_over_the_inline_limit_deploys_through_s3(
        cli: Cli, tmp_path: Path, moto_server: MotoServer, moto_env: dict[str, str]) -> None:
    repo = SampleRepo.create(tmp_path / "big", build_stages=60)
    # moto reads a path-style TemplateURL only when the URL says "localhost".
    endpoint = localhost(moto_server.endpoint_url)
    first = cli(*deploy_args(repo, endpoint, "--yes"), env=moto_env)
    assert_clean(first)
    assert first.returncode == 0, first.stderr
    url = re.search(r"over the 51,200-byte inline limit: uploaded to (\S+)", first.stdout)
    assert url is not None
    prefix = f"{endpoint}/{BUCKET}/sfnc/deploy-test/template-"
    assert url.group(1).startswith(prefix)
    key = url.group(1)[len(f"{endpoint}/{BUCKET}/"):]
    body = aws("s3", moto_server.endpoint_url).get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert len(body) > 51_200
    assert re.search(r"\(create stack deploy-test-stack\): 72 to add", first.stdout)
    assert stack_status(moto_server.endpoint_url) == "CREATE_COMPLETE"

    # Through S3, "no changes" comes back as a FAILED change set, which sfnc deletes.
    again = cli(*deploy_args(repo, endpoint, "--yes"), env=moto_env)
    assert again.returncode == 0, again.stderr
    assert "already at" in again.stdout
    assert "No changes" in again.stdout
    statuses = [s["Status"] for s in aws("cloudformation", moto_server.endpoint_url)
                .list_change_sets(StackName=STACK)["Summaries"]]
    assert statuses == ["CREATE_COMPLETE"]  # only the executed one is left


def test_moto_skips_the_resource_types_it_does_not_implement(
        cli: Cli, repo: SampleRepo, moto_server: MotoServer, moto_env: dict[str, str]) -> None:
    endpoint = moto_server.endpoint_url
    assert cli(*deploy_args(repo, endpoint, "--yes"), env=moto_env).returncode == 0
    resources = aws("cloudformation", endpoint).list_stack_resources(StackName=STACK)[
        "StackResourceSummaries"]
    made = {r["ResourceType"] for r in resources if r["LogicalResourceId"]}
    assert {"AWS::IAM::Role", "AWS::Lambda::Function", "AWS::StepFunctions::StateMachine"} <= made
    assert not made & {"AWS::CodeBuild::Project", "AWS::CodePipeline::Pipeline"}
    assert aws("codebuild", endpoint).list_projects()["projects"] == []


def test_the_seed_pipeline_deploys_on_moto(cli: Cli, moto_server: MotoServer,
                                           moto_env: dict[str, str]) -> None:
    result = cli("deploy", str(REPO_ROOT / "pipelines" / "flask-webapp.yaml"), "--stack-name",
                 "flask-webapp", "--endpoint-url", moto_server.endpoint_url, "--parameter",
                 f"GitHubConnectionArn={CONNECTION}", "--yes", env=moto_env)
    assert_clean(result)
    assert result.returncode == 0, result.stderr
    assert "Stack flask-webapp: CREATE_COMPLETE" in result.stdout


def test_the_seed_pipeline_previews_every_resource_on_moto(cli: Cli, moto_server: MotoServer,
                                                           moto_env: dict[str, str]) -> None:
    result = cli("deploy", str(REPO_ROOT / "pipelines" / "flask-webapp.yaml"), "--stack-name",
                 "flask-webapp", "--endpoint-url", moto_server.endpoint_url, "--parameter",
                 f"GitHubConnectionArn={CONNECTION}", "--no-execute", env=moto_env)
    assert_clean(result)
    assert result.returncode == 0, result.stderr
    for kind, logical in [("AWS::CodeBuild::Project", "UnitTestsProject"),
                          ("AWS::CodePipeline::Pipeline", "Pipeline"),
                          ("AWS::StepFunctions::StateMachine", "StateMachine"),
                          ("AWS::EC2::Instance", "TargetInstance")]:
        assert re.search(rf"add\s+-\s+{re.escape(kind)}\s+{logical}\n", result.stdout)
    assert "Not executed (--no-execute)" in result.stdout
