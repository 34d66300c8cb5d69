"""Golden error cases: each tests/golden_errors/<case>/pipeline.yaml gives exactly the
`--format parseable` diagnostics in expected.txt next to it, so every line and column is
pinned. `pytest --update-golden` rewrites the expected files; review the diff.

Also keeps the catalogue of codes, the golden cases, the docs and the source in step.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from sfnc.diagnostics import CODES

REPO = Path(__file__).resolve().parent.parent
CASES_DIR = REPO / "tests" / "golden_errors"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "pipeline.yaml").exists())
DOCS = REPO / "docs" / "diagnostics.md"
CODE = re.compile(r"\bSFN\d{3}\b")

# The front end emits 1xx to 4xx; 5xx come from the compile back end.
FRONT_END_CODES = sorted(code for code in CODES if code[3] in "1234")
# A golden case lives in the repository, which cannot hold a file over the size cap.
NOT_IN_GOLDEN = {"SFN103": "tests/cli/test_validate_cli.py::test_huge_file_is_refused_fast "
                           "uses a sparse file instead"}


def run_case(case: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sfnc", "validate", "--format", "parseable",
                           "--root", ".", "pipeline.yaml"],
                          cwd=CASES_DIR / case, capture_output=True, text=True, timeout=60)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", CASES)
def test_case_matches_expected(case: str, update_golden: bool) -> None:
    result = run_case(case)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    expected = CASES_DIR / case / "expected.txt"
    if update_golden:
        expected.write_text(result.stdout, encoding="utf-8")
    assert expected.exists(), f"{expected} is missing; run `make golden`"
    assert result.stdout == expected.read_text(encoding="utf-8"), (
        f"{case} differs; if the change is intended, run `make golden` and review the diff")


def _golden_codes() -> set[str]:
    found: set[str] = set()
    for case in CASES:
        expected = CASES_DIR / case / "expected.txt"
        if expected.exists():
            found |= set(CODE.findall(expected.read_text(encoding="utf-8")))
    return found


def test_every_front_end_code_has_a_golden_case() -> None:
    missing = [code for code in FRONT_END_CODES
               if code not in _golden_codes() and code not in NOT_IN_GOLDEN]
    assert missing == []


def test_golden_cases_use_only_known_codes() -> None:
    assert _golden_codes() <= set(CODES)


def _sections() -> dict[str, str]:
    """docs/diagnostics.md: one `## SFNxxx: title` section per code."""
    text = DOCS.read_text(encoding="utf-8")
    parts = re.split(r"^## (SFN\d{3})\b.*$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_code_is_documented_with_an_example_and_a_fix() -> None:
    sections = _sections()
    assert sorted(sections) == sorted(CODES), "one section per code, no more, no less"
    for code, body in sections.items():
        assert "```yaml" in body, f"{code}: no example snippet"
        assert re.search(rf"\b(error|warning) {code}: ", body), f"{code}: no example message"
        assert re.search(r"^\*\*Fix", body, flags=re.MULTILINE), f"{code}: no fix"


def test_documented_titles_match_the_catalogue() -> None:
    headings = re.findall(r"^## (SFN\d{3}): (.+)$", DOCS.read_text(encoding="utf-8"),
                          flags=re.MULTILINE)
    assert dict(headings) == CODES


def test_every_code_in_the_source_is_in_the_catalogue() -> None:
    used: set[str] = set()
    for path in (REPO / "compiler" / "sfnc").rglob("*.py"):
        used |= set(CODE.findall(path.read_text(encoding="utf-8")))
    assert used - set(CODES) == set()
    assert used >= set(FRONT_END_CODES)  # and every front-end code is emitted somewhere
