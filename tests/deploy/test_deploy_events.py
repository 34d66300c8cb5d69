"""The live view and the failure report, fed with recorded CloudFormation event sequences.

Each test runs the real follower (paging, de-duplication, backoff) and the real
views against a real CloudFormation client whose answers come from botocore's
Stubber, and asserts what a user would read: the root-cause line, the final
status and the exit code, on a terminal (rich) and in a CI log (plain lines).
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import Stubber

from sfnc.drivers.changeset import Change, ChangeSet
from sfnc.drivers.deploy import execute
from sfnc.drivers.destroy import destroy
from sfnc.drivers.follow import Backoff
from sfnc.drivers.plain_view import PlainView
from sfnc.drivers.progress import View
from sfnc.drivers.rich_view import RichView
from tests.deploy.recorded import Recording, client, stub_operation

ARN = ("arn:aws:cloudformation:eu-west-1:123456789012:changeSet/sfnc-20260302-101500-a1b2c3/"
       "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b")
NOW = datetime(2026, 3, 2, 10, 16, 0, tzinfo=UTC)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Sleeps(list[float]):
    """Records the waits between polls instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def change_set(recording: Recording) -> ChangeSet:
    return ChangeSet(arn=ARN, name="sfnc-20260302-101500-a1b2c3", stack_id=recording.stack_id,
                     kind=recording.data["kind"],
                     changes=tuple(Change(c["Action"].lower(), "", c["ResourceType"],
                                          c["LogicalResourceId"])
                                   for c in recording.data["changes"]))


def plain_view(sleeps: Sleeps) -> tuple[View, io.StringIO]:
    out = io.StringIO()
    return PlainView(out, redact=str, sleep=sleeps), out


def rich_view(sleeps: Sleeps) -> tuple[View, io.StringIO]:
    from rich.console import Console

    out = io.StringIO()
    console = Console(file=out, record=True, force_terminal=True, width=180, height=60,
                      color_system="standard")
    return RichView(console, redact=str, sleep=sleeps, now=lambda: NOW), out


def run_recording(name: str, make_view: Any, page_size: int = 5,
                  sleeps: Sleeps | None = None) -> tuple[int, str, Sleeps, Stubber]:
    recording = Recording.load(name)
    sleeps = sleeps if sleeps is not None else Sleeps()
    view, out = make_view(sleeps)
    cfn = client()
    stubber = Stubber(cfn)
    # Only a deployment that succeeded reads the stack again, for its outputs.
    succeeded = recording.data["final_stack"]["StackStatus"].endswith("_COMPLETE") and \
        "ROLLBACK" not in recording.data["final_stack"]["StackStatus"]
    stub_operation(stubber, recording, page_size=page_size, execute=ARN,
                   final_stack=succeeded)
    with stubber:
        code = execute(cfn, view, change_set(recording), recording.stack_name, sleep=sleeps,
                       backoff=Backoff(first=2.0, factor=1.5, longest=15.0))
    text = out.getvalue()
    if isinstance(view, RichView):
        assert ANSI.search(text), "the rich view should have drawn with colours"
        text = view.console.export_text()
    return code, text, sleeps, stubber


VIEWS = [pytest.param(plain_view, id="plain"), pytest.param(rich_view, id="rich")]


@pytest.mark.parametrize("make_view", VIEWS)
def test_a_successful_create_ends_with_the_status_and_the_outputs(make_view: Any) -> None:
    code, text, _, stubber = run_recording("create_success", make_view)
    stubber.assert_no_pending_responses()
    assert code == 0
    assert "Stack flask-webapp: CREATE_COMPLETE in 38s" in text
    assert "http://ec2-54-170-12-34.eu-west-1.compute.amazonaws.com:80" in text
    assert "Root cause" not in text


@pytest.mark.parametrize("make_view", VIEWS)
@pytest.mark.parametrize(("recording", "final"), [
    ("create_failure_rollback", "ROLLBACK_COMPLETE"),
    ("update_rollback", "UPDATE_ROLLBACK_COMPLETE"),
])
def test_a_failure_names_its_root_cause_not_the_cascade(make_view: Any, recording: str,
                                                        final: str) -> None:
    code, text, _, stubber = run_recording(recording, make_view)
    stubber.assert_no_pending_responses()
    cause = Recording.load(recording).root_cause
    assert code == 1
    lines = [" ".join(line.split()) for line in text.splitlines()]
    root = [line for line in lines if line.startswith("Root cause:")]
    assert len(root) == 1, text
    assert root[0].startswith(f"Root cause: {cause['logical_id']} (")
    assert f") {cause['status']}: {' '.join(cause['reason_starts'].split())}" in root[0]
    assert "cancelled" not in root[0]
    status_line = next(i for i, line in enumerate(lines) if line.startswith("Stack flask-webapp: "))
    assert lines[status_line].startswith(f"Stack flask-webapp: {final} in ")
    assert lines.index(root[0]) < status_line, "the cause comes before the final status"


def test_a_rolled_back_create_explains_the_way_out() -> None:
    _, text, _, _ = run_recording("create_failure_rollback", plain_view)
    assert "Also failed: " not in text  # the others were cancelled, not failed
    assert "Delete it with `sfnc destroy --stack-name flask-webapp`" in text


