"""The live terminal view: a progress bar, a table of resources and the latest events."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from rich import box
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.prompt import Confirm
from rich.table import Table
from rich.text import Text

from sfnc.drivers.changeset import ChangeSet
from sfnc.drivers.executions import Execution
from sfnc.drivers.follow import StackEvent
from sfnc.drivers.parameters import Value
from sfnc.drivers.progress import (
    change_summary,
    clock,
    duration,
    event_reason,
    sliced_wait,
    verdict,
)
from sfnc.drivers.stack import Output
from sfnc.drivers.tracker import Resource, Tracker

_ACTION_STYLE = {"add": "green", "modify": "yellow", "remove": "red"}
_EXECUTION_STYLE = {"SUCCEEDED": "green", "RUNNING": "yellow", "FAILED": "bold red",
                    "TIMED_OUT": "bold red", "ABORTED": "red", "PENDING_REDRIVE": "magenta"}
_REPLACEMENT_STYLE = {"yes": "bold red", "conditional": "yellow", "no": "dim"}


def status_style(status: str) -> str:
    if status.endswith("_FAILED"):
        return "bold red"
    if "ROLLBACK" in status:
        return "magenta"
    if status.endswith("_IN_PROGRESS") or status == "CONFIGURATION_COMPLETE":
        return "yellow"
    if status.endswith("_COMPLETE"):
        return "green"
    return "dim"


class _LiveFollowing:
    def __init__(self, view: RichView, tracker: Tracker, title: str, live: Live) -> None:
        self.view, self.tracker, self.title, self.live = view, tracker, title, live

    def refresh(self) -> None:
        self.live.update(self.view.render(self.tracker, self.title), refresh=True)

    def events(self, events: list[StackEvent]) -> None:
        self.tracker.add(events)
        self.refresh()

    def wait(self, seconds: float) -> None:
        for _ in sliced_wait(seconds, self.view.sleep, self.refresh):
            pass


class RichView:
    def __init__(self, console: Console, *, redact: Callable[[str], str],
                 sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 max_rows: int | None = None) -> None:
        self.console, self.redact, self.sleep, self.now = console, redact, sleep, now
        self.max_rows = max_rows

    def text(self, text: str, style: str = "") -> Text:
        return Text(self.redact(text), style=style)

    def step(self, text: str) -> None:
        self.console.print(self.text(text, "dim"))

    def warn(self, text: str) -> None:
        self.console.print(self.text(f"warning: {text}", "yellow"))

    def parameters(self, values: Sequence[Value]) -> None:
        if not values:
            return
        table = Table(box=box.SIMPLE_HEAD, title="Parameters", title_justify="left")
        table.add_column("Parameter")
        table.add_column("Value")
        for value in values:
            table.add_row(self.text(value.key), self.text(value.shown()))
        self.console.print(table)

    def change_set(self, change_set: ChangeSet, title: str) -> None:
        table = Table(box=box.SIMPLE_HEAD, title_justify="left", title=self.redact(title),
                      caption=change_summary(change_set), caption_justify="left")
        for column in ("Action", "Replacement", "Resource type", "Logical ID"):
            table.add_column(column)
        for c in change_set.changes:
            table.add_row(self.text(c.action, _ACTION_STYLE.get(c.action, "")),
                          self.text(c.replacement or "-",
                                    _REPLACEMENT_STYLE.get(c.replacement, "dim")),
                          self.text(c.resource_type), self.text(c.logical_id, "bold"))
        self.console.print(table)

    def confirm(self, question: str) -> bool:
        return Confirm.ask(self.redact(question), console=self.console, default=False)

    @contextmanager
    def following(self, tracker: Tracker, title: str) -> Iterator[_LiveFollowing]:
        live = Live(self.render(tracker, title), console=self.console, auto_refresh=False,
                    transient=False, vertical_overflow="visible")
        with live:
            following = _LiveFollowing(self, tracker, title, live)
            try:
                yield following
            finally:
                following.refresh()

    def render(self, tracker: Tracker, title: str) -> RenderableType:
        failing = tracker.rolling_back or any(r.status.endswith("_FAILED")
                                              for r in tracker.resources.values())
        bar = ProgressBar(total=max(tracker.total, 1), completed=tracker.done, width=36,
                          complete_style="red" if failing else "green",
                          finished_style="red" if failing else "green")
        head = Table.grid(padding=(0, 1))
        head.add_row(self.text(title, "bold"), bar,
                     self.text(f"{tracker.done}/{tracker.total} resources"),
                     self.text(tracker.stack_status or "", status_style(tracker.stack_status)),
                     self.text(duration((tracker.ended or self.now()) - tracker.started)
                               if tracker.started else "", "dim"))
        return Group(head, self._resources(tracker), self._events(tracker))

    def _rows(self, tracker: Tracker) -> tuple[list[Resource], int]:
        """Failures first, then what is moving, then the most recently finished."""
        limit = self.max_rows or max(5, self.console.size.height - 16)
        everything = list(tracker.resources.values())

        def rank(r: Resource) -> tuple[int, float]:
            moment = -(r.changed.timestamp() if r.changed else 0.0)
            if r.status.endswith("_FAILED"):
                return (0, moment)
            if not r.finished and r.status != "PENDING":
                return (1, moment)
            return (2 if r.finished else 3, moment)

        ordered = sorted(everything, key=rank)
        return ordered[:limit], max(0, len(ordered) - limit)

    def _resources(self, tracker: Tracker) -> Table:
        table = Table(box=box.SIMPLE_HEAD, expand=False)
        for column in ("Resource", "Type", "Status", "Time", "Reason"):
            table.add_column(column, no_wrap=column != "Reason",
                             overflow="ellipsis" if column == "Reason" else "fold")
        rows, hidden = self._rows(tracker)
        for r in rows:
            end = r.changed if r.finished else self.now()
            elapsed = duration(end - r.started) if r.started and end else ""
            table.add_row(self.text(r.logical_id, "bold"), self.text(r.resource_type, "dim"),
                          self.text(r.status, status_style(r.status)), self.text(elapsed),
                          self.text(" ".join(r.reason.split()), "dim"))
        if hidden:
            table.caption = f"… and {hidden} more"
        return table

    def _events(self, tracker: Tracker) -> Table:
        table = Table.grid(padding=(0, 1))
        table.title, table.title_justify = "Latest events", "left"
        for event in tracker.recent:
            table.add_row(self.text(clock(event.timestamp), "dim"),
                          self.text(event.logical_id, "bold"),
                          self.text(event.status, status_style(event.status)),
                          self.text(event_reason(event), "dim"))
        return table

    def outcome(self, tracker: Tracker, status: str) -> None:
        ok, lines = verdict(tracker, status)
        for i, line in enumerate(lines):
            style = "bold green" if ok else ("bold red" if i == 0 else "")
            self.console.print(self.text(line, style))

    def executions(self, arn: str, executions: Sequence[Execution]) -> None:
        table = Table(box=box.SIMPLE_HEAD, title_justify="left",
                      title=f"Latest executions of {arn}" if executions
                      else f"No executions yet of {arn}")
        for column in ("Status", "Started", "Took", "Execution"):
            table.add_column(column)
        now = self.now()
        for run in executions:
            table.add_row(self.text(run.status, _EXECUTION_STYLE.get(run.status, "")),
                          self.text(f"{run.started.astimezone(UTC):%Y-%m-%d %H:%M:%SZ}"),
                          self.text(duration(run.took(now))), self.text(run.name))
        self.console.print(table)

    def outputs(self, outputs: Sequence[Output]) -> None:
        if not outputs:
            return
        table = Table(box=box.SIMPLE_HEAD, title="Outputs", title_justify="left")
        for column in ("Output", "Value", "Description"):
            table.add_column(column, overflow="fold")
        for output in outputs:
            table.add_row(self.text(output.key, "bold"), self.text(output.value, "cyan"),
                          self.text(output.description, "dim"))
        self.console.print(table)
