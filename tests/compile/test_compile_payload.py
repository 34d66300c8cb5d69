"""A state's output must stay under 256 KiB however wide a group is."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sfnc.api import compile_pipeline
from sfnc.backends import limits
from tests.compile.conftest import groups_pipeline

FIXTURES = Path(__file__).parent / "fixtures"


def _select(document: Any, path: str) -> Any:
    """Enough JSONPath for ResultSelector paths: $.a.b and $[i]."""
    value = document
    for part in path.removeprefix("$.").split("."):
        value = value[part]
    return value


def test_selector_bounds_cover_a_real_build_result() -> None:
    # A StartBuild.sync result as CodeBuild returns it, with the longest names sfnc allows
    # under the stated assumptions (64-character stack name, 80-character stage name).
    build = json.loads((FIXTURES / "codebuild-build.json").read_text())
    stage = "S" * 80
    selector = {"build_id.$": "$.Build.Id", "status.$": "$.Build.BuildStatus",
                "logs.$": "$.Build.Logs.DeepLink"}
    actual = {key[:-2]: _select(build, path) for key, path in selector.items()}
    assert len(json.dumps(actual)) <= limits.result_bytes(stage, {
        "Type": "Task", "ResultSelector": selector})
    assert len(json.dumps(build)) > 4_000, "the fixture is a whole Build object"


def test_hundred_way_group_stays_far_below_the_payload_cap(
        make_repo: Callable[[str], Path]) -> None:
    compiled = compile_pipeline(make_repo(groups_pipeline(1, 100)))
    group = compiled.definition["States"]["Group0"]
    assert len(group["Branches"]) == 100
    # Each branch hands back only its member's three fields...
    for branch in group["Branches"]:
        member = branch["States"][branch["StartAt"]]
        assert member["OutputPath"] == member["ResultPath"]
        assert set(member["ResultSelector"]) == {"build_id.$", "status.$", "logs.$"}
    largest = limits.largest_output(compiled.definition)
    assert largest < limits.MAX_PAYLOAD_BYTES / 3, largest
    assert compiled.measures is not None
    assert compiled.measures.payload_bytes == largest


def test_output_grows_linearly_with_group_width(make_repo: Callable[[str], Path]) -> None:
    sizes = []
    for width in (10, 20, 40):
        definition = compile_pipeline(make_repo(groups_pipeline(1, width))).definition
        sizes.append(limits.largest_output(definition) - limits.ASSUMED_CONTEXT_BYTES)
    assert sizes[2] - sizes[1] == 2 * (sizes[1] - sizes[0])
