"""Schema errors in the pipeline's own words, each at the key or value it is about."""

from __future__ import annotations

from pathlib import Path

import pytest

from sfnc.api import validate_pipeline
from sfnc.frontend.schema_check import RESERVED_KEYS

Found = list[tuple[str, int, int, str, str | None]]

HEAD = "version: 1\nname: demo\nsource: {codecommit: demo}\n"


def check(tmp_path: Path, text: str) -> Found:
    (tmp_path / ".git").mkdir(exist_ok=True)
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    result = validate_pipeline(path, root=tmp_path)
    assert result.pipeline is None  # schema errors stop before the model
    return [(d.code, d.span.line, d.span.column, d.message, d.hint)
            for d in result.diagnostics]


def test_misspelt_top_level_key(tmp_path: Path) -> None:
    found = check(tmp_path, HEAD + "stagse:\n  - {name: A, build: b.yml}\n")
    # The missing `stages` is implied by the misspelling, so it is not reported twice.
    assert found == [("SFN201", 4, 1, "unknown key `stagse` in the top level",
                      "did you mean `stages`?")]


def test_misspelt_nested_key(tmp_path: Path) -> None:
    found = check(tmp_path, HEAD + "stages:\n  - {name: A, biuld: b.yml, timout: 5m}\n")
    assert [(code, line, column, hint) for code, line, column, _, hint in found] == [
        ("SFN201", 5, 15, "did you mean `build`?"),
        ("SFN201", 5, 29, "did you mean `timeout`?"),
    ]


def test_a_missing_key_is_reported_even_when_a_valid_key_looks_like_it(tmp_path: Path) -> None:
    # `target` is close to `stages`; it is a real key, so `stages` is simply missing.
    found = check(tmp_path, HEAD + "target: {ec2: {instance_type: t3.micro, "
                                   "allow_from: 0.0.0.0/0}}\n")
    assert found == [("SFN202", 1, 1, "missing required key `stages` in the top level", None)]


def test_unknown_key_without_a_close_match_lists_the_allowed_keys(tmp_path: Path) -> None:
    found = check(tmp_path, HEAD + "stages: [{name: A, build: b.yml}]\nzzz: 1\n")
    assert found[0][:4] == ("SFN201", 5, 1, "unknown key `zzz` in the top level")
    hint = found[0][4]
    assert hint is not None
    assert hint.startswith("allowed here: defaults, description, env, functions, name")


@pytest.mark.parametrize("key", sorted(RESERVED_KEYS))
def test_reserved_keys_for_later_versions(tmp_path: Path, key: str) -> None:
    found = check(tmp_path, HEAD + f"stages:\n  - {{name: A, build: b.yml, {key}: x}}\n")
    assert [(code, line, column) for code, line, column, _, _ in found] == [("SFN206", 5, 29)]
    assert f"`{key}` is reserved for a later version" in found[0][3]


def test_stage_with_both_build_and_function(tmp_path: Path) -> None:
    found = check(tmp_path, HEAD + "stages:\n  - {name: A, function: f, build: b.yml}\n")
    assert [(code, line, column) for code, line, column, _, _ in found] == [("SFN207", 5, 28)]


def test_build_settings_on_a_function_stage(tmp_path: Path) -> None:
    found = check(tmp_path, HEAD + "stages:\n  - {name: A, function: f, privileged: true}\n")
    assert found == [("SFN204", 5, 28, "`privileged` applies only to build stages; this stage "
                      "runs a function",
                      "set it on the function under `functions:` or remove it")]


def test_stage_with_nothing_to_run(tmp_path: Path) -> None:
    found = check(tmp_path, HEAD + "stages:\n  - name: A\n")
    assert found == [("SFN202", 5, 5, "stage `A` has nothing to run",
                      "add `build: <buildspec path>` or `function: <name>`")]


@pytest.mark.parametrize(("source", "expected"), [
    ("{branch: main}", ("SFN207", 3, 1, "source needs `github` or `codecommit`")),
    ("{github: a/b, codecommit: b, connection: c}",
     ("SFN207", 3, 23, "source sets both `github` and `codecommit`; choose one")),
    ("{github: a/b}", ("SFN202", 3, 1, "missing required key `connection` in source")),
    ("{github: not-owner-slash-name, connection: c}",
     ("SFN204", 3, 18, 'source.github is "not-owner-slash-name", which is not valid here')),
])
def test_source_alternatives(tmp_path: Path, source: str,
                             expected: tuple[str, int, int, str]) -> None:
    text = f"version: 1\nname: demo\nsource: {source}\nstages: [{{name: A, build: b.yml}}]\n"
    assert [found[:4] for found in check(tmp_path, text)] == [expected]


