"""Recorded CloudFormation event sequences (events/*.json), served through botocore's Stubber.

moto's CloudFormation emits only stack-level events and never fails or rolls
back a resource, so per-resource progress and failures are tested with
sequences shaped like real ones: the stack's history before the operation,
the operation's events in time order, and ``polls``: how many of those events
CloudFormation has recorded at each successive DescribeStackEvents poll.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import boto3
from botocore.stub import Stubber

EVENTS = Path(__file__).parent / "events"


def _parse(event: dict[str, Any]) -> dict[str, Any]:
    parsed = dict(event)
    parsed["Timestamp"] = datetime.fromisoformat(event["Timestamp"].replace("Z", "+00:00"))
    return parsed


@dataclass
class Recording:
    name: str
    data: dict[str, Any]

    @classmethod
    def load(cls, name: str) -> Recording:
        return cls(name, json.loads((EVENTS / f"{name}.json").read_text()))

    @property
    def stack_id(self) -> str:
        return str(self.data["stack_id"])

    @property
    def stack_name(self) -> str:
        return str(self.data["stack_name"])

    @property
    def history(self) -> list[dict[str, Any]]:
        return [_parse(e) for e in self.data["history"]]

    @property
    def events(self) -> list[dict[str, Any]]:
        return [_parse(e) for e in self.data["events"]]

    @property
    def final_stack(self) -> dict[str, Any]:
        """The stack as DescribeStacks shows it at the end, timestamps parsed as boto3 does."""
        stack = dict(self.data["final_stack"])
        for key in ("CreationTime", "LastUpdatedTime"):
            if key in stack:
                stack[key] = datetime.fromisoformat(stack[key].replace("Z", "+00:00"))
        return stack

    @property
    def root_cause(self) -> dict[str, str]:
        return dict(self.data["root_cause"])

    def change_set_description(self, arn: str) -> dict[str, Any]:
        return {
            "ChangeSetName": arn.split("/")[-2], "ChangeSetId": arn, "StackId": self.stack_id,
            "StackName": self.stack_name, "Status": "CREATE_COMPLETE",
            "ExecutionStatus": "AVAILABLE",
            "Changes": [{"Type": "Resource", "ResourceChange": change}
                        for change in self.data["changes"]],
        }


def client(region: str = "eu-west-1",
           service: Literal["cloudformation", "s3"] = "cloudformation") -> Any:
    """A real client; the Stubber answers before anything leaves the process."""
    return boto3.client(service, region_name=region, aws_access_key_id="testing",
                        aws_secret_access_key="testing", endpoint_url="http://127.0.0.1:9")


def _page_params(stack_id: str, index: int) -> dict[str, Any]:
    return {"StackName": stack_id, **({"NextToken": f"token-{index}"} if index else {})}


def _serve(stubber: Stubber, stack_id: str, visible_newest_first: list[dict[str, Any]],
           known: set[str], page_size: int) -> None:
    """One poll, answered page by page as CloudFormation does, until a page reaches an
    event the reader already knows (it stops asking there)."""
    pages = [visible_newest_first[i:i + page_size]
             for i in range(0, len(visible_newest_first), page_size)] or [[]]
    for index, page in enumerate(pages):
        answer: dict[str, Any] = {"StackEvents": page}
        if index + 1 < len(pages):
            answer["NextToken"] = f"token-{index + 1}"
        stubber.add_response("describe_stack_events", answer, _page_params(stack_id, index))
        if any(e["EventId"] in known for e in page):
            return


def stub_operation(stubber: Stubber, recording: Recording, *, page_size: int = 5,
                   execute: str | None = None, delete: bool = False,
                   final_stack: bool = True) -> None:
    """Queue what one operation's follower reads: the mark, the execution (or deletion)
    call, every poll of the recording, and the final DescribeStacks."""
    history, events = recording.history, recording.events
    stack_id = recording.stack_id
    newest_first = list(reversed(history))
    # latest_mark(): the first page of the history.
    stubber.add_response("describe_stack_events", {"StackEvents": newest_first[:page_size],
                                                   **({"NextToken": "token-1"}
                                                      if len(history) > page_size else {})},
                         {"StackName": stack_id})
    if execute is not None:
        stubber.add_response("execute_change_set", {},
                             {"ChangeSetName": execute, "DisableRollback": False})
    if delete:
        stubber.add_response("delete_stack", {}, {"StackName": stack_id})
    known = {history[-1]["EventId"]} if history else set()
    for cut in recording.data["polls"]:
        visible = list(reversed(history + events[:cut]))
        _serve(stubber, stack_id, visible, known, page_size)
        known |= {e["EventId"] for e in events[:cut]}
    if final_stack:
        stubber.add_response("describe_stacks", {"Stacks": [recording.final_stack]},
                             {"StackName": stack_id})
