"""The whole deploy orchestration where moto cannot follow: S3 and STS are the real moto
server, CloudFormation answers from recordings (moto never fails or rolls back)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from sfnc.api import compile_pipeline
from sfnc.drivers.aws import Clients, Connection
from sfnc.drivers.deploy import Deployer, DeployOptions
from sfnc.drivers.errors import DeployError
from sfnc.drivers.follow import Backoff
from sfnc.drivers.parameters import Redactor
from sfnc.drivers.plain_view import PlainView
from sfnc.drivers.status import show_status
from tests.deploy.recorded import Recording, client, stub_operation
from tests.deploy.repos import CONNECTION, SECRET, SampleRepo

pytestmark = pytest.mark.slow

ARN = ("arn:aws:cloudformation:us-east-1:123456789012:changeSet/sfnc-20260302-101500-a1b2c3/"
       "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b")
PARAMETERS = {"GitHubConnectionArn": CONNECTION, "DeployToken": SECRET}


@pytest.fixture
def clients(aws_env: str) -> Iterator[tuple[Clients, Stubber]]:
    """Clients on the moto server, CloudFormation's answers queued on a Stubber."""
    made = Clients(Connection(region="us-east-1", endpoint_url=aws_env))
    stubber = Stubber(made.cloudformation)
    with stubber:
        yield made, stubber


