"""Plain lines for CI logs and pipes: one line per event, nothing redrawn, no colour."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TextIO

from sfnc.drivers.changeset import ChangeSet
from sfnc.drivers.executions import Execution
from sfnc.drivers.follow import StackEvent
from sfnc.drivers.parameters import Value
from sfnc.drivers.progress import change_summary, clock, duration, event_reason, verdict
from sfnc.drivers.stack import Output
from sfnc.drivers.tracker import Tracker


class _PlainFollowing:
    def __init__(self, view: PlainView, tracker: Tracker) -> None:
        self.view, self.tracker = view, tracker

    def events(self, events: list[StackEvent]) -> None:
        width = len(str(self.tracker.total))
        for event in events:
            self.tracker.add([event])  # one at a time, so each line's count is its own
            count = f"[{self.tracker.done:>{width}}/{self.tracker.total}]"
            reason = event_reason(event)
            self.view.line(f"{count} {clock(event.timestamp)} {event.status:<28} "
                           f"{event.logical_id} ({event.resource_type})"
                           + (f": {reason}" if reason else ""))

    def wait(self, seconds: float) -> None:
        self.view.sleep(seconds)


class PlainView:
    def __init__(self, stream: TextIO, *, redact: Callable[[str], str],
                 sleep: Callable[[float], None] = time.sleep, interactive: bool = False,
                 prompt_stream: TextIO | None = None, answers: TextIO | None = None) -> None:
        self.stream, self.redact, self.sleep = stream, redact, sleep
        self.interactive = interactive
        self.prompt_stream = prompt_stream or sys.stderr
        self.answers = answers or sys.stdin

    def line(self, text: str = "") -> None:
        self.stream.write(self.redact(text) + "\n")
        self.stream.flush()

    def step(self, text: str) -> None:
        self.line(text)

    def warn(self, text: str) -> None:
        self.line(f"warning: {text}")

    def parameters(self, values: Sequence[Value]) -> None:
        if values:
            self.line("Parameters:")
            for value in values:
                self.line(f"  {value.key} = {value.shown()}")

    def change_set(self, change_set: ChangeSet, title: str) -> None:
        self.line(f"{title}: {change_summary(change_set)}")
        for c in change_set.changes:
            self.line(f"  {c.action:<8} {c.replacement or '-':<12} {c.resource_type:<40} "
                      f"{c.logical_id}")

    def confirm(self, question: str) -> bool:
        self.prompt_stream.write(f"{question} [y/N] ")
        self.prompt_stream.flush()
        answer = self.answers.readline()
        if not answer:
            raise KeyboardInterrupt  # stdin closed: nobody is there to say yes
        return answer.strip().lower() in {"y", "yes"}

    @contextmanager
    def following(self, tracker: Tracker, title: str) -> Iterator[_PlainFollowing]:
        self.line(f"{title}: {tracker.total} resource{'s' * (tracker.total != 1)} to change")
        yield _PlainFollowing(self, tracker)

    def outcome(self, tracker: Tracker, status: str) -> None:
        _, lines = verdict(tracker, status)
        for text in lines:
            self.line(text)

    def executions(self, arn: str, executions: Sequence[Execution]) -> None:
        self.line(f"State machine {arn}: "
                  + (f"latest {len(executions)} executions" if executions else "no executions"))
        now = datetime.now(UTC)
        for run in executions:
            self.line(f"  {run.status:<10} {run.started.astimezone(UTC):%Y-%m-%d %H:%M:%SZ} "
                      f"{duration(run.took(now)):>8}  {run.name}")

    def outputs(self, outputs: Sequence[Output]) -> None:
        if outputs:
            self.line("Outputs:")
            for output in outputs:
                self.line(f"  {output.key} = {output.value}")
