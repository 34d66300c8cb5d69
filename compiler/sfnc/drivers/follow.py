"""Following a stack operation through DescribeStackEvents.

CloudFormation returns events newest first, 100 to a page, for the stack's
whole life. Each poll reads pages only until it meets an event it has already
seen, so a long-lived stack costs one call per poll; the mark taken before the
operation starts keeps older history out.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sfnc.drivers.stack import TERMINAL

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient

STACK_TYPE = "AWS::CloudFormation::Stack"


@dataclass(frozen=True)
class StackEvent:
    event_id: str
    timestamp: datetime
    logical_id: str
    resource_type: str
    status: str
    reason: str = ""
    physical_id: str = ""

    @classmethod
    def from_api(cls, event: Any) -> StackEvent:
        return cls(event_id=event["EventId"], timestamp=event["Timestamp"],
                   logical_id=event.get("LogicalResourceId", ""),
                   resource_type=event.get("ResourceType", ""),
                   status=event.get("ResourceStatus", ""),
                   reason=event.get("ResourceStatusReason", "") or "",
                   physical_id=event.get("PhysicalResourceId", "") or "")

    def is_stack(self, stack_id: str) -> bool:
        """The stack's own event, not a resource's (nested stacks share the type)."""
        return self.resource_type == STACK_TYPE and self.physical_id == stack_id


@dataclass(frozen=True)
class Mark:
    """The newest event before an operation: everything after it belongs to the operation."""

    event_id: str | None = None
    timestamp: datetime | None = None


def latest_mark(cfn: CloudFormationClient, stack_id: str) -> Mark:
    events = cfn.describe_stack_events(StackName=stack_id).get("StackEvents", [])
    if not events:
        return Mark()
    return Mark(events[0]["EventId"], events[0]["Timestamp"])


class EventPoller:
    """New events of one stack, oldest first, each exactly once."""

    def __init__(self, cfn: CloudFormationClient, stack_id: str, mark: Mark,
                 seen: Iterable[str] = ()) -> None:
        self.cfn, self.stack_id, self.mark = cfn, stack_id, mark
        self._seen: set[str] = set(seen)

    def poll(self) -> list[StackEvent]:
        fresh: list[StackEvent] = []
        token: str | None = None
        while True:
            args: dict[str, Any] = {"StackName": self.stack_id}
            if token:
                args["NextToken"] = token
            page = self.cfn.describe_stack_events(**args)
            reached_known = False
            for raw in page.get("StackEvents", []):
                event = StackEvent.from_api(raw)
                if event.event_id in self._seen or event.event_id == self.mark.event_id:
                    reached_known = True
                    break
                if self.mark.timestamp is not None and event.timestamp < self.mark.timestamp:
                    reached_known = True
                    break
                fresh.append(event)
            token = page.get("NextToken")
            if reached_known or not token:
                break
        self._seen.update(e.event_id for e in fresh)
        fresh.reverse()
        return fresh


@dataclass(frozen=True)
class Backoff:
    """Poll quickly while things happen, slow down while nothing does."""

    first: float = 2.0
    factor: float = 1.5
    longest: float = 15.0

    def next(self, current: float) -> float:
        return min(current * self.factor, self.longest)


DEFAULT_BACKOFF = Backoff()


def follow(poller: EventPoller, on_events: Callable[[list[StackEvent]], None],
           wait: Callable[[float], None] = time.sleep,
           backoff: Backoff = DEFAULT_BACKOFF) -> str:
    """Poll until the stack's own event reaches a final status; returns that status."""
    delay = backoff.first
    while True:
        events = poller.poll()
        if events:
            on_events(events)
            delay = backoff.first
            for event in events:
                if event.is_stack(poller.stack_id) and event.status in TERMINAL:
                    return event.status
        else:
            delay = backoff.next(delay)
        wait(delay)


# The stack events that open an operation (a rollback continues one, it does not open one).
OPERATION_STARTS = frozenset({"CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "DELETE_IN_PROGRESS",
                              "IMPORT_IN_PROGRESS"})


def last_operation(cfn: CloudFormationClient, stack_id: str,
                   max_pages: int = 20) -> tuple[Mark, list[StackEvent]]:
    """The events of the stack's latest operation, oldest first, and the mark before it:
    what `sfnc status` explains, and where it picks up following a running operation."""
    found: list[StackEvent] = []
    token: str | None = None
    for _ in range(max_pages):
        args: dict[str, Any] = {"StackName": stack_id}
        if token:
            args["NextToken"] = token
        page = cfn.describe_stack_events(**args)
        events = [StackEvent.from_api(raw) for raw in page.get("StackEvents", [])]
        for i, event in enumerate(events):
            found.append(event)
            if event.is_stack(stack_id) and event.status in OPERATION_STARTS:
                before = events[i + 1] if i + 1 < len(events) else None
                mark = Mark(before.event_id, before.timestamp) if before else Mark()
                found.reverse()
                return mark, found
        token = page.get("NextToken")
        if not token:
            break
    found.reverse()
    return Mark(), found
