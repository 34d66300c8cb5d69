"""Whatever the input, `sfnc validate` answers 0 or 1 and points inside the file.

Inputs: byte-level mutations of the seed pipeline and of a buildspec it uses
(deleted, inserted and duplicated characters and lines, including bytes that are
not UTF-8 and characters YAML forbids), and YAML written from random JSON-like
trees whose keys are mostly the language's own, so that deep schema paths are
reached. The CLI runs in-process for speed; it is the same `main` the console
script calls.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfnc.cli import main
from tests.unit.stub_repo import SEED, STUB_BUILDSPEC, make_repo

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
SEED_BYTES = SEED.read_bytes()
BUILDSPEC_BYTES = (b"version: 0.2\nenv:\n  variables: {A: b}\nphases:\n  install:\n"
                   b"    runtime-versions: {python: 3.12}\n  build:\n    commands:\n"
                   b"      - echo hi\n    on-failure: ABORT\n    finally: [echo done]\n"
                   b"artifacts:\n  files: ['**/*']\n")
# Bytes that tend to matter to a YAML parser, a decoder or a line counter.
INTERESTING = [bytes([b]) for b in b":-[]{}&*!|>'\"#%@`,? \t\r\nx1"] + [
    b"\x00", b"\x1b", b"\x85", b"\xff", b"\xc3", b"\xe2\x80\xa8", b"\xef\xbb\xbf", b"${",
    b"<<: ", b"- ", b"\xc3\xa9", b"~", b"&a ", b"*a",
]


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    data = base
    for _ in range(draw(st.integers(1, 8))):
        lines = data.split(b"\n")
        operation = draw(st.sampled_from(["delete", "insert", "duplicate", "delete-line",
                                          "duplicate-line", "swap-lines"]))
        if operation.endswith("line") or operation == "swap-lines":
            i = draw(st.integers(0, len(lines) - 1))
            if operation == "delete-line":
                del lines[i]
            elif operation == "duplicate-line":
                lines.insert(i, lines[i])
            else:
                j = draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
            continue
        i = draw(st.integers(0, max(len(data) - 1, 0)))
        if operation == "delete":
            data = data[:i] + data[i + 1:]
        elif operation == "insert":
            data = data[:i] + draw(st.sampled_from(INTERESTING)) + data[i:]
        else:
            data = data[:i] + data[i:i + 1] + data[i:]
    return data


KEYS = sorted({"version", "name", "description", "source", "github", "codecommit", "branch",
               "connection", "parameters", "default", "defaults", "image", "compute",
               "timeout", "retry", "attempts", "interval", "backoff", "env", "stages",
               "parallel", "build", "function", "permissions", "privileged", "secrets",
               "on_failure", "functions", "code", "handler", "runtime", "memory",
               "notifications", "email", "target", "ec2", "instance_type", "port",
               "allow_from", "needs"})
SCALARS = (st.none() | st.booleans() | st.integers(-10, 100_000) | st.floats(allow_nan=False)
           | st.sampled_from(["1", "20m", "5s", "37h", "small", "ecr:push", "${X}",
                              "buildspecs/unit-tests.yml", "lambdas/notify_failure",
                              "acme/app", "UnitTests", "a b", ""])
           | st.text(max_size=12))
TREES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(min_size=1, max_size=8), children,
                      max_size=5),
    max_leaves=40,
)


@st.composite
def pipeline_like(draw: st.DrawFn) -> bytes:
    """A random tree, often grafted onto the seed so deeper checks run."""
    tree = draw(TREES)
    if draw(st.booleans()):
        seed: dict[str, Any] = yaml.safe_load(SEED_BYTES)
        seed[draw(st.sampled_from(sorted(seed)))] = tree
        tree = seed
    text = yaml.safe_dump(tree, default_flow_style=draw(st.sampled_from([False, True, None])),
                          allow_unicode=draw(st.booleans()), sort_keys=False)
    return text.encode("utf-8")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    make_repo(root)
    return root


def validate(repo: Path, pipeline: bytes, buildspec: bytes | None = None) -> None:
    path = repo / "pipelines" / "fuzz.yaml"
    path.write_bytes(pipeline)
    unit_tests = repo / "buildspecs" / "unit-tests.yml"
    unit_tests.write_bytes(STUB_BUILDSPEC.encode() if buildspec is None else buildspec)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["validate", "--format", "json", "--root", str(repo), str(path)])
    assert status in (0, 1), err.getvalue()
    for d in json.loads(out.getvalue())["diagnostics"]:
        _assert_inside(d)


def _assert_inside(d: dict[str, Any]) -> None:
    file = Path(d["path"]) if os.path.isabs(d["path"]) else Path.cwd() / d["path"]
    try:
        text = file.read_bytes().decode("utf-8-sig", "replace")
    except OSError:  # SFN101: nothing to point into, so the start of the file
        text = ""
    lines = text.splitlines() or [""]
    assert 1 <= d["line"] <= len(lines), d
    assert 1 <= d["column"] <= len(lines[d["line"] - 1]) + 1, (d, lines[d["line"] - 1])


def test_the_unmutated_seed_is_valid(repo: Path) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["validate", "--format", "json", "--root", str(repo),
                     str(repo / "pipelines" / "flask-webapp.yaml")]) == 0
    assert json.loads(out.getvalue()) == {"diagnostics": []}


@SETTINGS
@given(data=mutated(SEED_BYTES))
def test_mutated_seed(repo: Path, data: bytes) -> None:
    validate(repo, data)


@settings(SETTINGS, max_examples=150)
@given(data=pipeline_like())
def test_random_documents(repo: Path, data: bytes) -> None:
    validate(repo, data)


@settings(SETTINGS, max_examples=150)
@given(data=mutated(BUILDSPEC_BYTES))
def test_mutated_buildspec(repo: Path, data: bytes) -> None:
    validate(repo, SEED_BYTES, buildspec=data)
