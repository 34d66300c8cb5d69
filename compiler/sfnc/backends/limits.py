"""AWS limits that a compiled pipeline must respect, checked before anything is deployed.

Sizes that depend on deploy-time values (the stack name, the region) are
estimated with the assumptions named below; docs/limits.md explains each.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sfnc import model
from sfnc.diagnostics import FILE_START, Diagnostic, error, warning

INLINE_TEMPLATE_BYTES = 51_200      # CreateStack/UpdateStack TemplateBody
S3_TEMPLATE_BYTES = 1_000_000       # TemplateURL (1 MB)
MAX_RESOURCES = 500
MAX_DEFINITION_BYTES = 1_048_576    # a state machine definition (1 MiB)
MAX_PAYLOAD_BYTES = 262_144         # a state's input or output (256 KiB)
PAYLOAD_WARNING_BYTES = 224 * 1024
MAX_HISTORY_EVENTS = 25_000
MAX_ROLE_POLICY_BYTES = 10_240      # all inline policies of one role, whitespace excluded

# Assumptions behind the estimates.
ASSUMED_STACK_NAME = 64             # characters; CloudFormation allows 128
ASSUMED_CONTEXT_BYTES = 4_096       # $.context, including what an execution is started with
ASSUMED_TOKEN_BYTES = 128           # a resolved ${...} or Fn::GetAtt inside a policy
UUID = 36

# Events a state writes to the execution history on the path without retries.
HISTORY_EVENTS = {"Task": 5, "Pass": 2, "Parallel": 4, "Fail": 2}
_SYNC_EXTRA = 1                     # TaskSubmitted, for .sync integrations


@dataclass(frozen=True)
class Measures:
    template_bytes: int             # minified, as sent to CloudFormation
    resources: int
    resource_types: dict[str, int]
    definition_bytes: int
    states: int
    payload_bytes: int              # largest state output, estimated
    history_events: int             # events of a successful run without retries, estimated
    largest_role_policy: tuple[str, int]  # (role logical id, estimated bytes)

    @property
    def needs_s3_upload(self) -> bool:
        return self.template_bytes > INLINE_TEMPLATE_BYTES


def _field_bound(path: str, state_name: str) -> int:
    """Longest value a ResultSelector path can produce for the given stage."""
    project = ASSUMED_STACK_NAME + 1 + len(state_name)
    bounds = {
        "$.Build.Id": project + 1 + UUID,
        "$.Build.BuildStatus": len("IN_PROGRESS"),
        # console URL + region + log group (stack-derived) + stream (<stage>/<build uuid>)
        "$.Build.Logs.DeepLink": 110 + ASSUMED_STACK_NAME + 30 + len(state_name) + 1 + UUID,
        "$.StatusCode": 3,
    }
    return bounds.get(path, 1024)


def result_bytes(name: str, state: dict[str, Any]) -> int:
    """Upper bound of what a state adds at its ResultPath."""
    if state["Type"] == "Parallel":  # ResultSelector names each branch's result
        branches = [len(b["StartAt"]) + 4 + branch_output_bytes(b) for b in state["Branches"]]
        return 2 + sum(branches) + len(branches)
    selector = state.get("ResultSelector", {})
    fields = [len(key) - 2 + 4 + _field_bound(path, name) + 2 for key, path in selector.items()]
    return 2 + sum(fields) + len(fields)


def branch_output_bytes(branch: dict[str, Any]) -> int:
    """A branch's output is its one member's result (OutputPath = ResultPath)."""
    start = branch["StartAt"]
    return result_bytes(start, branch["States"][start])


def largest_output(definition: dict[str, Any]) -> int:
    """The largest state output: the context plus every result added along the main path."""
    states = definition["States"]
    size = largest = ASSUMED_CONTEXT_BYTES
    name = states[definition["StartAt"]].get("Next")
    while name:
        state = states[name]
        if str(state.get("ResultPath", "")).startswith("$.results."):
            size += len(name) + 4 + result_bytes(name, state)
            largest = max(largest, size)
        name = state.get("Next")
    return largest


def history_events(states: dict[str, Any], start: str) -> int:
    total, name = 0, start
    while name:
        state = states[name]
        total += HISTORY_EVENTS.get(state["Type"], 2)
        if str(state.get("Resource", "")).endswith(".sync"):
            total += _SYNC_EXTRA
        for branch in state.get("Branches", []):
            total += history_events(branch["States"], branch["StartAt"])
        name = state.get("Next")
    return total


def count_states(states: dict[str, Any]) -> int:
    return sum(1 + sum(count_states(b["States"]) for b in s.get("Branches", []))
               for s in states.values())


_TOKEN = re.compile(r"\$\{[^}]*\}")


def _policy_bytes(document: Any) -> int:
    """Policy size as IAM counts it (no whitespace), intrinsics replaced by long values."""
    def resolve(value: Any) -> Any:
        if isinstance(value, dict):
            if "Fn::Sub" in value:
                return _TOKEN.sub("x" * ASSUMED_TOKEN_BYTES, str(value["Fn::Sub"]))
            if "Fn::GetAtt" in value or "Ref" in value:
                return "x" * ASSUMED_TOKEN_BYTES
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value
    return len(json.dumps(resolve(document), separators=(",", ":")))


def largest_role_policy(resources: dict[str, Any]) -> tuple[str, int]:
    sizes = [("", 0)]
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::IAM::Role":
            policies = resource.get("Properties", {}).get("Policies", [])
            sizes.append((logical_id, sum(_policy_bytes(p["PolicyDocument"]) for p in policies)))
    return max(sizes, key=lambda item: item[1])


def measure(template: dict[str, Any], definition: dict[str, Any],
            template_text: str, definition_text: str) -> Measures:
    resources = template.get("Resources", {})
    types: dict[str, int] = {}
    for resource in resources.values():
        types[resource["Type"]] = types.get(resource["Type"], 0) + 1
    return Measures(
        template_bytes=len(template_text.encode()),
        resources=len(resources),
        resource_types=dict(sorted(types.items())),
        definition_bytes=len(definition_text.encode()),
        states=count_states(definition["States"]),
        payload_bytes=largest_output(definition),
        history_events=2 + history_events(definition["States"], definition["StartAt"]),
        largest_role_policy=largest_role_policy(resources),
    )


def check(pipeline: model.Pipeline, m: Measures) -> list[Diagnostic]:
    """Limit problems, located at the `stages:` key (the stages are what grows)."""
    file, at = pipeline.file, pipeline.spans.get("stages:key", FILE_START)
    split = "split the pipeline into two files"
    found: list[Diagnostic] = []
    if m.resources > MAX_RESOURCES:
        found.append(error("SFN501", f"the template needs {m.resources} resources; a "
                           f"CloudFormation stack holds at most {MAX_RESOURCES}", file, at,
                           f"each build stage is a CodeBuild project: {split}"))
    if m.template_bytes > S3_TEMPLATE_BYTES:
        found.append(error("SFN501", f"the template is {m.template_bytes:,} bytes; "
                           f"CloudFormation accepts at most {S3_TEMPLATE_BYTES:,} bytes even "
                           "through S3", file, at, split))
    if m.definition_bytes > MAX_DEFINITION_BYTES:
        found.append(error("SFN502", f"the state machine definition is {m.definition_bytes:,} "
                           f"bytes; Step Functions accepts at most {MAX_DEFINITION_BYTES:,}",
                           file, at, split))
    if m.payload_bytes > MAX_PAYLOAD_BYTES:
        found.append(error("SFN502", f"the state output may grow to {m.payload_bytes:,} bytes; "
                           f"Step Functions caps it at {MAX_PAYLOAD_BYTES:,} (each stage adds "
                           "its result)", file, at, split))
    elif m.payload_bytes > PAYLOAD_WARNING_BYTES:
        found.append(warning("SFN502", f"the state output may grow to {m.payload_bytes:,} "
                             f"bytes, close to Step Functions' {MAX_PAYLOAD_BYTES:,}", file, at,
                             "long stack and stage names make it larger; see docs/limits.md"))
    if m.history_events > MAX_HISTORY_EVENTS:
        found.append(error("SFN502", f"a run writes about {m.history_events:,} history events; "
                           f"an execution keeps at most {MAX_HISTORY_EVENTS:,}", file, at, split))
    role, size = m.largest_role_policy
    if size > MAX_ROLE_POLICY_BYTES:
        found.append(error("SFN503", f"the inline policy of {role} may reach {size:,} bytes; "
                           f"IAM allows {MAX_ROLE_POLICY_BYTES:,} per role", file, at,
                           "give the stages fewer permission bundles"))
    return found
