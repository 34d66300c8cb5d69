"""YAML with source positions, built from parser events without recursion.

PyYAML's composer keeps positions but recurses (a deep document overflows the
stack), expands aliases eagerly and silently keeps the last of duplicate keys.
Building the tree from events lets us bound depth and alias expansion, report
duplicate keys with both positions, and keep the span of every key and value
so schema errors can point at the exact line and column.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

import yaml

from sfnc.diagnostics import Diagnostic, Span, error
from sfnc.frontend.source import SourceText, position_after

# Nesting of a real pipeline stays below 20 (groups inside groups); libyaml
# itself stops at 1,000. A limit well above real use and well below the C
# parser's keeps the message ours.
MAX_DEPTH = 100
# Aliases share nodes, so a "billion laughs" document is small in memory until
# something walks it. Counting the nodes each alias stands for bounds the walk.
MAX_ALIAS_EXPANSION = 100_000
_DEEP_HINT = "pipelines never need this much nesting; check the indentation"

_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER = yaml.SafeLoader("")
_STANDARD = "tag:yaml.org,2002:"
_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
}
_MERGE = "<<"
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(eq=False)
class YNode:
    span: Span
    weight: int = field(default=1, repr=False)
    # Collections on the longest path down from here (0 for a scalar). An alias
    # puts its whole target at the alias's depth, so the depth limit needs it.
    height: int = field(default=0, repr=False)


@dataclass(eq=False)
class YScalar(YNode):
    value: Any = None
    raw: str = ""
    plain: bool = True


@dataclass(eq=False)
class YSeq(YNode):
    items: list[YNode] = field(default_factory=list)


@dataclass(eq=False)
class YMap(YNode):
    # key text -> (key node, value node), in document order.
    entries: dict[str, tuple[YScalar, YNode]] = field(default_factory=dict)

    def get(self, key: str) -> YNode | None:
        entry = self.entries.get(key)
        return entry[1] if entry else None


def _resolve(value: str, implicit: tuple[bool, bool]) -> str:
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, value, implicit)  # type: ignore[no-untyped-call]
    return tag


def _short(tag: str) -> str:
    """A tag as users write it: tag:yaml.org,2002:binary → !!binary."""
    return "!!" + tag.removeprefix(_STANDARD) if tag.startswith(_STANDARD) else tag


class _Abort(Exception):
    """Stops building after a fatal problem; the diagnostic is already recorded."""


@dataclass
class _Frame:
    node: YMap | YSeq
    anchor: str | None
    key: YScalar | None = None
    merges: list[tuple[YScalar, YNode]] = field(default_factory=list)


class _Builder:
    def __init__(self, source: SourceText) -> None:
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        self.anchors: dict[str, YNode] = {}
        self.stack: list[_Frame] = []
        self.root: YNode | None = None
        self.documents = 0
        self.expanded = 0

    # -- helpers ---------------------------------------------------------
    def span(self, event: Any) -> Span:
        start, end = event.start_mark, event.end_mark
        return self.source.span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)

    def report(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.diagnostics.append(error(code, message, self.source.path, span, hint))

    def fatal(self, code: str, message: str, span: Span, hint: str | None = None) -> NoReturn:
        self.report(code, message, span, hint)
        raise _Abort

    # -- events ----------------------------------------------------------
    def feed(self, events: Iterable[Any]) -> None:
        for event in events:
            kind = type(event)
            if kind is yaml.ScalarEvent:
                self.add(self.scalar(event), event.anchor)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                self.open(event, YMap(self.span(event)) if kind is yaml.MappingStartEvent
                          else YSeq(self.span(event)))
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                self.close(event)
            elif kind is yaml.AliasEvent:
                self.alias(event)
            elif kind is yaml.DocumentStartEvent:
                self.documents += 1
                if self.documents > 1:
                    self.fatal("SFN109", "a pipeline file holds one YAML document; found a second",
                               self.span(event), hint="remove the `---` line and what follows")

    def scalar(self, event: Any) -> YScalar:
        span = self.span(event)
        plain = not event.style  # the C parser says "" for plain, PyYAML None
        tag = event.tag
        if tag is None or tag == "!":
            tag = _resolve(event.value, event.implicit) if plain else _STR
        if tag == _MERGE_TAG:
            tag = _STR
        if tag not in _SCALAR_TAGS:
            self.report("SFN110", f"YAML tag {_short(tag)} is not supported in pipeline files",
                        span, hint="write the value without a tag")
            tag = _STR
        if tag in (_STR, "tag:yaml.org,2002:timestamp"):
            # JSON Schema has no date type: a date is kept as the text the user wrote.
            value: Any = event.value
        else:
            try:
                # The constructor itself: construct_object would cache every node in
                # the shared loader for the life of the process.
                construct = _RESOLVER.yaml_constructors[tag]
                value = construct(_RESOLVER, yaml.ScalarNode(tag, event.value))
            except (yaml.YAMLError, ValueError):
                self.report("SFN110", f"{event.value!r} cannot be read as {tag.rsplit(':', 1)[-1]}",
                            span)
                value = event.value
        return YScalar(span, value=value, raw=event.value, plain=plain)

    def open(self, event: Any, node: YMap | YSeq) -> None:
        if event.tag not in (None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
            self.report("SFN110", f"YAML tag {_short(event.tag)} is not supported in pipeline "
                        "files", node.span)
        if len(self.stack) >= MAX_DEPTH:
            self.fatal("SFN107", f"the document is nested more than {MAX_DEPTH} levels deep",
                       node.span, hint=_DEEP_HINT)
        frame = self.stack[-1] if self.stack else None
        if frame and isinstance(frame.node, YMap) and frame.key is None:
            self.fatal("SFN110", "keys must be plain names, not lists or mappings", node.span)
        self.stack.append(_Frame(node, event.anchor))

    def close(self, event: Any) -> None:
        frame = self.stack.pop()
        node = frame.node
        if isinstance(node, YMap):
            self.apply_merges(node, frame.merges)
        end = self.span(event)
        node.span = Span(node.span.line, node.span.column, end.end_line, end.end_column)
        children = ([v for _, v in node.entries.values()] if isinstance(node, YMap)
                    else node.items)
        node.weight = 1 + sum(child.weight for child in children) + (
            len(children) if isinstance(node, YMap) else 0)
        node.height = 1 + max((child.height for child in children), default=0)
        self.add(node, frame.anchor)

    def alias(self, event: Any) -> None:
        span = self.span(event)
        target = self.anchors.get(event.anchor)
        if target is None:
            self.fatal("SFN104", f"alias *{event.anchor} refers to no anchor defined before it",
                       span)
        self.expanded += target.weight
        if self.expanded > MAX_ALIAS_EXPANSION:
            self.fatal("SFN106", f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION:,} nodes",
                       span, hint="this looks like an alias bomb; write the values out instead")
        # Aliases of aliases can nest deeper than any text does, and every later
        # phase walks the tree recursively.
        if len(self.stack) + target.height > MAX_DEPTH:
            self.fatal("SFN107", f"alias *{event.anchor} nests the document more than "
                       f"{MAX_DEPTH} levels deep", span,
                       hint="pipelines never need this much nesting; write the values out")
        self.add(target, None)

    def add(self, node: YNode, anchor: str | None) -> None:
        if anchor:
            self.anchors[anchor] = node
        if not self.stack:
            self.root = node
            return
        frame = self.stack[-1]
        parent = frame.node
        if isinstance(parent, YSeq):
            parent.items.append(node)
            return
        assert isinstance(parent, YMap)
        if frame.key is None:
            if not isinstance(node, YScalar):
                self.fatal("SFN110", "keys must be plain names, not lists or mappings", node.span)
            frame.key = node
            return
        key, frame.key = frame.key, None
        if key.raw == _MERGE and key.plain:  # a quoted "<<" is an ordinary key
            frame.merges.append((key, node))
            return
        first = parent.entries.get(key.raw)
        if first is not None:
            self.report("SFN105", f"key {key.raw!r} appears twice in this mapping "
                        f"(first at {first[0].span.line}:{first[0].span.column})",
                        key.span, hint="YAML keeps only one of them; remove or rename the other")
            return
        parent.entries[key.raw] = (key, node)

    def apply_merges(self, node: YMap, merges: list[tuple[YScalar, YNode]]) -> None:
        # YAML merge keys (<<: *defaults): explicit keys win, then sources in order.
        for _, value in merges:
            sources = value.items if isinstance(value, YSeq) else [value]
            for source in sources:
                if not isinstance(source, YMap):
                    self.report("SFN110", "a merge key (<<) takes a mapping or a list of mappings",
                                source.span)
                    continue
                for name, entry in source.entries.items():
                    node.entries.setdefault(name, entry)


def _reader_error(source: SourceText, exc: yaml.reader.ReaderError) -> Diagnostic:
    """A character YAML does not allow (control characters, mostly)."""
    # libyaml counts bytes of the UTF-8 text; PyYAML's own reader counts characters.
    if _Parser is yaml.SafeLoader:
        prefix = source.text[:exc.position]
    else:
        prefix = source.text.encode("utf-8")[:exc.position].decode("utf-8", "replace")
    line, column = source.clamp(*position_after(prefix))
    character = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or "?")
    return error("SFN104", f"character U+{character:04X} is not allowed in YAML ({exc.reason})",
                 source.path, Span.point(line, column),
                 hint=f"remove it, or write it as the escape \\x{character:02x} inside "
                      "double quotes")


def _yaml_error(source: SourceText, exc: yaml.YAMLError) -> Diagnostic:
    if isinstance(exc, yaml.reader.ReaderError):
        return _reader_error(source, exc)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    span = source.span(line, column, line, column + 1)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"{problem} ({context})" if context else str(problem)
    hint = None
    line_text = source.lines[span.line - 1] if span.line <= len(source.lines) else ""
    if line_text[span.column - 1: span.column] == "\t":
        # libyaml's own words ("cannot start any token") do not say what to change.
        message = "a tab character where YAML expects spaces"
        hint = "YAML indentation must use spaces, not tabs"
    elif "\t" in line_text[: span.column]:
        hint = "YAML indentation must use spaces, not tabs"
    elif "nesting depth" in message:  # libyaml's own limit (1,000), met first in flow style
        return error("SFN107", f"the document is nested more than {MAX_DEPTH} levels deep",
                     source.path, span, hint=_DEEP_HINT)
    return error("SFN104", message, source.path, span, hint)


_EMPTY = {
    "pipeline": ("the file is empty; a pipeline needs at least `version`, `name`, `source` "
                 "and `stages`", "start from pipelines/flask-webapp.yaml or run `sfnc schema`"),
    "buildspec": ("the buildspec is empty; it needs `version: 0.2` and `phases`", None),
}


def parse(source: SourceText, kind: str = "pipeline") -> tuple[YNode | None, list[Diagnostic]]:
    """Parse one YAML document into positioned nodes, reporting instead of raising.

    ``kind`` ("pipeline" or "buildspec") only chooses the words for an empty file.
    """
    builder = _Builder(source)
    events: Iterator[Any] = yaml.parse(source.text, Loader=_Parser)
    try:
        builder.feed(events)
    except _Abort:
        return None, builder.diagnostics
    except yaml.YAMLError as exc:
        return None, [*builder.diagnostics, _yaml_error(source, exc)]
    root = builder.root
    if root is None or (isinstance(root, YScalar) and root.value is None and root.raw == ""):
        message, hint = _EMPTY[kind]
        builder.report("SFN108", message, Span.point(1, 1), hint=hint)
        return None, builder.diagnostics
    return root, builder.diagnostics


def to_data(node: YNode, memo: dict[int, Any] | None = None) -> Any:
    """Plain Python data for JSON Schema; aliased nodes become shared objects."""
    memo = {} if memo is None else memo
    cached = memo.get(id(node))
    if cached is not None:
        return cached
    result: Any
    if isinstance(node, YScalar):
        return node.value
    if isinstance(node, YSeq):
        result = [to_data(item, memo) for item in node.items]
    else:
        assert isinstance(node, YMap)
        result = {name: to_data(value, memo) for name, (_, value) in node.entries.items()}
    memo[id(node)] = result
    return result


def locate(root: YNode, path: Sequence[str | int]) -> tuple[YScalar | None, YNode]:
    """The key node (when the last step is a mapping key) and value node at ``path``."""
    key: YScalar | None = None
    node = root
    for step in path:  # a path from jsonschema; stops at the deepest node that exists
        if isinstance(node, YMap) and isinstance(step, str) and step in node.entries:
            key_node, node = node.entries[step]
            key = key_node
        elif isinstance(node, YSeq) and isinstance(step, int) and 0 <= step < len(node.items):
            key, node = None, node.items[step]
        else:
            break
    return key, node
