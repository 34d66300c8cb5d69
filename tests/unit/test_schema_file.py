"""The published JSON Schema: generated, identical in both places, complete and self-consistent."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

REPO = Path(__file__).resolve().parents[2]
PUBLISHED = REPO / "schemas" / "pipeline.schema.json"
PACKAGED = REPO / "compiler" / "sfnc" / "schema" / "pipeline.schema.json"
SCHEMA: dict[str, Any] = json.loads(PUBLISHED.read_text(encoding="utf-8"))


def validator_at(pointer: str) -> Draft202012Validator:
    """A validator for the subschema at ``pointer`` ("/$defs/group"), its references
    resolved in the whole document."""
    registry: Registry[Any] = Registry().with_resource(SCHEMA["$id"],
                                                       Resource.from_contents(SCHEMA))
    return Draft202012Validator({"$ref": f"{SCHEMA['$id']}#{pointer}"}, registry=registry)


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("schema_generate",
                                                  REPO / "schemas" / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def subschemas(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object in the document, with a readable location."""
    if isinstance(node, dict):
        yield where, node
        for keyword in ("properties", "$defs"):
            for name, child in node.get(keyword, {}).items():
                yield from subschemas(child, f"{where}/{keyword}/{name}")
        for keyword in ("items", "additionalProperties", "propertyNames", "if", "then",
                        "else"):
            if isinstance(node.get(keyword), dict):
                yield from subschemas(node[keyword], f"{where}/{keyword}")
        for keyword in ("oneOf", "anyOf", "allOf"):
            for index, child in enumerate(node.get(keyword, [])):
                yield from subschemas(child, f"{where}/{keyword}/{index}")


def test_both_copies_are_identical_and_generated() -> None:
    rendered: str = _generator().render()
    assert PUBLISHED.read_bytes() == PACKAGED.read_bytes(), "run `make schema`"
    assert PUBLISHED.read_text(encoding="utf-8") == rendered, "run `make schema`"


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_every_property_at_every_level_has_a_description() -> None:
    undescribed = []
    for where, schema in subschemas(SCHEMA):
        named = [(f"{where}/properties/{name}", child)
                 for name, child in schema.get("properties", {}).items()]
        for keyword in ("additionalProperties", "items"):
            if isinstance(schema.get(keyword), dict):
                named.append((f"{where}/{keyword}", schema[keyword]))
        undescribed += [place for place, child in named
                        if "description" not in child and "$ref" not in child]
    assert undescribed == []


def _standalone(schema: dict[str, Any]) -> bool:
    return "$ref" not in json.dumps(schema)


def test_every_example_validates_against_its_subschema() -> None:
    checked = 0
    for where, schema in subschemas(SCHEMA):
        if "examples" not in schema or not _standalone(schema):
            continue
        validator = Draft202012Validator(schema)
        for example in schema["examples"]:
            problems = [e.message for e in validator.iter_errors(example)]
            assert problems == [], f"{where}: example {example!r}"
            checked += 1
    assert checked >= 25  # the walk reached the examples, not just the top


def test_examples_with_references_validate_against_the_whole_schema() -> None:
    # Group examples refer to #/$defs/step: check them in the context of the document.
    checked = []
    for where, schema in subschemas(SCHEMA):
        if "examples" in schema and not _standalone(schema):
            validator = validator_at(where.removeprefix("#"))
            for example in schema["examples"]:
                assert [e.message for e in validator.iter_errors(example)] == [], where
            checked.append(where)
    assert "#/$defs/group" in checked
    # The references really are followed: a bad member fails the group.
    bad_member = {"parallel": "G", "stages": [{"name": "has space", "build": "b.yml"}]}
    assert not validator_at("/$defs/group").is_valid(bad_member)


def test_seed_pipeline_validates_with_plain_jsonschema() -> None:
    seed = yaml.safe_load((REPO / "pipelines" / "flask-webapp.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(seed, SCHEMA, cls=Draft202012Validator)


def test_seed_points_editors_at_the_published_schema() -> None:
    first = (REPO / "pipelines" / "flask-webapp.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/pipeline.schema.json"


@pytest.mark.parametrize(("name", "valid"), [
    ("UnitTests", True), ("unit-tests_2", True), ("A" * 80, True), ("A" * 81, False),
    ("Bad Name", False), ("", False), ("Ünit", False), ("a.b", False),
])
def test_stage_names_follow_state_name_rules(name: str, valid: bool) -> None:
    stage = {"name": name, "build": "b.yml"}
    assert validator_at("/$defs/buildStage").is_valid(stage) is valid
