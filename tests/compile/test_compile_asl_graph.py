"""The graph checker used on every golden case must itself catch broken machines."""

from __future__ import annotations

import copy
from typing import Any

from tests.compile.asl_graph import problems

SOUND: dict[str, Any] = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "G",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}]},
        "G": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}]},
        "Failed": {"Type": "Fail"},
    },
}


def broken(change: str) -> dict[str, Any]:
    machine = copy.deepcopy(SOUND)
    states = machine["States"]
    if change == "missing target":
        states["A"]["Next"] = "Nowhere"
    elif change == "unreachable":
        states["Orphan"] = {"Type": "Pass", "End": True}
    elif change == "loop":
        states["A"]["Next"] = "Loop"
        states["Loop"] = {"Type": "Pass", "Next": "Loop"}
        del states["G"]
    elif change == "unsupported":
        states["A"]["Resource"] = "arn:aws:states:::sqs:sendMessage"
    elif change == "branch escapes":
        states["G"]["Branches"][0]["States"]["B"] = {"Type": "Pass", "Next": "Failed"}
    elif change == "next and end":
        states["A"]["End"] = True
    return machine


def test_sound_machine_passes() -> None:
    assert problems(SOUND) == []


def test_each_defect_is_found() -> None:
    expected = {
        "missing target": "not in the same scope",
        "unreachable": "Orphan is unreachable",
        "loop": "never reaches an end",
        "unsupported": "unsupported integration",
        "branch escapes": "not in the same scope",
        "next and end": "exactly one of Next and End",
    }
    for change, words in expected.items():
        found = problems(broken(change))
        assert any(words in p for p in found), (change, found)
