"""JSON Schema validation, with every error turned into a located diagnostic.

jsonschema reports *where in the data* a problem is; the positioned YAML tree
turns that into a line and column. Messages are rewritten in the pipeline's
terms ("unknown key `stagse`; did you mean `stages`?") rather than the
validator's ("Additional properties are not allowed").
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from sfnc.diagnostics import Diagnostic, did_you_mean, error
from sfnc.frontend.yamlpos import YMap, YNode, YScalar, locate

# Keys the language will grow into (docs/language.md, "Room to grow"). Naming
# them avoids the misleading "unknown key" for a feature that is coming.
RESERVED_KEYS = frozenset({"needs", "if", "matrix", "allow_failure", "approval",
                           "max_concurrency", "concurrency"})

_TYPE_NAMES = {
    "object": "a mapping", "array": "a list", "string": "text", "integer": "a whole number",
    "number": "a number", "boolean": "true or false", "null": "nothing",
}


@cache
def schema() -> dict[str, Any]:
    text = resources.files("sfnc").joinpath("schema/pipeline.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


@cache
def _build_only_keys() -> frozenset[str]:
    defs = schema()["$defs"]
    return frozenset(defs["buildStage"]["properties"]) - frozenset(
        defs["functionStage"]["properties"])


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return {dict: "object", list: "array", str: "string", float: "number",
            type(None): "null"}.get(type(value), "string")


def _describe(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return _TYPE_NAMES[_type_of(value)]
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "…"


def _where(path: Sequence[str | int]) -> str:
    """A readable location such as stages[2].retry.attempts."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out or "the top level"


@dataclass(frozen=True)
class _Error:
    """The parts of a jsonschema error the messages need, with plain types."""

    instance: Any
    value: Any             # the schema keyword's value (the enum, the pattern …)
    schema: Mapping[str, Any]
    message: str

    @classmethod
    def of(cls, err: ValidationError) -> _Error:
        schema = err.schema if isinstance(err.schema, Mapping) else {}
        return cls(err.instance, err.validator_value, schema, err.message)


