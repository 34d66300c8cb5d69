"""Positioned YAML: spans, duplicate keys, merges, aliases and the limits that keep
hostile documents cheap."""

from __future__ import annotations

import time
from typing import Any

import pytest
import yaml

from sfnc.diagnostics import Diagnostic, Span
from sfnc.frontend.source import SourceText
from sfnc.frontend.yamlpos import (
    MAX_ALIAS_EXPANSION,
    MAX_DEPTH,
    YMap,
    YNode,
    YScalar,
    YSeq,
    locate,
    parse,
    to_data,
)


def parsed(text: str) -> tuple[YNode | None, list[Diagnostic]]:
    return parse(SourceText("t.yaml", text))


def ok(text: str) -> YNode:
    node, found = parsed(text)
    assert found == []
    assert node is not None
    return node


def codes(found: list[Diagnostic]) -> list[str]:
    return [d.code for d in found]


def where(d: Diagnostic) -> tuple[int, int]:
    return d.span.line, d.span.column


SAMPLE = """\
# a comment line
version: 1
name: demo
stages:
  - {name: A, build: x.yml}
  - name: B
    build: "y.yml"
    permissions: [ecr:push,  ecr:pull]
env:
  GREETING: >-
    hello
    world
"""


def test_spans_of_keys_and_values() -> None:
    root = ok(SAMPLE)
    assert isinstance(root, YMap)
    key, value = root.entries["name"]
    assert key.span == Span(3, 1, 3, 5)
    assert value.span == Span(3, 7, 3, 11)
    stages = root.get("stages")
    assert isinstance(stages, YSeq)
    first, second = stages.items
    assert isinstance(first, YMap)
    assert isinstance(second, YMap)
    assert first.span.line == 5
    assert first.span.column == 5
    assert first.entries["name"][1].span == Span(5, 12, 5, 13)
    assert second.entries["build"][1].span == Span(7, 12, 7, 19)  # quotes included
    permissions = second.get("permissions")
    assert isinstance(permissions, YSeq)
    assert [p.span.column for p in permissions.items] == [19, 30]


def test_spans_agree_with_pyyaml_composer() -> None:
    """PyYAML's own composer is an independent judge of where every node starts."""
    def pairs(ours: YNode, theirs: yaml.Node) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        here = [((ours.span.line, ours.span.column),
                 (theirs.start_mark.line + 1, theirs.start_mark.column + 1))]
        if isinstance(ours, YMap):
            assert isinstance(theirs, yaml.MappingNode)
            for (key, value), (their_key, their_value) in zip(ours.entries.values(),
                                                              theirs.value, strict=True):
                here += pairs(key, their_key) + pairs(value, their_value)
        elif isinstance(ours, YSeq):
            assert isinstance(theirs, yaml.SequenceNode)
            for item, their_item in zip(ours.items, theirs.value, strict=True):
                here += pairs(item, their_item)
        return here

    composed = yaml.compose(SAMPLE, Loader=yaml.SafeLoader)
    assert composed is not None
    for ours, theirs in pairs(ok(SAMPLE), composed):
        assert ours == theirs


def test_values_keep_types_and_raw_text() -> None:
    root = ok("a: 1.10\nb: yes\nc: 2001-12-14\nd: '7'\non: null\ne: 0x1F\n")
    assert isinstance(root, YMap)
    a = root.get("a")
    assert isinstance(a, YScalar)
    assert (a.value, a.raw) == (1.1, "1.10")
    # Keys are the text as written: YAML 1.1 would read `on` as true.
    assert set(root.entries) == {"a", "b", "c", "d", "on", "e"}
    assert to_data(root) == {"a": 1.1, "b": True, "c": "2001-12-14", "d": "7", "on": None,
                             "e": 31}


def test_duplicate_key_reports_both_positions_and_keeps_the_first() -> None:
    root, found = parsed("a: 1\nb: 2\n  \na: 3\n")
    assert codes(found) == ["SFN105"]
    assert where(found[0]) == (4, 1)
    assert "first at 1:1" in found[0].message
    assert root is not None
    assert to_data(root) == {"a": 1, "b": 2}


