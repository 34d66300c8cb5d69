"""`sfnc status`: the stack, why its last operation failed, its outputs, and the latest
runs of its state machine. An operation still running is followed live."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from sfnc.drivers.deploy import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, follow_operation
from sfnc.drivers.errors import explain
from sfnc.drivers.executions import latest_executions
from sfnc.drivers.follow import DEFAULT_BACKOFF, Backoff, last_operation
from sfnc.drivers.progress import View
from sfnc.drivers.stack import SUCCEEDED, StackInfo, require
from sfnc.drivers.tracker import Tracker

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_stepfunctions import SFNClient

STATE_MACHINE_OUTPUT = "StateMachineArn"
STATE_MACHINE_TYPE = "AWS::StepFunctions::StateMachine"
# Stacks that serve their last good version; the exit status says 0 for these.
USABLE = (SUCCEEDED - {"DELETE_COMPLETE"}) | {"UPDATE_ROLLBACK_COMPLETE",
                                              "IMPORT_ROLLBACK_COMPLETE"}


def stack_resources(cfn: CloudFormationClient, stack_id: str) -> list[tuple[str, str, str]]:
    """(logical id, type, physical id) of every resource, across pages."""
    found: list[tuple[str, str, str]] = []
    for page in cfn.get_paginator("list_stack_resources").paginate(StackName=stack_id):
        # moto lists the types it does not implement with empty ids; AWS never does.
        found.extend((r["LogicalResourceId"], r["ResourceType"],
                      r.get("PhysicalResourceId", "") or "")
                     for r in page["StackResourceSummaries"] if r.get("LogicalResourceId"))
    return found


def state_machine_arn(cfn: CloudFormationClient, stack: StackInfo) -> str | None:
    """From the StateMachineArn output, or else the stack's state machine resource."""
    for output in stack.outputs:
        if output.key == STATE_MACHINE_OUTPUT and output.value:
            return output.value
    machines = [physical for _, kind, physical in stack_resources(cfn, stack.stack_id)
                if kind == STATE_MACHINE_TYPE and physical]
    return machines[0] if machines else None


def show_status(cfn: CloudFormationClient, sfn: SFNClient, view: View, *, stack_name: str,
                region: str, follow: bool = True, sleep: Callable[[float], None] = time.sleep,
                backoff: Backoff = DEFAULT_BACKOFF) -> int:
    stack = require(cfn, stack_name, region)
    when = f", last changed {stack.updated.astimezone(UTC):%Y-%m-%d %H:%M:%SZ}" \
        if stack.updated else ""
    view.step(f"Stack {stack.name}: {stack.status}{when}")
    running = stack.status.endswith("_IN_PROGRESS") and stack.status != "REVIEW_IN_PROGRESS"
    if running or stack.status not in SUCCEEDED:
        mark, events = last_operation(cfn, stack.stack_id)
        tracker = Tracker(stack.stack_id, stack.name,
                          total=len(stack_resources(cfn, stack.stack_id)))
        tracker.add(events)
        if running and follow:
            status = follow_operation(cfn, view, tracker, mark, f"Following {stack.name}",
                                      sleep=sleep, backoff=backoff,
                                      seen=tuple(e.event_id for e in events),
                                      operation="operation")
            if status is None:
                return EXIT_INTERRUPTED
            stack = require(cfn, stack_name, region) if status != "DELETE_COMPLETE" else stack
        elif not running:
            view.outcome(tracker, stack.status)
    view.outputs(stack.outputs)
    try:
        arn = state_machine_arn(cfn, stack)
        if arn:
            view.executions(arn, latest_executions(sfn, arn))
    except ClientError as exc:
        view.warn(f"cannot list the state machine's executions: {explain(exc)}")
    return EXIT_OK if stack.status in USABLE or (running and not follow) else EXIT_FAILED