@pytest.mark.parametrize(("name", "message"), [
    ("Bad Name", 'stages[0].name is "Bad Name", which is not valid here'),
    ("A" * 81, "stages[0].name is 81 characters long; at most 80 are allowed"),
    ("Ünit", 'stages[0].name is "Ünit", which is not valid here'),
])
def test_state_names(tmp_path: Path, name: str, message: str) -> None:
    found = check(tmp_path, HEAD + f"stages:\n  - {{name: '{name}', build: b.yml}}\n")
    assert [(code, line, column, text) for code, line, column, text, _ in found] == [
        ("SFN204", 5, 12, message)]


@pytest.mark.parametrize(("section", "line"), [
    ("env:\n  1BAD: x\n", 6),
    ("functions:\n  BadFn: {code: x}\n", 6),
    ("secrets:\n  Bad_Secret: ssm:/x\n", 6),
    ("parameters:\n  bad-name: {}\n", 6),
])
def test_bad_names_in_maps_point_at_the_name(tmp_path: Path, section: str, line: int) -> None:
    text = HEAD + "stages: [{name: A, build: b.yml}]\n" + section
    ((code, at_line, column, message, hint),) = check(tmp_path, text)
    assert (code, at_line, column) == ("SFN204", line, 3)
    assert message.startswith("`")
    assert "is not a valid name in" in message
    assert hint is not None


@pytest.mark.parametrize(("value", "message", "hint"), [
    ("smal", 'stages[0].compute is "smal"; choose one of small, medium, large, xlarge, '
             "2xlarge", "did you mean `small`?"),
    ("huge", 'stages[0].compute is "huge"; choose one of small, medium, large, xlarge, '
             "2xlarge", None),
])
def test_enum_values(tmp_path: Path, value: str, message: str, hint: str | None) -> None:
    found = check(tmp_path, HEAD + f"stages:\n  - {{name: A, build: b.yml, compute: {value}}}\n")
    assert found == [("SFN204", 5, 38, message, hint)]


@pytest.mark.parametrize(("retry", "column", "message"), [
    ("{attempts: 11}", 47, "stages[0].retry.attempts is 11; the largest allowed is 10"),
    ("{attempts: -1}", 47, "stages[0].retry.attempts is -1; the smallest allowed is 0"),
    ("{backoff: 0.5}", 46, "stages[0].retry.backoff is 0.5; the smallest allowed is 1"),
    ("{interval: 10}", 47, "stages[0].retry.interval should be text, not a whole number"),
])
def test_numbers_out_of_range(tmp_path: Path, retry: str, column: int, message: str) -> None:
    found = check(tmp_path, HEAD + f"stages:\n  - {{name: A, build: b.yml, retry: {retry}}}\n")
    assert [(code, line, col, text) for code, line, col, text, _ in found] == [
        ("SFN204" if "allowed" in message else "SFN203", 5, column, message)]


def test_duration_without_a_unit_gets_the_duration_hint(tmp_path: Path) -> None:
    found = check(tmp_path, HEAD + "stages:\n  - {name: A, build: b.yml, timeout: 20}\n")
    assert found == [("SFN203", 5, 38, "stages[0].timeout should be text, not a whole number",
                      "write a number with a unit: 90s, 20m, 1h, 1h30m")]


def test_permissions_listed_twice(tmp_path: Path) -> None:
    found = check(tmp_path, HEAD + "stages:\n  - {name: A, build: b.yml, "
                                   "permissions: [ecr:pull, ecr:pull]}\n")
    assert found == [("SFN204", 5, 53, 'stages[0].permissions lists "ecr:pull" twice', None)]


@pytest.mark.parametrize(("version", "column"), [("2", 10), ("'1'", 10), ("one", 10)])
def test_unknown_version(tmp_path: Path, version: str, column: int) -> None:
    text = f"version: {version}\nname: demo\nsource: {{codecommit: x}}\nstages: " \
           "[{name: A, build: b.yml}]\n"
    found = check(tmp_path, text)
    assert [(code, line, col, hint) for code, line, col, _, hint in found] == [
        ("SFN205", 1, column, "write `version: 1`")]


def test_empty_lists_and_text(tmp_path: Path) -> None:
    found = check(tmp_path, "version: 1\nname: demo\nsource: {codecommit: x}\nstages: []\n"
                            "defaults: {image: ''}\n")
    assert [(code, line, column, message) for code, line, column, message, _ in found] == [
        ("SFN204", 4, 1, "stages must not be empty"),
        ("SFN204", 5, 19, "defaults.image must not be empty"),
    ]


def test_every_schema_error_of_a_file_at_once(tmp_path: Path) -> None:
    text = ("version: 1\nname: Demo\nsource: {codecommit: demo}\nstages:\n"
            "  - {name: A, build: b.yml, compute: huge}\n  - {name: 'B C', function: F}\n"
            "target: {ec2: {instance_type: t3.micro, port: 99999, allow_from: everyone}}\n")
    found = check(tmp_path, text)
    positions = [(line, column) for _, line, column, _, _ in found]
    assert positions == sorted(positions)
    assert len(found) == 6
