"""The compiled state machines, run: every route through the seed pipeline and a nested
one, in moto's Step Functions interpreter with mocked task results (sfn_emulator.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sfnc.api import compile_pipeline
from tests.compile.sfn_emulator import Emulator, build_result, emulator, returns, throws

REPO = Path(__file__).resolve().parents[2]
BUILDS = ["UnitTests", "StaticCodeAnalysis", "BuildFeatureImage", "RunSecurityScans",
          "RunIntegrationTests", "DeployToEC2"]
LAMBDA_OK = {"StatusCode": 200, "Payload": {"ok": True}}


def all_pass() -> dict[str, Any]:
    return {**{b: returns(build_result(b)) for b in BUILDS},
            "MarkPRReadyForMerge": returns(LAMBDA_OK), "NotifyFailure": returns(LAMBDA_OK)}


@pytest.fixture
def seed() -> Iterator[Emulator]:
    definition = compile_pipeline(REPO / "pipelines" / "flask-webapp.yaml").definition
    with emulator(definition) as running:
        yield running


def test_a_passing_run_keeps_three_fields_per_build_and_names_group_results(
        seed: Emulator) -> None:
    run = seed.run("passing", all_pass())
    assert run.status == "SUCCEEDED", (run.error, run.cause)
    assert run.output is not None
    results = run.output["results"]
    assert set(results) == {"ParallelValidation", "BuildFeatureImage", "RunSecurityScans",
                            "RunIntegrationTests", "MarkPRReadyForMerge", "DeployToEC2"}
    assert results["ParallelValidation"]["UnitTests"] == {
        "build_id": build_result("UnitTests")["Build"]["Id"], "status": "SUCCEEDED",
        "logs": build_result("UnitTests")["Build"]["Logs"]["DeepLink"]}
    assert set(results["ParallelValidation"]) == {"UnitTests", "StaticCodeAnalysis"}
    assert results["MarkPRReadyForMerge"] == {"status_code": 200}
    assert "NotifyFailure" not in run.entered()


def test_the_execution_input_overrides_the_source_defaults(seed: Emulator) -> None:
    run = seed.run("with-input", all_pass(), {"commit": "9f2c1e0", "pull_request": 42})
    assert run.status == "SUCCEEDED"
    assert run.output is not None
    source = run.output["context"]["source"]
    assert source == {"branch": "main", "commit": "9f2c1e0", "provider": "github",
                      "pull_request": 42, "repository": "acme/flask-webapp"}
    # What the last build saw: its Parameters (SourceVersion, the PR number through
    # States.Format) evaluated without error from this context.
    assert run.input_of("DeployToEC2")["context"]["source"]["commit"] == "9f2c1e0"
    assert run.output["context"]["execution_id"].endswith(":with-input")


def test_without_input_a_run_builds_the_branch_head(seed: Emulator) -> None:
    run = seed.run("no-input", all_pass())
    assert run.input_of("UnitTests")["context"]["source"]["commit"] == "main"


def test_a_failure_inside_the_group_is_named_notified_and_ends_the_run(
        seed: Emulator) -> None:
    cause = json.dumps(build_result("UnitTests", "FAILED"))
    run = seed.run("unit-tests-fail", {**all_pass(), "UnitTests": throws("BuildFailed", cause)})
    assert run.status == "FAILED"
    assert run.error == "UnitTests failed"
    record = {"stage": "UnitTests", "group": "ParallelValidation",
              "error": {"Error": "BuildFailed", "Cause": cause}}
    assert run.cause is not None
    assert json.loads(run.cause) == record
    notified = run.input_of("NotifyFailure")
    assert notified["failure"] == record
    assert notified["context"]["pipeline"] == "flask-webapp"
    entered = run.entered()
    assert "BuildFeatureImage" not in entered
    assert entered[-2:] == ["NotifyFailure", "PipelineFailed"]


def test_a_top_level_failure_has_no_group(seed: Emulator) -> None:
    run = seed.run("deploy-fails", {**all_pass(), "DeployToEC2": throws("BuildFailed", "x")})
    assert run.status == "FAILED"
    assert run.error == "DeployToEC2 failed"
    assert run.cause is not None
    assert json.loads(run.cause)["group"] is None
    notified = run.input_of("NotifyFailure")
    assert notified["failure"] == {"stage": "DeployToEC2", "group": None,
                                   "error": {"Error": "BuildFailed", "Cause": "x"}}
    # Everything before the failed stage ran and is passed to the notifier.
    assert "MarkPRReadyForMerge" in notified["results"]


def test_a_failing_notifier_does_not_hide_the_failure(seed: Emulator) -> None:
    responses = {**all_pass(), "RunSecurityScans": throws("BuildFailed", "scan"),
                 "NotifyFailure": throws("Lambda.Unknown", "the function crashed")}
    run = seed.run("notifier-fails", responses)
    assert run.status == "FAILED"
    assert run.error == "RunSecurityScans failed"


def test_a_function_stage_failure_is_caught_like_a_build(seed: Emulator) -> None:
    run = seed.run("function-fails", {**all_pass(), "MarkPRReadyForMerge": throws(
        "MarkReadyError", "GitHub answered 401")})
    assert run.error == "MarkPRReadyForMerge failed"
    assert "DeployToEC2" not in run.entered()


def test_the_innermost_stage_of_nested_groups_is_named() -> None:
    definition = compile_pipeline(REPO / "tests" / "golden" / "nested-groups" / "pipeline.yaml",
                                  root=REPO).definition
    builds = ["Prepare", "Lint", "UnitTests", "ApiTests", "UiTests"]
    responses = {**{b: returns(build_result(b)) for b in builds},
                 "Announce": returns(LAMBDA_OK), "Finish": returns(LAMBDA_OK),
                 "NotifyFailure": returns(LAMBDA_OK)}
    with emulator(definition) as running:
        passing = running.run("passing", responses)
        failing = running.run("api-fails", {**responses, "ApiTests": throws("BuildFailed", "")})
    assert passing.status == "SUCCEEDED"
    assert passing.output is not None
    assert passing.output["results"]["Checks"]["Tests"]["Integration"]["UiTests"][
        "status"] == "SUCCEEDED"
    assert failing.error == "ApiTests failed"
    assert failing.cause is not None
    assert json.loads(failing.cause)["group"] == "Integration"


def test_a_retried_stage_recovers(make_repo: Callable[[str], Path]) -> None:
    pipeline = make_repo("version: 1\nname: retry\nsource: {codecommit: r}\nstages:\n"
                         "  - {name: Flaky, build: buildspecs/build.yml,\n"
                         "     retry: {attempts: 1, interval: 1s}}\n")
    with emulator(compile_pipeline(pipeline).definition) as running:
        run = running.run("flaky", {"Flaky": throws("BuildFailed", "once",
                                                    then=build_result("Flaky"))})
    assert run.status == "SUCCEEDED", (run.error, run.cause)
    assert [e["type"] for e in run.events].count("TaskFailed") == 1