def s3_keys(endpoint: str) -> list[str]:
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    keys: list[str] = []
    for bucket in s3.list_buckets()["Buckets"]:
        keys += [o["Key"] for o in s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", [])]
    return keys


def run(clients: Clients, repo: SampleRepo, stack: str) -> tuple[int | None, str, Exception | None]:
    out = io.StringIO()
    view = PlainView(out, redact=Redactor([SECRET]), sleep=lambda _: None)
    deployer = Deployer(clients, view, sleep=lambda _: None, backoff=Backoff(first=0.0))
    try:
        code = deployer.run(compile_pipeline(repo.pipeline),
                            DeployOptions(stack_name=stack, parameters=PARAMETERS,
                                          assume_yes=True))
    except DeployError as exc:
        return None, out.getvalue(), exc
    return code, out.getvalue(), None


def test_a_stack_left_in_rollback_complete_is_explained_before_anything_is_uploaded(
        clients: tuple[Clients, Stubber], repo: SampleRepo, aws_env: str) -> None:
    made, stubber = clients
    final = Recording.load("create_failure_rollback").final_stack
    stubber.add_response("describe_stacks", {"Stacks": [final]}, {"StackName": "flask-webapp"})
    code, _, error = run(made, repo, "flask-webapp")
    assert code is None
    assert str(error) == (
        "stack flask-webapp is in ROLLBACK_COMPLETE: its first deployment failed and "
        "CloudFormation cannot update it. Delete it with `sfnc destroy --stack-name "
        "flask-webapp` (it holds no resources), then deploy again")
    assert s3_keys(aws_env) == []
    stubber.assert_no_pending_responses()


def test_a_failed_first_deployment_reports_its_root_cause(
        clients: tuple[Clients, Stubber], repo: SampleRepo, aws_env: str) -> None:
    made, stubber = clients
    recording = Recording.load("create_failure_rollback")
    stubber.add_client_error("describe_stacks", "ValidationError",
                             "Stack with id flask-webapp does not exist", 400,
                             expected_params={"StackName": "flask-webapp"})
    stubber.add_response("create_change_set", {"Id": ARN, "StackId": recording.stack_id},
                         {"StackName": "flask-webapp", "ChangeSetName": ANY,
                          "ChangeSetType": "CREATE", "Parameters": ANY, "Capabilities":
                          ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"], "Description": ANY,
                          "Tags": [{"Key": "sfnc:pipeline", "Value": "deploy-test"}],
                          "TemplateBody": ANY})
    pending: dict[str, Any] = {**recording.change_set_description(ARN),
                               "Status": "CREATE_IN_PROGRESS", "Changes": []}
    stubber.add_response("describe_change_set", pending, {"ChangeSetName": ARN})
    stubber.add_response("describe_change_set", recording.change_set_description(ARN),
                         {"ChangeSetName": ARN})
    stub_operation(stubber, recording, execute=ARN, final_stack=False)

    code, text, error = run(made, repo, "flask-webapp")
    assert error is None
    stubber.assert_no_pending_responses()
    assert code == 1
    assert "Function notify: uploaded s3://sfnc-assets-123456789012-us-east-1/" in text
    assert "(create stack flask-webapp): 15 to add, 0 to modify, 0 to remove" in text
    assert "Root cause: StaticCodeAnalysisProject (AWS::CodeBuild::Project) CREATE_FAILED: " \
           "Resource handler returned message: \"CodeBuild is not authorized" in text
    assert "Stack flask-webapp: ROLLBACK_COMPLETE in 38s" in text
    assert SECRET not in text
    assert len(s3_keys(aws_env)) == 1


def test_status_of_a_failed_stack_names_the_root_cause() -> None:
    recording = Recording.load("update_rollback")
    cfn, sfn = client(), boto3.client("stepfunctions", region_name="eu-west-1",
                                      aws_access_key_id="x", aws_secret_access_key="x")
    stubber, sfn_stubber = Stubber(cfn), Stubber(sfn)
    stubber.add_response("describe_stacks", {"Stacks": [recording.final_stack]},
                         {"StackName": "flask-webapp"})
    everything = list(reversed(recording.history + recording.events))
    stubber.add_response("describe_stack_events", {"StackEvents": everything[:100]},
                         {"StackName": recording.stack_id})
    stubber.add_response("list_stack_resources", {"StackResourceSummaries": []},
                         {"StackName": recording.stack_id})
    machine = recording.final_stack["Outputs"][0]["OutputValue"]
    sfn_stubber.add_response("list_executions", {"executions": [{
        "executionArn": f"{machine.replace('stateMachine', 'execution')}:run-7",
        "stateMachineArn": machine, "name": "run-7", "status": "FAILED",
        "startDate": recording.events[0]["Timestamp"],
        "stopDate": recording.events[-1]["Timestamp"]}]},
        {"stateMachineArn": machine, "maxResults": 10})
    out = io.StringIO()
    with stubber, sfn_stubber:
        code = show_status(cfn, sfn, PlainView(out, redact=str), stack_name="flask-webapp",
                           region="eu-west-1")
    stubber.assert_no_pending_responses()
    text = out.getvalue()
    assert code == 0  # rolled back: the previous version still serves
    assert "Stack flask-webapp: UPDATE_ROLLBACK_COMPLETE, last changed 2026-03-02" in text
    assert "Root cause: StateMachine (AWS::StepFunctions::StateMachine) UPDATE_FAILED" in text
    assert "AppUrl = http://ec2-54-170-12-34.eu-west-1.compute.amazonaws.com:80" in text
    assert f"State machine {machine}: latest 1 executions" in text
    assert "FAILED" in text
    assert "run-7" in text


def test_status_follows_an_operation_that_is_still_running() -> None:
    recording = Recording.load("update_rollback")
    history, events = recording.history, recording.events
    cfn, sfn = client(), boto3.client("stepfunctions", region_name="eu-west-1",
                                      aws_access_key_id="x", aws_secret_access_key="x")
    stubber, sfn_stubber = Stubber(cfn), Stubber(sfn)
    running = {**recording.final_stack, "StackStatus": "UPDATE_ROLLBACK_IN_PROGRESS"}
    stubber.add_response("describe_stacks", {"Stacks": [running]}, {"StackName": "flask-webapp"})
    # `sfnc status` starts while the rollback runs: 9 of the operation's events exist.
    so_far = list(reversed(history + events[:9]))
    stubber.add_response("describe_stack_events", {"StackEvents": so_far[:100]},
                         {"StackName": recording.stack_id})
    stubber.add_response("list_stack_resources", {"StackResourceSummaries": [
        {"LogicalResourceId": c["LogicalResourceId"], "ResourceType": c["ResourceType"],
         "ResourceStatus": "UPDATE_IN_PROGRESS", "LastUpdatedTimestamp": events[0]["Timestamp"]}
        for c in recording.data["changes"]]}, {"StackName": recording.stack_id})
    for cut in (12, len(events)):
        stubber.add_response("describe_stack_events",
                             {"StackEvents": list(reversed(history + events[:cut]))[:100]},
                             {"StackName": recording.stack_id})
    stubber.add_response("describe_stacks", {"Stacks": [recording.final_stack]},
                         {"StackName": "flask-webapp"})
    machine = recording.data["final_stack"]["Outputs"][0]["OutputValue"]
    sfn_stubber.add_response("list_executions", {"executions": []},
                             {"stateMachineArn": machine, "maxResults": 10})
    out = io.StringIO()
    with stubber, sfn_stubber:
        code = show_status(cfn, sfn, PlainView(out, redact=str), stack_name="flask-webapp",
                           region="eu-west-1", sleep=lambda _: None)
    stubber.assert_no_pending_responses()
    text = out.getvalue()
    followed = [line for line in text.splitlines() if line.startswith("[")]
    assert [line.split("] ", 1)[1].split()[2] for line in followed] == [
        e["LogicalResourceId"] for e in events[9:]]  # only what happened after status began
    assert "Root cause: StateMachine (AWS::StepFunctions::StateMachine) UPDATE_FAILED" in text
    assert "Stack flask-webapp: UPDATE_ROLLBACK_COMPLETE in 15s" in text
    assert f"State machine {machine}: no executions" in text
    assert code == 0
