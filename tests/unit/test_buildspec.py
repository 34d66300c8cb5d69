"""Buildspec 0.2 checks: what CodeBuild would reject minutes into a run, found at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from sfnc.frontend.buildspec import check_buildspec


def check(tmp_path: Path, text: str) -> list[tuple[str, int, int, str]]:
    path = tmp_path / "buildspec.yml"
    path.write_text(text, encoding="utf-8")
    return [(d.code, d.span.line, d.span.column, d.message)
            for d in check_buildspec(path, "buildspec.yml")]


@pytest.mark.parametrize("text", [
    "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n",
    "version: '0.2'\nphases:\n  build:\n    commands: [make]\n",
    # AWS's own getting-started buildspec pins a runtime with no install commands.
    "version: 0.2\nphases:\n  install:\n    runtime-versions: {python: 3.12}\n"
    "  build:\n    commands: [make]\n",
    "version: 0.2\nphases:\n  build:\n    on-failure: RETRY-3\n    commands: [make]\n"
    "    finally: [echo done]\n",
    "version: 0.2\nphases:\n  build:\n    on-failure: RETRY-2-^timeout$\n    commands: [make]\n",
    "version: 0.2\nenv:\n  shell: bash\n  variables: {A: '1', B: 2}\n"
    "  secrets-manager: {TOKEN: 'arn:x:y'}\n  exported-variables: [A]\n"
    "phases:\n  build:\n    commands: [make]\nartifacts:\n  files: ['**/*']\n"
    "reports:\n  unit: {files: [junit.xml]}\ncache:\n  paths: [/root/.cache/pip/**/*]\n",
], ids=["plain", "quoted-version", "install-runtimes-only", "retry-count", "retry-pattern",
        "every-section"])
def test_valid_buildspecs(tmp_path: Path, text: str) -> None:
    assert check(tmp_path, text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("version: 0.1\nphases:\n  build:\n    commands: [make]\n",
     [("SFN401", 1, 10, "buildspec version 0.1 is not supported; use 0.2")]),
    ("phases:\n  build:\n    commands: [make]\n",
     [("SFN402", 1, 1, "the buildspec has no `version`")]),
    ("version: 0.2\n", [("SFN402", 1, 1, "the buildspec has no `phases`")]),
    ("- make\n", [("SFN402", 1, 1, "a buildspec is a mapping with `version` and `phases`")]),
    ("version: 0.2\nphases:\n  biuld:\n    commands: [make]\n",
     [("SFN402", 3, 3, "unknown key `biuld` in phases")]),
    ("version: 0.2\nphases:\n  build:\n    commands: make\n",
     [("SFN402", 4, 15, "`build.commands` must be a list of commands")]),
    ("version: 0.2\nphases:\n  build:\n    commands:\n      - echo a: b\n",
     [("SFN402", 5, 9, "a command in `build.commands` was read as a mapping because it "
                       "contains `: `")]),
    ("version: 0.2\nphases:\n  build:\n    finally: [x]\n",
     [("SFN402", 4, 5, "phase `build` has no `commands`")]),
    ("version: 0.2\nphases:\n  build: []\n",
     [("SFN402", 3, 10, "phase `build` must be a mapping with `commands`")]),
    ("version: 0.2\nphases:\n  build:\n    commands: [make]\n    on-failure: \"\"\n",
     [("SFN402", 5, 17, "`on-failure` is ''; use one of ABORT, CONTINUE, RETRY (RETRY may "
                        "take a count and a pattern: RETRY-3, RETRY-3-<regex>)")]),
    ("version: 0.2\nphases:\n  build:\n    commands: [make]\n    on-failure: IGNORE\n",
     [("SFN402", 5, 17, "`on-failure` is 'IGNORE'; use one of ABORT, CONTINUE, RETRY (RETRY "
                        "may take a count and a pattern: RETRY-3, RETRY-3-<regex>)")]),
    ("version: 0.2\nenv:\n  variables: [A]\nphases:\n  build:\n    commands: [make]\n",
     [("SFN402", 3, 14, "`env.variables` must be a mapping of NAME: value")]),
    ("version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts: [a]\n",
     [("SFN402", 5, 12, "`artifacts` must be a mapping")]),
    ("", [("SFN108", 1, 1, "the buildspec is empty; it needs `version: 0.2` and `phases`")]),
    ("version: 0.2\nphases:\n  build:\n    commands: [a]\n    commands: [b]\n",
     [("SFN105", 5, 5, "key 'commands' appears twice in this mapping (first at 4:5)")]),
], ids=["old-version", "no-version", "no-phases", "a-list", "unknown-phase",
        "commands-not-a-list", "command-read-as-mapping", "phase-without-commands",
        "phase-not-a-mapping", "empty-on-failure", "unknown-on-failure", "env-variables-list",
        "artifacts-list", "empty", "duplicate-key"])
def test_invalid_buildspecs(tmp_path: Path, text: str,
                            expected: list[tuple[str, int, int, str]]) -> None:
    assert check(tmp_path, text) == expected


def test_every_problem_in_one_pass(tmp_path: Path) -> None:
    text = ("version: 0.1\nphases:\n  install:\n    commands: echo\n  build:\n"
            "    commands: [make]\n    on-failure: NOPE\nreportz: {}\n")
    found = sorted(check(tmp_path, text), key=lambda d: d[1:3])  # the loader sorts
    assert [(code, line) for code, line, *_ in found] == [
        ("SFN401", 1), ("SFN402", 4), ("SFN402", 7), ("SFN402", 8)]
