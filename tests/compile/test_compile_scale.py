"""300 build stages fit one stack; past the limits the compiler names the one that breaks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sfnc.api import compile_pipeline
from sfnc.backends import limits
from sfnc.diagnostics import PipelineError
from tests.compile.conftest import groups_pipeline


def test_three_hundred_builds_fit_one_stack(make_repo: Callable[[str], Path]) -> None:
    compiled = compile_pipeline(make_repo(groups_pipeline(6, 50)))
    m = compiled.measures
    assert m is not None
    assert m.resource_types["AWS::CodeBuild::Project"] == 300
    assert m.resources <= limits.MAX_RESOURCES
    assert len(compiled.template_minified.encode()) == m.template_bytes
    assert limits.INLINE_TEMPLATE_BYTES < m.template_bytes <= limits.S3_TEMPLATE_BYTES
    assert m.needs_s3_upload
    assert m.definition_bytes <= limits.MAX_DEFINITION_BYTES
    assert m.payload_bytes <= limits.MAX_PAYLOAD_BYTES
    assert m.largest_role_policy[1] <= limits.MAX_ROLE_POLICY_BYTES
    assert [d for d in compiled.diagnostics if d.code.startswith("SFN5")] == []


def test_too_many_builds_name_the_limit_that_breaks(make_repo: Callable[[str], Path]) -> None:
    with pytest.raises(PipelineError) as caught:
        compile_pipeline(make_repo(groups_pipeline(10, 50)))
    problems = {d.code: d for d in caught.value.diagnostics}
    assert "SFN501" in problems
    message = problems["SFN501"].message
    assert "1,000,000 bytes" in message or "holds at most 500" in message
    # Located at the `stages:` key, where the growth is.
    assert (problems["SFN501"].span.line, problems["SFN501"].span.column) == (4, 1)


def test_resource_count_is_reported_with_the_number(make_repo: Callable[[str], Path]) -> None:
    with pytest.raises(PipelineError) as caught:
        compile_pipeline(make_repo(groups_pipeline(10, 50)))
    resources = [d.message for d in caught.value.diagnostics if "resources" in d.message]
    assert resources == ["the template needs 511 resources; a CloudFormation stack holds "
                         "at most 500"]
