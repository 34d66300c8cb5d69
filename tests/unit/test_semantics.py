"""Checks that relate values to each other and to the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sfnc.api import validate_pipeline
from tests.unit.stub_repo import STUB_BUILDSPEC, make_repo

Found = list[tuple[str, int, int, str]]

BASE = """\
version: 1
name: demo
source: {{github: acme/demo, connection: "${{Conn}}"}}
parameters:
  Conn: {{description: connection}}
stages:
{stages}
{rest}"""

UNIT = "  - {name: UnitTests, build: buildspecs/unit-tests.yml}"


def check(root: Path, stages: str = UNIT, rest: str = "",
          monkeypatch: pytest.MonkeyPatch | None = None) -> Found:
    make_repo(root)
    path = root / "p.yaml"
    path.write_text(BASE.format(stages=stages, rest=rest), encoding="utf-8")
    if monkeypatch is not None:
        monkeypatch.chdir(root)
    result = validate_pipeline(path, root=root)
    return [(d.code, d.span.line, d.span.column, d.message) for d in result.diagnostics]


def codes(found: Found) -> list[str]:
    return [code for code, *_ in found]


def test_base_document_is_valid(tmp_path: Path) -> None:
    assert check(tmp_path) == []


def test_duplicate_names_across_groups(tmp_path: Path) -> None:
    stages = """\
  - parallel: Checks
    stages:
      - {name: UnitTests, build: buildspecs/unit-tests.yml}
      - parallel: Inner
        stages:
          - {name: Lint, build: buildspecs/unit-tests.yml}
          - {name: UnitTests, build: buildspecs/unit-tests.yml}
  - {name: Checks, build: buildspecs/unit-tests.yml}"""
    assert check(tmp_path, stages) == [
        ("SFN301", 13, 20, "stage `UnitTests` is defined twice (first at 9:16)"),
        ("SFN301", 14, 12, "stage `Checks` is defined twice (first at 7:15)"),
    ]


def test_names_that_collide_as_resource_names(tmp_path: Path) -> None:
    stages = """\
  - {name: unit-tests, build: buildspecs/unit-tests.yml}
  - {name: Unit_Tests, build: buildspecs/unit-tests.yml}"""
    found = check(tmp_path, stages)
    assert codes(found) == ["SFN315"]
    assert found[0][1:3] == (8, 12)
    assert "UnitTests" in found[0][3]


def test_function_names_that_collide_as_resource_names(tmp_path: Path) -> None:
    stages = """\
  - {name: A, function: mark_pr}
  - {name: B, function: mark__pr}"""
    rest = ("functions:\n  mark_pr: {code: lambdas/mark_pr_ready}\n"
            "  mark__pr: {code: lambdas/mark_pr_ready}\n")
    found = check(tmp_path, stages, rest)
    assert codes(found) == ["SFN315"]
    assert found[0][1:3] == (11, 3)


@pytest.mark.parametrize("name", ["SetInputParameters", "NotifyFailure", "PipelineFailed"])
def test_reserved_state_names(tmp_path: Path, name: str) -> None:
    found = check(tmp_path, f"  - {{name: {name}, build: buildspecs/unit-tests.yml}}")
    assert found == [("SFN311", 7, 12, f"`{name}` is a state sfnc adds itself; choose another "
                                       "name")]


def test_unknown_function_with_suggestion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    make_repo(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(BASE.format(
        stages="  - {name: Mark, function: mark_pr_redy}",
        rest="functions:\n  mark_pr_ready: {code: lambdas/mark_pr_ready}\n"
             "on_failure: {function: notify}\n"), encoding="utf-8")
    result = validate_pipeline("p.yaml")
    found = [(d.code, d.span.line, d.span.column, d.hint) for d in result.diagnostics]
    assert found == [
        ("SFN302", 7, 28, "did you mean `mark_pr_ready`?"),
        ("SFN313", 9, 3, None),  # the stage above misses it
        ("SFN302", 10, 24, "defined: mark_pr_ready"),
    ]


@pytest.mark.parametrize(("path", "words"), [
    ("../outside.yml", "leaves the repository"),
    ("buildspecs/../../outside.yml", "leaves the repository"),
    ("/etc/passwd", "must be relative to the repository root"),
    ("~/buildspec.yml", "must be relative to the repository root"),
])
def test_buildspec_outside_the_repository(tmp_path: Path, path: str, words: str) -> None:
    (tmp_path / "outside.yml").write_text(STUB_BUILDSPEC)  # exists, but outside the root
    repo = tmp_path / "repo"
    found = check(repo, f"  - {{name: A, build: {path}}}")
    assert found == [("SFN303", 7, 22, f"buildspec `{path}` {words}")]


def test_symlink_leading_out_of_the_repository(tmp_path: Path) -> None:
    (tmp_path / "outside.yml").write_text(STUB_BUILDSPEC)
    repo = tmp_path / "repo"
    make_repo(repo)
    os.symlink(tmp_path / "outside.yml", repo / "buildspecs" / "link.yml")
    found = check(repo, "  - {name: A, build: buildspecs/link.yml}")
    assert codes(found) == ["SFN303"]


def test_missing_buildspec_and_code_folder(tmp_path: Path) -> None:
    found = check(tmp_path, "  - {name: A, build: buildspecs/nope.yml}\n  - {name: B, function: f}",
                  "functions:\n  f: {code: lambdas/nope}\n")
    assert [(code, line, column) for code, line, column, _ in found] == [
        ("SFN304", 7, 22), ("SFN304", 10, 13)]
    assert "buildspec `buildspecs/nope.yml` not found" in found[0][3]


def test_function_code_without_its_handler_module(tmp_path: Path) -> None:
    found = check(tmp_path, "  - {name: B, function: f}",
                  "functions:\n  f: {code: lambdas/notify_failure, handler: app.main}\n")
    assert found == [("SFN314", 9, 13, "function `f`: lambdas/notify_failure/app.py does not "
                                       "exist (handler `app.main`)")]


def test_buildspec_problems_are_reported_in_the_buildspec(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    make_repo(tmp_path)
    (tmp_path / "buildspecs" / "bad.yml").write_text(
        "version: 0.1\nphases:\n  biuld:\n    commands: [make]\n")
    found = check(tmp_path, "  - {name: A, build: buildspecs/bad.yml}",
                  monkeypatch=monkeypatch)
    assert found == [
        ("SFN401", 1, 10, "buildspec version 0.1 is not supported; use 0.2"),
        ("SFN402", 3, 3, "unknown key `biuld` in phases"),
    ]


def test_duplicate_yaml_key_in_a_pipeline_does_not_stop_other_checks(tmp_path: Path) -> None:
    stages = ("  - {name: A, build: buildspecs/unit-tests.yml, compute: small, compute: large}\n"
              "  - {name: B, function: nope}")
    found = check(tmp_path, stages)
    assert codes(found) == ["SFN105", "SFN302"]


def test_empty_group_and_single_member_group(tmp_path: Path) -> None:
    empty = check(tmp_path, "  - {parallel: Empty, stages: []}")
    assert empty == [("SFN305", 7, 23, "group `Empty` has no stages")]
    single = check(tmp_path, "  - parallel: Alone\n    stages:\n" + "  " + UNIT)
    assert single == [("SFN306", 7, 15, "group `Alone` has a single member, so nothing runs in "
                                        "parallel")]


def test_permission_bundles(tmp_path: Path) -> None:
    stages = ("  - name: A\n    build: buildspecs/unit-tests.yml\n"
              "    permissions: [ecr:push, ecr:pusj, ec2:deploy, codecommit:pull-requests, "
              "secrets:nope, secrets:tok]")
    found = check(tmp_path, stages, "secrets:\n  tok: ssm:/x\n")
    assert [(code, column) for code, _, column, _ in found] == [
        ("SFN307", 29), ("SFN312", 39), ("SFN307", 51), ("SFN310", 77)]
    assert found[0][3] == "stage `A` asks for unknown permission bundle `ecr:pusj`"


@pytest.mark.parametrize(("value", "ok"), [
    ("${Conn}", True), ("${AWS::Region}", True), ("${!Literal}", True), ("plain", True),
    ("${Con}", False), ("${}", False), ("x-${Conn}-${Other}", False),
])
def test_parameter_references(tmp_path: Path, value: str, ok: bool) -> None:
    found = check(tmp_path, rest=f"env:\n  VALUE: \"{value}\"\n")
    assert (found == []) is ok
    if not ok:
        assert set(codes(found)) == {"SFN308"}
        assert found[0][1:3] == (9, 10)


def test_undefined_parameter_gets_a_suggestion(tmp_path: Path) -> None:
    make_repo(tmp_path)
    path = tmp_path / "p.yaml"
    path.write_text(BASE.format(stages=UNIT, rest="notifications: {email: '${Con}'}\n"))
    (d,) = validate_pipeline(path, root=tmp_path).diagnostics
    assert (d.code, d.span.line, d.span.column, d.hint) == ("SFN308", 8, 24,
                                                            "did you mean `Conn`?")


@pytest.mark.parametrize(("where", "value", "ok"), [
    ("stage", "5m", True), ("stage", "36h", True), ("stage", "4m59s", False),
    ("stage", "36h1m", False), ("stage", "90s", False), ("stage", "10m30s", False),
    ("defaults", "2m", False), ("defaults", "1h", True),
    ("function", "15m", True), ("function", "16m", False), ("function", "0s", False),
    ("retry", "1h", True), ("retry", "2h", False),
])
def test_durations_out_of_range(tmp_path: Path, where: str, value: str, ok: bool) -> None:
    stages, rest = UNIT, ""
    if where == "stage":
        stages = f"  - {{name: A, build: buildspecs/unit-tests.yml, timeout: {value}}}"
    elif where == "defaults":
        rest = f"defaults: {{timeout: {value}}}\n"
    elif where == "function":
        stages = f"  - {{name: B, function: f, timeout: {value}}}"
        rest = "functions:\n  f: {code: lambdas/notify_failure}\n"
    else:
        stages = (f"  - {{name: A, build: buildspecs/unit-tests.yml, "
                  f"retry: {{attempts: 1, interval: {value}}}}}")
    found = check(tmp_path, stages, rest)
    assert (found == []) is ok, found
    if not ok:
        assert codes(found) == ["SFN309"]


def test_reserved_environment_prefixes_and_parameter_names(tmp_path: Path) -> None:
    found = check(tmp_path, rest="env:\n  AWS_REGION: x\n  CODEBUILD_X: y\n  OK: z\n")
    assert [(code, line) for code, line, _, _ in found] == [("SFN311", 9), ("SFN311", 10)]


def test_unused_functions_and_secrets_are_warnings(tmp_path: Path) -> None:
    found = check(tmp_path, rest="functions:\n  spare: {code: lambdas/notify_failure}\n"
                                 "secrets:\n  tok: ssm:/x\n")
    assert [(code, line, column) for code, line, column, _ in found] == [
        ("SFN313", 9, 3), ("SFN313", 11, 3)]
