"""Reading pipeline files: encodings, line ends, the size cap, and files that are not files."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from sfnc.frontend.source import MAX_BYTES, SourceText, position_after, read_source
from sfnc.frontend.yamlpos import parse, to_data


def read(path: Path) -> tuple[SourceText | None, list[tuple[str, int, int, str]]]:
    source, found = read_source(path, path.name)
    return source, [(d.code, d.span.line, d.span.column, d.message) for d in found]


def test_plain_utf8(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("name: café\n", encoding="utf-8")
    source, found = read(path)
    assert found == []
    assert source is not None
    assert source.text == "name: café\n"
    assert source.lines == ["name: café"]


def test_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: x\n")
    source, _ = read(path)
    assert source is not None
    assert source.text == "name: x\n"
    node, problems = parse(source)
    assert problems == []
    assert node is not None
    assert node.span.column == 1  # columns count from after the mark


def test_crlf_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"a: 1\r\nb: [x,\r\n  y]\r\n")
    source, _ = read(path)
    assert source is not None
    assert source.lines == ["a: 1", "b: [x,", "  y]"]
    node, problems = parse(source)
    assert problems == []
    assert node is not None
    assert to_data(node) == {"a": 1, "b": ["x", "y"]}


@pytest.mark.parametrize(("data", "position", "byte"), [
    (b"version: 1\nname: caf\xe9\n", (2, 10), 0xE9),
    (b"\xff\n", (1, 1), 0xFF),
    (b"a: \xc3\xa9\xc3\xa9 \x80\n", (1, 7), 0x80),         # counts characters, not bytes
    (b"\xef\xbb\xbfa: 1\nb: \xfe\n", (2, 4), 0xFE),        # after a byte order mark
    (b"a: 1\rb: 2\rc: \xff\r", (3, 4), 0xFF),               # old Mac line ends
    (b"a: 1\r\nb: 2\r\n\r\nccc\xe9", (4, 4), 0xE9),
])
def test_bytes_that_are_not_utf8_are_located(tmp_path: Path, data: bytes,
                                             position: tuple[int, int], byte: int) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(data)
    source, found = read(path)
    assert source is None
    assert found == [("SFN102", *position, f"byte 0x{byte:02x} is not valid UTF-8")]


def test_file_above_the_cap_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    subprocess.run(["truncate", "-s", "50M", str(path)], check=True)  # sparse: costs no disk
    started = time.perf_counter()
    source, found = read(path)
    assert time.perf_counter() - started < 0.5
    assert source is None
    assert [(code, line, column) for code, line, column, _ in found] == [("SFN103", 1, 1)]
    assert "52.4 MB" in found[0][3]
    assert f"{MAX_BYTES // 1024} KiB" in found[0][3]


def test_file_at_the_cap_is_read(tmp_path: Path) -> None:
    path = tmp_path / "edge.yaml"
    path.write_bytes(b"#" * (MAX_BYTES - 1) + b"\n")
    source, found = read(path)
    assert found == []
    assert source is not None
    path.write_bytes(b"#" * MAX_BYTES + b"\n")
    assert read(path)[1][0][0] == "SFN103"


def test_directory(tmp_path: Path) -> None:
    assert read(tmp_path)[1] == [("SFN101", 1, 1, "is a directory, not a pipeline file")]


def test_missing_file(tmp_path: Path) -> None:
    assert read(tmp_path / "nope.yaml")[1] == [("SFN101", 1, 1, "no such file")]


@pytest.mark.parametrize(("prefix", "expected"), [
    ("", (1, 1)), ("ab", (1, 3)), ("ab\n", (2, 1)), ("ab\ncd", (2, 3)), ("a\r\nb", (2, 2)),
    ("a\rb\r", (3, 1)), ("a\u2028b", (2, 2)),
])
def test_position_after(prefix: str, expected: tuple[int, int]) -> None:
    assert position_after(prefix) == expected


@pytest.mark.parametrize(("line", "column", "expected"), [
    (1, 1, (1, 1)), (2, 3, (2, 3)), (0, 0, (1, 1)), (2, 99, (2, 4)), (9, 1, (2, 4)),
])
def test_clamp_keeps_positions_inside_the_file(line: int, column: int,
                                               expected: tuple[int, int]) -> None:
    assert SourceText("p.yaml", "a: 1\nb:x\n").clamp(line, column) == expected
