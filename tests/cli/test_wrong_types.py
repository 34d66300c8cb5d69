"""A wrong-typed value in every field the schema knows, each pointed at by line and column.

The fields come from walking the published schema alongside two documents that
use every key (one per source provider), so a key added to the schema without a
test here fails `test_every_schema_property_is_exercised`. All documents are
checked by one real `sfnc validate` process; positions are judged by PyYAML's
own composer, independently of sfnc's positioned YAML.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SCHEMA: dict[str, Any] = json.loads((REPO / "schemas" / "pipeline.schema.json").read_text())
Path_ = tuple[str | int, ...]

RETRY = {"attempts": 1, "interval": "10s", "backoff": 2}
GITHUB: dict[str, Any] = {
    "version": 1,
    "name": "full",
    "description": "every key the language has",
    "source": {"github": "acme/app", "branch": "main", "connection": "${Conn}"},
    "parameters": {"Conn": {"description": "d", "default": "x", "allowed_values": ["x", 2],
                            "no_echo": True}},
    "defaults": {"image": "img", "compute": "small", "timeout": "20m", "retry": RETRY},
    "env": {"APP": "x"},
    "stages": [{"parallel": "Group", "description": "g", "stages": [
        {"name": "Build", "description": "b", "build": "b.yml", "image": "img",
         "compute": "small", "timeout": "20m", "retry": RETRY, "permissions": ["ecr:push"],
         "privileged": True, "env": {"A": "1"}, "secrets": ["tok"]},
        {"name": "Call", "description": "c", "function": "fn", "timeout": "1m",
         "retry": RETRY},
    ]}],
    "on_failure": {"function": "fn"},
    "functions": {"fn": {"code": "lambdas/fn", "handler": "handler.handler",
                         "runtime": "python3.12", "memory": 128, "timeout": "30s",
                         "description": "d", "env": {"A": "1"}, "secrets": ["tok"],
                         "permissions": ["ecr:pull"]}},
    "secrets": {"tok": "secretsmanager:x"},
    "notifications": {"email": "a@example.com"},
    "target": {"ec2": {"instance_type": "t3.micro", "port": 80, "container_port": 8080,
                       "allow_from": "0.0.0.0/0"}},
}
CODECOMMIT = {**GITHUB, "source": {"codecommit": "app", "branch": "main"}}


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _branch(schema: dict[str, Any], instance: Any) -> dict[str, Any]:
    """Follow a dispatching if/then/else (a step: group, function or build stage) the
    way the instance goes. An if/then beside `properties` only adds requirements."""
    schema = _resolve(schema)
    while "if" in schema and "properties" not in schema and isinstance(instance, dict):
        taken = all(key in instance for key in schema["if"].get("required", []))
        schema = _resolve(schema["then"] if taken else schema["else"])
    return schema


REACHED: set[str] = set()


def fields(schema: dict[str, Any], instance: Any,
           path: Path_ = ()) -> Iterator[tuple[Path_, dict[str, Any]]]:
    """(path, subschema) for every value in ``instance`` that the schema describes."""
    schema = _branch(schema, instance)
    for name, child in schema.get("properties", {}).items():
        if name not in instance:  # an alternative (github/codecommit); the other document has it
            continue
        REACHED.add(json.dumps([*path, name]))
        yield (*path, name), _resolve(child)
        yield from fields(child, instance[name], (*path, name))
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and isinstance(instance, dict):
        for name in instance:
            if name not in schema.get("properties", {}):
                yield (*path, name), _resolve(extra)
                yield from fields(extra, instance[name], (*path, name))
    if isinstance(schema.get("items"), dict) and isinstance(instance, list):
        for index, item in enumerate(instance):
            yield (*path, index), _branch(schema["items"], item)
            yield from fields(schema["items"], item, (*path, index))


def wrong_value(schema: dict[str, Any]) -> Any:
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else types
    return "not-a-collection" if {"object", "array"} & set(types) else {"wrong": [1]}


def expected_code(path: Path_, schema: dict[str, Any]) -> str:
    if path == ("version",):
        return "SFN205"
    return "SFN204" if "enum" in schema else "SFN203"


CASES: list[tuple[str, dict[str, Any], Path_, dict[str, Any]]] = []
for base_name, base in (("github", GITHUB), ("codecommit", CODECOMMIT)):
    for field_path, field_schema in fields(SCHEMA, base):
        label = f"{base_name}:" + ".".join(str(step) for step in field_path)
        if base_name == "codecommit" and "source" not in field_path:
            continue  # the rest is the same document
        CASES.append((label, base, field_path, field_schema))


def _set(document: dict[str, Any], path: Path_, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    node: Any = changed
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return changed


def _position(text: str, path: Path_) -> tuple[int, int]:
    composed = yaml.compose(text, Loader=yaml.SafeLoader)
    assert composed is not None
    node: yaml.Node = composed
    for step in path:
        if isinstance(step, int):
            node = node.value[step]
        else:
            node = next(value for key, value in node.value if key.value == step)
    return node.start_mark.line + 1, node.start_mark.column + 1


LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<severity>\w+) "
                  r"(?P<code>SFN\d{3}): (?P<message>.*)$")


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("wrong-types")
    (folder / ".git").mkdir()
    positions: dict[str, tuple[int, int]] = {}
    files: dict[str, str] = {}
    for index, (label, base, path, schema) in enumerate(CASES):
        text = yaml.safe_dump(_set(base, path, wrong_value(schema)), sort_keys=False)
        file = f"case{index:03d}.yaml"
        (folder / file).write_text(text, encoding="utf-8")
        positions[label] = _position(text, path)
        files[label] = file
    result = subprocess.run([sys.executable, "-m", "sfnc", "validate", "--format", "parseable",
                             "--root", ".", *files.values()],
                            cwd=folder, capture_output=True, text=True, timeout=120)
    found: dict[str, list[tuple[int, int, str]]] = {file: [] for file in files.values()}
    for line in result.stdout.splitlines():
        match = LINE.match(line)
        assert match, f"not in the parseable format: {line!r}"
        found[match["file"]].append((int(match["line"]), int(match["column"]), match["code"]))
    return {"result": result, "positions": positions, "files": files, "found": found}


def test_the_run_fails_cleanly(outcome: dict[str, Any]) -> None:
    result = outcome["result"]
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"in {len(CASES)} files" in result.stderr


@pytest.mark.parametrize(("label", "path", "schema"),
                         [(label, path, schema) for label, _, path, schema in CASES],
                         ids=[case[0] for case in CASES])
def test_wrong_type_is_located(outcome: dict[str, Any], label: str, path: Path_,
                               schema: dict[str, Any]) -> None:
    diagnostics = outcome["found"][outcome["files"][label]]
    line, column = outcome["positions"][label]
    assert (line, column, expected_code(path, schema)) in diagnostics
    # The wrong value is the only problem, so nothing points anywhere else.
    assert {(d_line, d_column) for d_line, d_column, _ in diagnostics} == {(line, column)}


def test_every_schema_property_is_exercised() -> None:
    declared: set[str] = set()

    def collect(schema: dict[str, Any], seen: frozenset[str] = frozenset()) -> None:
        for name, child in schema.get("properties", {}).items():
            declared.add(name)
            collect(child, seen)
        for key in ("items", "additionalProperties", "then", "else"):
            if isinstance(schema.get(key), dict):
                collect(schema[key], seen)
        ref = schema.get("$ref")
        if ref and ref not in seen:
            collect(_resolve(schema), seen | {ref})

    collect(SCHEMA)
    exercised = {json.loads(path)[-1] for path in REACHED}
    assert declared <= exercised
    assert len(CASES) >= 60
