"""Diagnostics: every user mistake is data with a stable code and a source span.

Phases collect diagnostics instead of raising, so a user sees all of a
file's mistakes at once. Rendering lives in ``sfnc.report``; this module has
no I/O so the library can return diagnostics without printing.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Span:
    """A region of a source file. Lines and columns are 1-based; the end is exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int, column: int) -> Span:
        return cls(line, column, line, column + 1)


FILE_START = Span.point(1, 1)


# The catalogue of codes. Every code a phase emits is listed here with a
# one-line title; docs/diagnostics.md documents each with an example and a fix
# (a test keeps the three in step).
CODES: dict[str, str] = {
    # 1xx: reading the file and parsing YAML
    "SFN101": "file cannot be read",
    "SFN102": "file is not UTF-8",
    "SFN103": "file is too large",
    "SFN104": "YAML syntax error",
    "SFN105": "duplicate key",
    "SFN106": "YAML aliases expand too far",
    "SFN107": "document nested too deeply",
    "SFN108": "empty document",
    "SFN109": "more than one YAML document",
    "SFN110": "unsupported YAML tag or key",
    # 2xx: the shape of the pipeline (JSON Schema)
    "SFN201": "unknown key",
    "SFN202": "missing required key",
    "SFN203": "wrong type",
    "SFN204": "invalid value",
    "SFN205": "unsupported pipeline version",
    "SFN206": "key reserved for a later version",
    "SFN207": "conflicting or missing alternatives",
    # 3xx: meaning (semantic checks)
    "SFN301": "duplicate stage name",
    "SFN302": "unknown function",
    "SFN303": "path leaves the repository",
    "SFN304": "file or folder not found",
    "SFN305": "empty group",
    "SFN306": "group with a single member",
    "SFN307": "unknown permission bundle",
    "SFN308": "undefined parameter reference",
    "SFN309": "duration out of range",
    "SFN310": "unknown secret",
    "SFN311": "reserved name",
    "SFN312": "missing deployment target",
    "SFN313": "unused definition",
    "SFN314": "function code has no handler",
    "SFN315": "names collide once made into resource names",
    "SFN316": "hidden parameter shown in plain text",
    "SFN317": "parameter reference that is not substituted",
    # 4xx: buildspec files
    "SFN401": "unsupported buildspec version",
    "SFN402": "buildspec has the wrong structure",
    # 5xx: AWS limits found while compiling
    "SFN501": "template exceeds a CloudFormation limit",
    "SFN502": "state machine exceeds a Step Functions limit",
    "SFN503": "IAM policy exceeds its size limit",
}


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    path: str
    span: Span = FILE_START
    hint: str | None = None

    def __post_init__(self) -> None:
        if self.code not in CODES:  # a typo here would ship an undocumented code
            raise ValueError(f"unknown diagnostic code {self.code}")

    @property
    def sort_key(self) -> tuple[str, Span, str, str]:
        return (self.path, self.span, self.code, self.message)


def error(code: str, message: str, path: str, span: Span = FILE_START,
          hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, path, span, hint)


def warning(code: str, message: str, path: str, span: Span = FILE_START,
            hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, message, path, span, hint)


def did_you_mean(word: str, choices: Sequence[str]) -> str | None:
    """The hint for a near-miss (`stagse` → stages), or None when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def sorted_unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Sort by file and position and drop exact repeats (aliases can repeat an error)."""
    seen: set[tuple[str, Span, str, str]] = set()
    out: list[Diagnostic] = []
    for d in sorted(diagnostics, key=lambda d: d.sort_key):
        if d.sort_key not in seen:
            seen.add(d.sort_key)
            out.append(d)
    return out


class PipelineError(Exception):
    """Raised by the library API when a pipeline has errors; carries them all."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = sorted_unique(diagnostics)
        first = self.diagnostics[0] if self.diagnostics else None
        where = (f"{first.path}:{first.span.line}:{first.span.column}: {first.message}"
                 if first else "")
        super().__init__(f"{len(self.diagnostics)} problem(s); first: {where}")