def test_duplicate_key_in_a_nested_flow_mapping() -> None:
    _, found = parsed("stages:\n  - {name: A, build: x, name: B}\n")
    assert codes(found) == ["SFN105"]
    assert where(found[0]) == (2, 25)
    assert "first at 2:6" in found[0].message


def test_merge_keys_explicit_keys_win_then_sources_in_order() -> None:
    root = ok("base: &base {image: img, compute: small}\n"
              "more: &more {compute: medium, privileged: true}\n"
              "stage:\n  <<: [*base, *more]\n  compute: large\n")
    data = to_data(root)
    assert data["stage"] == {"compute": "large", "image": "img", "privileged": True}


def test_a_quoted_merge_key_is_an_ordinary_key() -> None:
    assert to_data(ok('"<<": 1\n')) == {"<<": 1}


def test_merging_something_that_is_not_a_mapping_is_reported() -> None:
    _, found = parsed("a: &a [1]\nb:\n  <<: *a\n")
    assert codes(found) == ["SFN110"]
    # A merged list is a list of mappings to merge; its item 1 is not one.
    assert where(found[0]) == (1, 8)


def test_aliases_share_the_node_they_name() -> None:
    root = ok("a: &x [1, 2]\nb: *x\n")
    assert isinstance(root, YMap)
    assert root.get("a") is root.get("b")
    data = to_data(root)
    assert data == {"a": [1, 2], "b": [1, 2]}
    assert data["a"] is data["b"]


def test_an_alias_to_no_anchor_is_located() -> None:
    _, found = parsed("a: 1\nb: *nothing\n")
    assert codes(found) == ["SFN104"]
    assert where(found[0]) == (2, 4)


def _laughs(levels: int, width: int = 9) -> str:
    lines = ['l0: &l0 "lol"']
    for level in range(1, levels):
        refs = ", ".join([f"*l{level - 1}"] * width)
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_quickly_without_expanding_it() -> None:
    started = time.perf_counter()
    root, found = parsed(_laughs(10))  # 9**9 ≈ 387 million strings if expanded
    elapsed = time.perf_counter() - started
    assert root is None
    assert codes(found) == ["SFN106"]
    assert f"{MAX_ALIAS_EXPANSION:,}" in found[0].message
    assert found[0].span.line < 10  # stopped at the alias that crossed the limit
    assert elapsed < 0.5


def test_modest_alias_use_is_fine() -> None:
    root = ok(_laughs(4))  # 9**3 = 729 strings
    assert len(to_data(root)["l3"]) == 9


def test_aliases_cannot_nest_past_the_depth_limit() -> None:
    # Each line stays shallow, but each alias stacks the previous anchor's depth
    # on top of its own: unchecked, later recursive phases would overflow.
    lines = ["k0: &a0 [x]"]
    for i in range(1, 20):
        lines.append(f"k{i}: &a{i} " + "[" * 40 + f"*a{i - 1}" + "]" * 40)
    root, found = parsed("\n".join(lines) + "\n")
    assert root is None
    assert codes(found) == ["SFN107"]
    assert found[0].span.line == 4  # 1 + 3 × 40 levels first passes 100 here


@pytest.mark.parametrize("text", [
    "[" * 10_000 + "]" * 10_000 + "\n",
    "- " * 10_000 + "x\n",
    "{a: " * 10_000 + "1" + "}" * 10_000 + "\n",
    "".join(" " * level + "a:\n" for level in range(300)),
], ids=["flow-sequences", "block-sequences", "flow-mappings", "block-mappings"])
def test_deep_nesting_is_refused(text: str) -> None:
    started = time.perf_counter()
    root, found = parsed(text)
    assert time.perf_counter() - started < 0.5
    assert root is None
    assert codes(found) == ["SFN107"]
    assert "nested" in found[0].message


def test_nesting_up_to_the_limit_is_accepted() -> None:
    depth = MAX_DEPTH
    root = ok("[" * depth + "]" * depth + "\n")
    assert root is not None


