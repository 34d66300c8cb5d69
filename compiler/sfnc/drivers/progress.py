"""What a deploy shows, in two forms: a live rich view on a terminal, plain lines elsewhere.

The orchestration talks to a ``View`` and never prints; which view it gets is
decided once, from whether stdout is a terminal. Both forms say the same
things in the same words, so CI logs and screenshots tell the same story.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sfnc.drivers.changeset import ChangeSet
from sfnc.drivers.executions import Execution
from sfnc.drivers.follow import StackEvent
from sfnc.drivers.parameters import Value
from sfnc.drivers.stack import SUCCEEDED, Output
from sfnc.drivers.tracker import Tracker


class Following(Protocol):
    def events(self, events: list[StackEvent]) -> None: ...
    def wait(self, seconds: float) -> None: ...


class View(Protocol):
    def step(self, text: str) -> None: ...
    def warn(self, text: str) -> None: ...
    def parameters(self, values: Sequence[Value]) -> None: ...
    def change_set(self, change_set: ChangeSet, title: str) -> None: ...
    def confirm(self, question: str) -> bool: ...
    def following(self, tracker: Tracker, title: str) -> AbstractContextManager[Following]: ...
    def outcome(self, tracker: Tracker, status: str) -> None: ...
    def outputs(self, outputs: Sequence[Output]) -> None: ...
    def executions(self, arn: str, executions: Sequence[Execution]) -> None: ...


def sliced_wait(seconds: float, sleep: Callable[[float], None],
                tick: Callable[[], None], slice_length: float = 0.5) -> Iterator[None]:
    """Sleep ``seconds`` in short slices, calling ``tick`` after each, so a live view's
    clocks keep moving between polls. A generator so callers can stop early."""
    slices = max(1, math.ceil(seconds / slice_length))
    for _ in range(slices):
        sleep(seconds / slices)
        tick()
        yield


def duration(delta: timedelta | float) -> str:
    seconds = int(delta.total_seconds() if isinstance(delta, timedelta) else delta)
    seconds = max(0, seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def clock(moment: datetime) -> str:
    """UTC, as CloudFormation's console and CI runners show time."""
    return moment.astimezone(UTC).strftime("%H:%M:%SZ")


def change_summary(change_set: ChangeSet) -> str:
    counts = dict.fromkeys(("add", "modify", "remove"), 0)
    for change in change_set.changes:
        counts[change.action] = counts.get(change.action, 0) + 1
    replaced = sum(c.replacement == "yes" for c in change_set.changes)
    conditional = sum(c.replacement == "conditional" for c in change_set.changes)
    parts = [f"{counts['add']} to add", f"{counts['modify']} to modify",
             f"{counts['remove']} to remove"]
    extra = []
    if replaced:
        extra.append(f"{replaced} replaced")
    if conditional:
        extra.append(f"{conditional} may be replaced")
    return ", ".join(parts) + (f" ({', '.join(extra)})" if extra else "")


def event_reason(event: StackEvent) -> str:
    return " ".join(event.reason.split())  # CloudFormation reasons can hold newlines


def root_cause_line(event: StackEvent) -> str:
    what = f"{event.logical_id} ({event.resource_type})"
    return f"Root cause: {what} {event.status}: {event_reason(event) or 'no reason given'}"


def verdict(tracker: Tracker, status: str) -> tuple[bool, list[str]]:
    """Whether the operation succeeded, and the lines that explain the outcome."""
    elapsed = ""
    if tracker.started and tracker.events:
        elapsed = f" in {duration(tracker.events[-1].timestamp - tracker.started)}"
    name = tracker.stack_name
    if status in SUCCEEDED:
        return True, [f"Stack {name}: {status}{elapsed}"]
    lines: list[str] = []
    cause = tracker.root_cause()
    if cause is not None:
        lines.append(root_cause_line(cause))
        others = [e.logical_id for e in tracker.failures() if e is not cause]
        if others:
            lines.append(f"Also failed: {', '.join(others)}")
    lines.append(f"Stack {name}: {status}{elapsed}")
    hint = _HINTS.get(status)
    if hint:
        lines.append(hint.format(name=name))
    return False, lines


_HINTS = {
    "ROLLBACK_COMPLETE": "The first deployment was rolled back and the stack holds no "
                         "resources. Delete it with `sfnc destroy --stack-name {name}`, fix "
                         "the cause, and deploy again.",
    "UPDATE_ROLLBACK_COMPLETE": "The stack is back at its previous version. Fix the cause "
                                "and deploy again.",
    "CREATE_FAILED": "Rollback was disabled (--no-rollback): the resources stay as they are "
                     "for inspection. Fix the cause and deploy again, or `sfnc destroy "
                     "--stack-name {name}`.",
    "UPDATE_FAILED": "Rollback was disabled (--no-rollback): the resources stay as they are "
                     "for inspection. Fix the cause and deploy again.",
    "UPDATE_ROLLBACK_FAILED": "The rollback failed too. Continue it with `aws cloudformation "
                              "continue-update-rollback --stack-name {name}`.",
    "ROLLBACK_FAILED": "The rollback failed too. Delete the stack with `sfnc destroy "
                       "--stack-name {name}`.",
    "DELETE_FAILED": "Some resources could not be deleted; fix the cause and run `sfnc "
                     "destroy --stack-name {name}` again.",
}


def interrupted_lines(stack_name: str, operation: str = "deployment") -> list[str]:
    return [f"Stopped following. The {operation} goes on in CloudFormation.",
            f"Watch it again with: sfnc status --stack-name {stack_name}"]


def make_view(*, interactive: bool, redact: Callable[[str], str],
              sleep: Callable[[float], None] = time.sleep) -> View:
    """The rich live view on a terminal, plain lines otherwise."""
    from rich.console import Console

    console = Console(highlight=False)
    if console.is_terminal and not console.is_dumb_terminal:
        from sfnc.drivers.rich_view import RichView
        return RichView(console, redact=redact, sleep=sleep)
    import sys

    from sfnc.drivers.plain_view import PlainView
    return PlainView(sys.stdout, redact=redact, sleep=sleep, interactive=interactive)
