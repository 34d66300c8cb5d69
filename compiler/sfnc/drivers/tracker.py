"""The state of a deployment as the events tell it: what the progress view draws and
what the failure report says.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from sfnc.drivers.follow import StackEvent
from sfnc.drivers.stack import SUCCEEDED, TERMINAL

# Reasons CloudFormation gives to resources it stopped because another one failed:
# the cascade, never the cause.
_CASCADE = ("Resource creation cancelled", "Resource update cancelled",
            "Resource deletion cancelled", "Resource import cancelled")


NO_EVENTS = "DONE_WITHOUT_EVENTS"  # a resource the stack reported done without its own events


def is_cascade(event: StackEvent) -> bool:
    return any(event.reason.startswith(text) for text in _CASCADE)


def is_failure(event: StackEvent) -> bool:
    return event.status.endswith("_FAILED")


def is_finished(status: str) -> bool:
    # CONFIGURATION_COMPLETE comes before CREATE_COMPLETE when CloudFormation
    # waits for eventual consistency: the resource is not done yet.
    return (status.endswith(("_COMPLETE", "_FAILED", "_SKIPPED")) and
            status != "CONFIGURATION_COMPLETE") or status == NO_EVENTS


@dataclass
class Resource:
    logical_id: str
    resource_type: str
    status: str = "PENDING"
    reason: str = ""
    started: datetime | None = None
    changed: datetime | None = None

    @property
    def finished(self) -> bool:
        return is_finished(self.status)


@dataclass
class Tracker:
    """Folds events into per-resource states; knows the total from the change set."""

    stack_id: str
    stack_name: str
    total: int
    resources: dict[str, Resource] = field(default_factory=dict)
    events: list[StackEvent] = field(default_factory=list)
    recent: deque[StackEvent] = field(default_factory=lambda: deque(maxlen=8))
    stack_status: str = ""
    started: datetime | None = None
    # Resources that reached a final status at least once: a rollback that starts
    # deleting them again must not make the progress bar run backwards.
    settled: set[str] = field(default_factory=set)

    def expect(self, logical_id: str, resource_type: str) -> None:
        """A resource the change set announced, shown as pending until it moves."""
        self.resources.setdefault(logical_id, Resource(logical_id, resource_type))

    def add(self, events: list[StackEvent]) -> None:
        for event in events:
            self.events.append(event)
            self.recent.append(event)
            if self.started is None:
                self.started = event.timestamp
            if event.is_stack(self.stack_id):
                self.stack_status = event.status
                if event.status in SUCCEEDED:
                    self._close(event.timestamp)
                continue
            resource = self.resources.setdefault(
                event.logical_id, Resource(event.logical_id, event.resource_type))
            if resource.started is None:
                resource.started = event.timestamp
            resource.status, resource.changed = event.status, event.timestamp
            resource.reason = event.reason
            if resource.finished:
                self.settled.add(event.logical_id)

    def _close(self, moment: datetime) -> None:
        """A stack that succeeded applied every change, whether or not each resource told
        us so (emulators such as moto emit only the stack's own events)."""
        for resource in self.resources.values():
            if resource.status == "PENDING":
                resource.status, resource.changed = NO_EVENTS, moment
                self.settled.add(resource.logical_id)

    @property
    def done(self) -> int:
        return min(self.total, len(self.settled))

    @property
    def ended(self) -> datetime | None:
        """When the operation finished, once the stack's own event says so."""
        return self.events[-1].timestamp if self.stack_status in TERMINAL and self.events \
            else None

    @property
    def rolling_back(self) -> bool:
        return "ROLLBACK" in self.stack_status

    def failures(self) -> list[StackEvent]:
        """Resource failures that caused something, oldest first, one per resource."""
        found: dict[str, StackEvent] = {}
        for event in self.events:
            if is_failure(event) and not is_cascade(event) and not event.is_stack(self.stack_id):
                found.setdefault(event.logical_id, event)
        return list(found.values())

    def root_cause(self) -> StackEvent | None:
        """The first resource that failed for a reason of its own; failing that, the stack's
        own failure event (a stack-level error such as a bad parameter)."""
        causes = self.failures()
        if causes:
            return causes[0]
        for event in self.events:
            if event.is_stack(self.stack_id) and event.reason and (
                    is_failure(event) or "ROLLBACK_IN_PROGRESS" in event.status):
                return event
        return None