def test_a_second_document_is_reported_where_it_starts() -> None:
    root, found = parsed("---\na: 1\n---\nb: 2\n")
    assert root is None
    assert codes(found) == ["SFN109"]
    assert where(found[0]) == (3, 1)


def test_one_document_with_markers_is_fine() -> None:
    assert to_data(ok("---\na: 1\n...\n")) == {"a": 1}


@pytest.mark.parametrize(("text", "position"), [
    ("a: !Ref x\n", (1, 4)),
    ("a: !!binary aGVsbG8=\n", (1, 4)),
    ("a: !!python/object:os.system x\n", (1, 4)),
    ("a: !custom {b: 1}\n", (1, 4)),
    ("a: !!int abc\n", (1, 4)),
])
def test_unsupported_tags_are_reported_at_the_value(text: str,
                                                     position: tuple[int, int]) -> None:
    _, found = parsed(text)
    assert codes(found) == ["SFN110"]
    assert where(found[0]) == position


def test_standard_tags_convert() -> None:
    assert to_data(ok("a: !!str 1\nb: !!int '3'\nc: !!float 1\n")) == {"a": "1", "b": 3,
                                                                       "c": 1.0}


@pytest.mark.parametrize("text", ["? [a, b]\n: 1\n", "{[a]: 1}\n", "? {a: 1}\n: 2\n"])
def test_complex_keys_are_refused(text: str) -> None:
    root, found = parsed(text)
    assert root is None
    assert codes(found) == ["SFN110"]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "--- \n...\n"])
def test_empty_documents(text: str) -> None:
    root, found = parsed(text)
    assert root is None
    assert codes(found) == ["SFN108"]
    assert where(found[0]) == (1, 1)
    assert "pipeline" in found[0].message


def test_empty_buildspec_is_described_as_a_buildspec() -> None:
    _, found = parse(SourceText("b.yml", ""), kind="buildspec")
    assert "buildspec" in found[0].message
    assert "pipeline" not in found[0].message


def test_a_lone_null_is_a_value_not_an_empty_file() -> None:
    root = ok("~\n")
    assert isinstance(root, YScalar)
    assert root.value is None


@pytest.mark.parametrize(("text", "position", "words"), [
    ("a: [1, 2\nb: 3\n", (2, 2), "expected ',' or ']'"),
    ("a: 'unterminated\n", (1, 17), "quoted scalar"),  # at the end of the file
    ("a: b: c\n", (1, 5), "mapping values are not allowed"),
    ("a:\n\tb: 1\n", (2, 1), "tab"),
    ("a: 1\nb: x\x01y\n", (2, 5), "U+0001"),
    ("a: é\nb: \x07\n", (2, 4), "U+0007"),
])
def test_syntax_errors_are_located(text: str, position: tuple[int, int], words: str) -> None:
    root, found = parsed(text)
    assert root is None
    assert codes(found) == ["SFN104"]
    assert where(found[0]) == position
    assert words in found[0].message
    assert "\n" not in found[0].message


def test_tab_indentation_gets_a_hint() -> None:
    _, found = parsed("source:\n\tgithub: a/b\n")
    assert found[0].hint is not None
    assert "spaces" in found[0].hint


def test_locate_follows_a_path_and_stops_at_the_deepest_node() -> None:
    root = ok(SAMPLE)
    key, value = locate(root, ["stages", 1, "build"])
    assert key is not None
    assert key.span.line == 7
    assert isinstance(value, YScalar)
    assert value.value == "y.yml"
    key, value = locate(root, ["stages", 7, "name"])  # no stages[7]
    assert key is not None
    assert key.raw == "stages"
    assert isinstance(value, YSeq)


def test_folded_scalar_value_and_span() -> None:
    root = ok(SAMPLE)
    data: Any = to_data(root)
    assert data["env"]["GREETING"] == "hello world"
    _, value = locate(root, ["env", "GREETING"])
    assert (value.span.line, value.span.column) == (10, 13)
