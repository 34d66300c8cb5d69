"""Structural checks of an ASL definition, independent of the compiler that wrote it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

SUPPORTED_RESOURCES = {
    "arn:aws:states:::codebuild:startBuild.sync",
    "arn:aws:states:::lambda:invoke",
}
TERMINAL = {"Succeed", "Fail"}


def _targets(state: dict[str, Any]) -> Iterator[str]:
    if "Next" in state:
        yield state["Next"]
    if "Default" in state:
        yield state["Default"]
    for choice in state.get("Choices", []):
        yield choice["Next"]
    for catcher in state.get("Catch", []):
        yield catcher["Next"]


def problems(machine: dict[str, Any], where: str = "") -> list[str]:
    """Every way the (sub-)machine is broken; empty when it is sound."""
    found: list[str] = []
    states: dict[str, Any] = machine["States"]
    start = machine["StartAt"]
    if start not in states:
        found.append(f"{where}StartAt {start!r} is not a state")
        return found
    for name, state in states.items():
        for target in _targets(state):
            if target not in states:
                found.append(f"{where}{name} → {target!r}, which is not in the same scope")
        kind = state["Type"]
        ends = state.get("End") is True or kind in TERMINAL
        if ends == ("Next" in state):
            found.append(f"{where}{name} must have exactly one of Next and End")
        if kind == "Task" and state["Resource"] not in SUPPORTED_RESOURCES:
            found.append(f"{where}{name} uses unsupported integration {state['Resource']}")
        for index, branch in enumerate(state.get("Branches", [])):
            found.extend(problems(branch, f"{where}{name}[{index}]/"))
    reachable, frontier = {start}, [start]
    while frontier:
        for target in _targets(states[frontier.pop()]):
            if target in states and target not in reachable:
                reachable.add(target)
                frontier.append(target)
    found.extend(f"{where}{name} is unreachable" for name in states if name not in reachable)
    # Every path must terminate: from each reachable state a terminal state is reachable.
    terminating = {n for n, s in states.items() if s.get("End") is True or s["Type"] in TERMINAL}
    changed = True
    while changed:
        changed = False
        for name, state in states.items():
            if name not in terminating and any(t in terminating for t in _targets(state)):
                terminating.add(name)
                changed = True
    found.extend(f"{where}{name} never reaches an end" for name in reachable - terminating)
    return found


def all_state_names(machine: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for name, state in machine["States"].items():
        names.append(name)
        for branch in state.get("Branches", []):
            names.extend(all_state_names(branch))
    return names