def test_plain_lines_show_each_event_of_the_operation_once_in_order() -> None:
    recording = Recording.load("create_success")
    _, text, _, _ = run_recording("create_success", plain_view)
    event_lines = [line for line in text.splitlines() if line.startswith("[")]
    expected = [(e["LogicalResourceId"], e["ResourceStatus"]) for e in recording.events]
    seen = [(re.split(r"\s+", line.split("] ", 1)[1])[2],
             re.split(r"\s+", line.split("] ", 1)[1])[1]) for line in event_lines]
    assert seen == expected  # nothing from the stack's history, nothing twice
    assert event_lines[0].startswith("[ 0/15] 10:15:02Z CREATE_IN_PROGRESS")
    assert event_lines[-1].startswith("[15/15] 10:15:40Z CREATE_COMPLETE")
    assert "CONFIGURATION_COMPLETE" in text


def test_paging_reads_only_as_far_as_the_first_known_event() -> None:
    # A page size of 2 makes polls span several pages; the Stubber fails the test if the
    # follower asks for a page it should not need, or passes the wrong NextToken.
    code, _, _, stubber = run_recording("update_rollback", plain_view, page_size=2)
    stubber.assert_no_pending_responses()
    assert code == 1


def test_polls_back_off_while_nothing_happens_and_speed_up_when_it_does() -> None:
    _, _, sleeps, _ = run_recording("create_success", plain_view)
    # polls: 3 new events, none, none, 17 new, none, 13 new, 7 new, then the last 8.
    assert sleeps == [2.0, 3.0, 4.5, 2.0, 3.0, 2.0, 2.0]


def test_rich_view_draws_progress_resources_and_latest_events() -> None:
    _, text, _, _ = run_recording("update_rollback", rich_view)
    assert "Updating flask-webapp" in text
    assert "3/3 resources" in text
    assert "Latest events" in text
    assert re.search(r"StateMachine\s+AWS::StepFunctions::StateMachine\s+UPDATE_COMPLETE", text)
    assert "UPDATE_ROLLBACK_COMPLETE" in text


@pytest.mark.parametrize("make_view", VIEWS)
def test_ctrl_c_stops_following_not_the_deployment(make_view: Any) -> None:
    class Interrupting(Sleeps):
        def __call__(self, seconds: float) -> None:
            super().__call__(seconds)
            if len(self) == 2:
                raise KeyboardInterrupt

    recording = Recording.load("create_success")
    view, out = make_view(Interrupting())
    cfn = client()
    stubber = Stubber(cfn)
    stub_operation(stubber, recording, execute=ARN)
    with stubber:
        code = execute(cfn, view, change_set(recording), recording.stack_name,
                       sleep=Interrupting())
    text = ANSI.sub("", out.getvalue())
    assert code == 130
    assert "Stopped following. The deployment goes on in CloudFormation." in text
    assert "Watch it again with: sfnc status --stack-name flask-webapp" in text
    assert "Root cause" not in text


def test_a_failed_deletion_names_the_resource_that_stayed() -> None:
    recording = Recording.load("delete_failed")
    cfn = client()
    stubber = Stubber(cfn)
    stubber.add_response("describe_stacks", {"Stacks": [{
        **recording.final_stack, "StackStatus": "UPDATE_COMPLETE",
        "StackStatusReason": ""}]}, {"StackName": "flask-webapp"})
    stubber.add_response("list_stack_resources", {"StackResourceSummaries": [
        {"LogicalResourceId": c["LogicalResourceId"], "ResourceType": c["ResourceType"],
         "PhysicalResourceId": f"{c['LogicalResourceId']}-1", "ResourceStatus": "UPDATE_COMPLETE",
         "LastUpdatedTimestamp": NOW} for c in recording.data["changes"]]},
        {"StackName": recording.stack_id})
    stub_operation(stubber, recording, delete=True, final_stack=False)
    # The bucket was emptied, then a run wrote to it again before CloudFormation got there.
    s3 = client(service="s3")
    emptied = Stubber(s3)
    emptied.add_response("list_object_versions", {"Versions": [
        {"Key": "Source/a.zip", "VersionId": "v1"}]}, {"Bucket": "ArtifactBucket-1"})
    emptied.add_response("delete_objects", {}, {"Bucket": "ArtifactBucket-1", "Delete": {
        "Objects": [{"Key": "Source/a.zip", "VersionId": "v1"}], "Quiet": True}})
    sleeps = Sleeps()
    view, out = plain_view(sleeps)
    with stubber, emptied:
        code = destroy(cfn, s3, view, stack_name="flask-webapp", region="eu-west-1",
                       assume_yes=True, sleep=sleeps)
    stubber.assert_no_pending_responses()
    emptied.assert_no_pending_responses()
    text = out.getvalue()
    assert "Emptied the artifact bucket ArtifactBucket-1 (1 object versions" in text
    assert code == 1
    assert ("Root cause: ArtifactBucket (AWS::S3::Bucket) DELETE_FAILED: Resource handler "
            "returned message: \"The bucket you tried to delete is not empty") in text
    assert "Stack flask-webapp: DELETE_FAILED in 7s" in text
    assert "run `sfnc destroy --stack-name flask-webapp` again" in text
