"""Renders diagnostics: pretty (source line and caret), parseable, json.

Hand-written ANSI rather than rich: `sfnc validate` runs in pre-commit on
every commit, and rich's console costs more start-up time than the whole
validation of a typical pipeline.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from functools import lru_cache
from typing import TextIO

from sfnc.diagnostics import Diagnostic, Severity
from sfnc.frontend.source import MAX_BYTES

FORMATS = ("pretty", "parseable", "json")

_STYLES = {"bold": "1", "red": "1;31", "yellow": "1;33", "cyan": "36", "dim": "2",
           "blue": "1;34"}

# Messages quote what the user wrote, and a quoted YAML key may hold a newline or
# an escape sequence: either would break the one-line formats or drive the
# terminal. Control characters are shown as escapes in messages, and as one
# replacement character in source lines so that carets stay aligned.
_CONTROLS = [*range(0x20), *range(0x7f, 0xa0)]
_ESCAPED = {c: ascii(chr(c))[1:-1] for c in _CONTROLS}
_BLANKED = dict.fromkeys(_CONTROLS, "\ufffd")


def printable(text: str) -> str:
    return text.translate(_ESCAPED)


def use_colour(stream: TextIO) -> bool:
    """Colour on a terminal, unless NO_COLOR is set; FORCE_COLOR forces it (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty() and os.environ.get("TERM") != "dumb"


class _Paint:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, style: str, text: str) -> str:
        return f"\x1b[{_STYLES[style]}m{text}\x1b[0m" if self.enabled and text else text


@lru_cache(maxsize=64)
def _lines(path: str) -> list[str]:
    if not os.path.isfile(path):
        # A pipe (`sfnc validate <(…)`) was drained by the check; a named FIFO would
        # block. Only regular files can be read a second time.
        return []
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES)
    except OSError:
        return []
    return data.decode("utf-8-sig", "replace").splitlines()


def parseable(d: Diagnostic) -> str:
    return (f"{printable(d.path)}:{d.span.line}:{d.span.column}: {d.severity.value} {d.code}: "
            f"{printable(d.message)}")


def pretty(d: Diagnostic, paint: _Paint) -> str:
    colour = "red" if d.severity is Severity.ERROR else "yellow"
    where = f"{printable(d.path)}:{d.span.line}:{d.span.column}:"
    head = (f"{paint('bold', where)} "
            f"{paint(colour, d.severity.value)} {paint('dim', d.code)}: {printable(d.message)}")
    out = [head]
    lines = _lines(d.path)
    if 1 <= d.span.line <= len(lines):
        text = lines[d.span.line - 1].expandtabs(1).translate(_BLANKED)
        number = str(d.span.line)
        gutter = " " * len(number)
        end = d.span.end_column if d.span.end_line == d.span.line else len(text) + 1
        width = max(1, min(end, len(text) + 1) - d.span.column)
        out.append(f" {paint('blue', number)} {paint('blue', '|')} {text}")
        out.append(f" {gutter} {paint('blue', '|')} {' ' * (d.span.column - 1)}"
                   f"{paint(colour, '^' * width)}")
    if d.hint:
        out.append(f" {' ' * len(str(d.span.line))} {paint('cyan', '= hint:')} "
                   f"{printable(d.hint)}")
    return "\n".join(out)


def as_json(diagnostics: Iterable[Diagnostic]) -> str:
    items = [{
        "path": d.path, "line": d.span.line, "column": d.span.column,
        "end_line": d.span.end_line, "end_column": d.span.end_column,
        "severity": d.severity.value, "code": d.code, "message": d.message, "hint": d.hint,
    } for d in diagnostics]
    return json.dumps({"diagnostics": items}, indent=2, ensure_ascii=False)


def render(diagnostics: list[Diagnostic], fmt: str, stream: TextIO) -> None:
    if fmt == "json":
        stream.write(as_json(diagnostics) + "\n")
        return
    if fmt == "parseable":
        stream.writelines(parseable(d) + "\n" for d in diagnostics)
        return
    paint = _Paint(use_colour(stream))
    _lines.cache_clear()  # a long-lived caller (an editor, tests) may have edited the files
    for d in diagnostics:
        stream.write(pretty(d, paint) + "\n")


def tally(diagnostics: list[Diagnostic]) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    parts = [f"{errors} error{'s' * (errors != 1)}"] if errors else []
    if warnings:
        parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
    return ", ".join(parts) or "no problems"