class _Mapper:
    def __init__(self, root: YNode, file: str) -> None:
        self.root = root
        self.file = file

    def value_span(self, path: Sequence[str | int]) -> Any:
        return locate(self.root, path)[1].span

    def key_span(self, path: Sequence[str | int]) -> Any:
        key, node = locate(self.root, path)
        return (key or node).span

    def diagnostics(self, err: ValidationError) -> Iterator[Diagnostic]:
        path = list(err.absolute_path)
        # jsonschema reports a bad key name as an error of the name subschema's own
        # keyword (pattern), at the path of the mapping, with the name as instance.
        keyword = "propertyNames" if "propertyNames" in err.relative_schema_path else (
            err.validator)
        handler = getattr(self, f"on_{keyword}", None)
        if handler is not None:
            yield from handler(_Error.of(err), path)
            return
        yield error("SFN204", f"{_where(path)}: {err.message}", self.file, self.value_span(path))

    # One method per JSON Schema keyword that the pipeline schema uses.
    def on_additionalProperties(self, err: _Error,
                                path: list[str | int]) -> Iterator[Diagnostic]:
        allowed = list(err.schema.get("properties", {}))
        for key in err.instance:
            if key in allowed:
                continue
            span = self.key_span([*path, key])
            if key in ("build", "function") and {"build", "function"} <= set(err.instance):
                yield error("SFN207", "a stage runs either a `build` or a `function`, not both",
                            self.file, span, hint="split it into two stages")
            elif key in _build_only_keys() and "function" in err.instance:
                yield error("SFN204", f"`{key}` applies only to build stages; this stage "
                            "runs a function", self.file, span,
                            hint="set it on the function under `functions:` or remove it")
            elif key in RESERVED_KEYS:
                yield error("SFN206", f"`{key}` is reserved for a later version of the "
                            "pipeline language and is not supported yet", self.file, span,
                            hint="see docs/language.md, \"Room to grow\"")
            else:
                yield error("SFN201", f"unknown key `{key}` in {_where(path)}", self.file, span,
                            hint=did_you_mean(key, allowed) or
                            f"allowed here: {', '.join(sorted(allowed))}")

    def on_required(self, err: _Error, path: list[str | int]) -> Iterator[Diagnostic]:
        for key in err.value:
            if key in err.instance:
                continue
            known = err.schema.get("properties", {})
            if any(other not in known and did_you_mean(other, [key]) for other in err.instance):
                continue  # a misspelt key is there: "unknown key …; did you mean" says it all
            span = self.key_span(path)
            if key == "build" and "name" in err.instance:
                yield error("SFN202", f"stage `{err.instance['name']}` has nothing to run",
                            self.file, span,
                            hint="add `build: <buildspec path>` or `function: <name>`")
            else:
                yield error("SFN202", f"missing required key `{key}` in {_where(path)}",
                            self.file, span)

    def on_type(self, err: _Error, path: list[str | int]) -> Iterator[Diagnostic]:
        expected = err.value
        names = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
        got = _TYPE_NAMES[_type_of(err.instance)]
        if not path:
            yield error("SFN203", f"a pipeline file is a mapping of keys such as `version`, "
                        f"`name` and `stages`; this one is {got}", self.file,
                        self.value_span(path))
            return
        yield error("SFN203", f"{_where(path)} should be {wanted}, not {got}", self.file,
                    self.value_span(path), hint=err.schema.get("x-hint"))

    def on_const(self, err: _Error, path: list[str | int]) -> Iterator[Diagnostic]:
        if path == ["version"]:
            yield error("SFN205", f"pipeline language version {_describe(err.instance)} is not "
                        f"supported; this sfnc reads version {err.value}", self.file,
                        self.value_span(path), hint="write `version: 1`")
            return
        yield error("SFN204", f"{_where(path)} must be {_describe(err.value)}",
                    self.file, self.value_span(path))

    def on_enum(self, err: _Error, path: list[str | int]) -> Iterator[Diagnostic]:
        choices = [str(c) for c in err.value]
        yield error("SFN204", f"{_where(path)} is {_describe(err.instance)}; choose one of "
                    f"{', '.join(choices)}", self.file, self.value_span(path),
                    hint=did_you_mean(str(err.instance), choices))

    def on_pattern(self, err: _Error, path: list[str | int]) -> Iterator[Diagnostic]:
        yield error("SFN204", f"{_where(path)} is {_describe(err.instance)}, which is not "
                    "valid here", self.file, self.value_span(path),
                    hint=err.schema.get("x-hint") or f"it must match {err.value}")

    def on_propertyNames(self, err: _Error,
                         path: list[str | int]) -> Iterator[Diagnostic]:
        name = err.instance
        node = locate(self.root, path)[1]
        entry = node.entries.get(name) if isinstance(node, YMap) else None
        span = entry[0].span if entry else node.span
        yield error("SFN204", f"`{name}` is not a valid name in {_where(path)}", self.file, span,
                    hint=err.schema.get("x-hint"))

    def on_minItems(self, err: _Error, path: list[str | int]) -> Iterator[Diagnostic]:
        if len(path) >= 2 and path[-1] == "stages" and isinstance(err.instance, list):
            group = locate(self.root, path[:-1])[1]
            name_node = group.get("parallel") if isinstance(group, YMap) else None
            name = name_node.value if isinstance(name_node, YScalar) else "this group"
            yield error("SFN305", f"group `{name}` has no stages", self.file,
                        self.key_span(path), hint="add stages to it or remove the group")
            return
        yield error("SFN204", f"{_where(path)} must not be empty", self.file,
                    self.key_span(path))

    def on_minLength(self, err: _Error, path: list[str | int]) -> Iterator[Diagnostic]:
        yield error("SFN204", f"{_where(path)} must not be empty", self.file,
                    self.value_span(path))

    def on_maxLength(self, err: _Error, path: list[str | int]) -> Iterator[Diagnostic]:
        yield error("SFN204", f"{_where(path)} is {len(err.instance)} characters long; at "
                    f"most {err.value} are allowed", self.file, self.value_span(path))

    def on_minimum(self, err: _Error, path: list[str | int]) -> Iterator[Diagnostic]:
        yield error("SFN204", f"{_where(path)} is {_describe(err.instance)}; the smallest "
                    f"allowed is {err.value}", self.file, self.value_span(path))

    def on_maximum(self, err: _Error, path: list[str | int]) -> Iterator[Diagnostic]:
        yield error("SFN204", f"{_where(path)} is {_describe(err.instance)}; the largest "
                    f"allowed is {err.value}", self.file, self.value_span(path))

    def on_uniqueItems(self, err: _Error,
                       path: list[str | int]) -> Iterator[Diagnostic]:
        seen: set[str] = set()
        for index, item in enumerate(err.instance):
            marker = json.dumps(item, sort_keys=True)
            if marker in seen:
                yield error("SFN204", f"{_where(path)} lists {_describe(item)} twice",
                            self.file, self.value_span([*path, index]))
            seen.add(marker)

    def on_oneOf(self, err: _Error, path: list[str | int]) -> Iterator[Diagnostic]:
        # The schema uses oneOf only as "exactly one of these keys".
        if not isinstance(err.instance, dict):
            return  # `required` holds vacuously for a non-mapping; its type error says it all
        keys = [k for sub in err.value for k in sub.get("required", [])]
        present = [k for k in keys if isinstance(err.instance, dict) and k in err.instance]
        listed = " or ".join(f"`{k}`" for k in keys)
        if present:
            both = " and ".join(f"`{k}`" for k in present)
            yield error("SFN207", f"{_where(path)} sets both {both}; choose one", self.file,
                        self.key_span([*path, present[-1]]))
        else:
            yield error("SFN207", f"{_where(path)} needs {listed}", self.file,
                        self.key_span(path))


def check(root: YNode, data: Any, file: str) -> list[Diagnostic]:
    mapper = _Mapper(root, file)
    return [d for err in _validator().iter_errors(data) for d in mapper.diagnostics(err)]
