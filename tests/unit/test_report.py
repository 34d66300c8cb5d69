"""Rendering diagnostics: the caret under the right columns, colour rules, the
machine formats."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import pytest

from sfnc.diagnostics import Diagnostic, Span, error, warning
from sfnc.report import as_json, parseable, render, tally, use_colour

TEXT = "version: 1\nname: Bad Name\n\tindented: x\nstages: []\n"


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "p.yaml").write_text(TEXT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def terminal() -> Iterator[TextIO]:
    """A real pseudo-terminal, so isatty() is the operating system's answer."""
    leader, follower = os.openpty()
    stream = open(follower, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    try:
        yield stream
    finally:
        stream.close()
        os.close(leader)


def rendered(diagnostics: list[Diagnostic], fmt: str = "pretty") -> str:
    out = io.StringIO()
    render(diagnostics, fmt, out)
    return out.getvalue()


NAME = error("SFN204", "name is \"Bad Name\", which is not valid here", "p.yaml",
             Span(2, 7, 2, 15), hint="use lower-case letters")


def test_pretty_puts_the_caret_under_the_span(in_tmp: Path) -> None:
    assert rendered([NAME]).splitlines() == [
        'p.yaml:2:7: error SFN204: name is "Bad Name", which is not valid here',
        " 2 | name: Bad Name",
        "   |       ^^^^^^^^",
        "   = hint: use lower-case letters",
    ]


def test_pretty_caret_stays_aligned_after_a_tab(in_tmp: Path) -> None:
    d = warning("SFN201", "unknown key", "p.yaml", Span(3, 2, 3, 10))
    lines = rendered([d]).splitlines()
    assert lines[1:] == [" 3 |  indented: x", "   |  ^^^^^^^^"]


def test_pretty_span_over_several_lines_underlines_to_the_end_of_the_first(in_tmp: Path) -> None:
    d = error("SFN202", "missing", "p.yaml", Span(1, 1, 4, 11))
    assert rendered([d]).splitlines()[2] == "   | " + "^" * len("version: 1")


def test_pretty_point_at_the_end_of_a_line_gets_one_caret(in_tmp: Path) -> None:
    d = error("SFN104", "end", "p.yaml", Span.point(1, 11))
    assert rendered([d]).splitlines()[2] == "   | " + " " * 10 + "^"


def test_pretty_without_a_readable_file_prints_only_the_headline(in_tmp: Path) -> None:
    d = error("SFN101", "no such file", "missing.yaml")
    assert rendered([d]) == "missing.yaml:1:1: error SFN101: no such file\n"


def test_pretty_shows_the_file_as_it_is_now(in_tmp: Path) -> None:
    # An editor or a test may render, edit the file and render again in one process.
    rendered([NAME])
    (in_tmp / "p.yaml").write_text("version: 1\nname: Other One\n", encoding="utf-8")
    assert " 2 | name: Other One" in rendered([NAME])


def test_control_characters_cannot_break_lines_or_drive_the_terminal(in_tmp: Path) -> None:
    d = error("SFN201", "unknown key `a\nb\x1b[2J`", "p.yaml", Span(1, 1, 1, 2))
    assert parseable(d) == "p.yaml:1:1: error SFN201: unknown key `a\\nb\\x1b[2J`"
    assert "\x1b" not in rendered([d])
    assert rendered([d]).count("\n") == 3


def test_no_colour_on_a_plain_stream(in_tmp: Path) -> None:
    assert "\x1b[" not in rendered([NAME])


def test_colour_on_a_terminal(in_tmp: Path, terminal: TextIO,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    assert use_colour(terminal)
    monkeypatch.setenv("TERM", "dumb")
    assert not use_colour(terminal)


def test_no_color_wins_over_a_terminal_and_force_color(in_tmp: Path, terminal: TextIO,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(terminal)
    assert "\x1b[" not in rendered([NAME])


def test_force_color_colours_a_pipe(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    text = rendered([NAME])
    assert "\x1b[1;31merror\x1b[0m" in text
    assert "\x1b[1;31m^^^^^^^^\x1b[0m" in text
    # Colour never reaches the machine formats.
    assert "\x1b[" not in rendered([NAME], "parseable")
    assert "\x1b[" not in rendered([NAME], "json")


def test_empty_no_color_does_not_count(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "")  # no-color.org: only a non-empty value disables
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in rendered([NAME])


def test_parseable_is_one_line_per_diagnostic(in_tmp: Path) -> None:
    other = warning("SFN306", "group `G` has a single member", "p.yaml", Span(4, 1, 4, 7))
    assert rendered([NAME, other], "parseable") == (
        'p.yaml:2:7: error SFN204: name is "Bad Name", which is not valid here\n'
        "p.yaml:4:1: warning SFN306: group `G` has a single member\n")


def test_json_shape(in_tmp: Path) -> None:
    data = json.loads(as_json([NAME]))
    assert data == {"diagnostics": [{
        "path": "p.yaml", "line": 2, "column": 7, "end_line": 2, "end_column": 15,
        "severity": "error", "code": "SFN204",
        "message": 'name is "Bad Name", which is not valid here',
        "hint": "use lower-case letters"}]}
    assert json.loads(rendered([], "json")) == {"diagnostics": []}


@pytest.mark.parametrize(("counts", "expected"), [
    ((0, 0), "no problems"), ((1, 0), "1 error"), ((2, 0), "2 errors"),
    ((0, 1), "1 warning"), ((3, 2), "3 errors, 2 warnings"),
])
def test_tally(counts: tuple[int, int], expected: str) -> None:
    errors, warnings = counts
    found = ([error("SFN204", "e", "p")] * errors) + ([warning("SFN306", "w", "p")] * warnings)
    assert tally(found) == expected


def test_unknown_code_is_refused() -> None:
    with pytest.raises(ValueError, match="SFN999"):
        error("SFN999", "typo", "p")
