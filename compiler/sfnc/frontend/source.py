"""Reading a pipeline file safely: size cap, strict UTF-8, positions for both."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sfnc.diagnostics import Diagnostic, Span, error

# Pipeline files are small (the 1,000-stage benchmark pipeline is ~60 KB). A cap
# far above that keeps a mistaken `sfnc validate big.bin` fast and bounded.
MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class SourceText:
    """The decoded text of one file, with the helpers diagnostics need."""

    path: str
    text: str
    lines: list[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", self.text.splitlines() or [""])

    def clamp(self, line: int, column: int) -> tuple[int, int]:
        """Keep a (1-based) position inside the file: parsers may point one past the end."""
        if line > len(self.lines):  # "unexpected end of stream" points past the last line
            return len(self.lines), len(self.lines[-1]) + 1
        line = max(line, 1)
        column = min(max(column, 1), len(self.lines[line - 1]) + 1)
        return line, column

    def span(self, line: int, column: int, end_line: int, end_column: int) -> Span:
        line, column = self.clamp(line, column)
        end_line, end_column = self.clamp(end_line, end_column)
        if (end_line, end_column) <= (line, column):
            end_line, end_column = line, column + 1
        return Span(line, column, end_line, end_column)


def position_after(prefix: str) -> tuple[int, int]:
    """The (line, column) of the character that follows ``prefix``.

    Lines are split as ``str.splitlines`` splits them, as SourceText and the
    renderer do, so a file with old Mac (CR) line ends still gets a position
    inside the line that is shown.
    """
    lines = prefix.splitlines(keepends=True)
    if not lines:
        return 1, 1
    last = lines[-1]
    if last.splitlines() != [last]:  # ends with a line break: the next line starts
        return len(lines) + 1, 1
    return len(lines), len(last) + 1


def read_source(path: Path, display: str) -> tuple[SourceText | None, list[Diagnostic]]:
    """Read ``path`` as UTF-8 text; report instead of raising on every failure."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                handle.seek(0, 2)
                size = handle.tell()
                return None, [error(
                    "SFN103",
                    f"file is {size / 1_000_000:.1f} MB; sfnc reads pipeline files up to "
                    f"{MAX_BYTES // 1024} KiB",
                    display,
                    hint="is this the right file? Pipeline files are usually a few kilobytes",
                )]
    except IsADirectoryError:
        return None, [error("SFN101", "is a directory, not a pipeline file", display)]
    except FileNotFoundError:
        return None, [error("SFN101", "no such file", display)]
    except OSError as exc:
        return None, [error("SFN101", f"cannot read file: {exc.strerror or exc}", display)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # With a BOM, exc.start counts from after it: index exc.object, not data.
        undecoded = bytes(exc.object)
        line, column = position_after(undecoded[:exc.start].decode("utf-8", "replace"))
        return None, [error(
            "SFN102",
            f"byte 0x{undecoded[exc.start]:02x} is not valid UTF-8",
            display,
            Span.point(line, column),
            hint="save the file as UTF-8",
        )]
    return SourceText(display, text), []
