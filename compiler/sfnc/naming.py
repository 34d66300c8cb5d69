"""Names derived from the pipeline: CloudFormation logical IDs and result keys.

Logical IDs must stay the same from one compile to the next (a changed ID
makes CloudFormation replace the resource), so each is a pure function of one
user-chosen name, never of its position or of other names. Two names that
map to the same ID are reported as an error (SFN315) instead of being
disambiguated by a counter that would shift when stages are added.
"""

from __future__ import annotations

import hashlib
import re

_PARTS = re.compile(r"[A-Za-z0-9]+")
# States the compiler adds around the user's stages; a stage may not take these names.
RESERVED_STATE_NAMES = ("SetInputParameters", "NotifyFailure", "PipelineFailed")


def camel(name: str) -> str:
    """unit-tests → UnitTests, mark_pr_ready → MarkPrReady, UnitTests → UnitTests."""
    return "".join(part[:1].upper() + part[1:] for part in _PARTS.findall(name))


def stage_id(stage_name: str) -> str:
    return camel(stage_name)


def function_id(function_name: str) -> str:
    return camel(function_name)


def result_key(step_name: str) -> str:
    """The key a stage's result takes under $.results: a plain JSONPath member name."""
    key = step_name.replace("-", "_")
    return f"_{key}" if key[:1].isdigit() else key


def project_id(stage_name: str) -> str:
    """The CodeBuild project of a build stage; also its DefinitionSubstitutions key."""
    return f"{stage_id(stage_name)}Project"


def function_resource_id(function_name: str) -> str:
    """The Lambda function; also its DefinitionSubstitutions key."""
    return f"{function_id(function_name)}Function"


MAX_STATE_NAME = 80


def _state_name(step_name: str, suffix: str) -> str:
    """``step_name`` + ``suffix``, shortened with a digest of the name when the two
    would pass the 80-character limit on state names. The space in every suffix keeps
    these apart from user names, which may not contain spaces."""
    name = step_name + suffix
    if len(name) <= MAX_STATE_NAME:
        return name
    digest = hashlib.sha256(step_name.encode()).hexdigest()[:6]
    keep = MAX_STATE_NAME - len(suffix) - len(digest) - 1
    return f"{step_name[:keep]}~{digest}{suffix}"


def failure_state(step_name: str) -> str:
    """The Pass that a failing step's Catch leads to; it records which stage failed."""
    return _state_name(step_name, " failed")


def rethrow_state(step_name: str) -> str:
    """Inside a parallel branch: the Fail that carries the record out of the group."""
    return _state_name(step_name, " fails the group")
