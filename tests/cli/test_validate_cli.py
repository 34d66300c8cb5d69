"""`sfnc validate` as users and tools run it: a real process, real files, exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.unit.stub_repo import make_repo

REPO = Path(__file__).resolve().parents[2]


def sfnc(*args: str, cwd: Path, env: dict[str, str] | None = None,
         prefix: tuple[str, ...] = ("-m", "sfnc")) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("NO_COLOR", "FORCE_COLOR", "SFNC_DEBUG")}
    environment.update(env or {})
    return subprocess.run([sys.executable, *prefix, *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    make_repo(tmp_path)
    return tmp_path


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


# -- bad input: each is located, exits 1 and shows no traceback ---------------------

def _laughs() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        prev, name = chr(ord("a") + level - 1), chr(ord("a") + level)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _deepest_block_mapping_under_the_cap() -> str:
    return "".join(" " * level + "a:\n" for level in range(1400))


BAD_INPUT: dict[str, tuple[str | bytes, str, str]] = {
    # name: (content, expected "line:col: error CODE", words in the message)
    "empty-file": ("", "1:1: error SFN108", "the file is empty"),
    "list-at-root": ("- a\n- b\n", "1:1: error SFN203", "this one is a list"),
    "broken-syntax": ("version: 1\nname: [a\n", "2:9: error SFN104", "expected ',' or ']'"),
    "tab-indentation": ("version: 1\nsource:\n\tgithub: a/b\n", "3:1: error SFN104", "tab"),
    "not-utf8": (b"version: 1\nname: caf\xe9\n", "2:10: error SFN102", "byte 0xe9"),
    "control-character": ("version: 1\nname: a\x1bb\n", "2:8: error SFN104", "U+001B"),
    "alias-bomb": (_laughs(), "6:8: error SFN106", "aliases expand"),
    "deep-flow": ("[" * 10_000 + "]" * 10_000 + "\n", "1:1001: error SFN107", "nested"),
    "deep-block-sequences": ("- " * 10_000 + "x\n", "1:201: error SFN107", "nested"),
    "deep-block-mappings": (_deepest_block_mapping_under_the_cap(), "101:101: error SFN107",
                            "nested"),
    "misspelt-key": ("version: 1\nname: x\nsource: {codecommit: x}\nstagse: []\n",
                     "4:1: error SFN201", "unknown key `stagse`"),
    "unknown-version": ("version: 2\nname: x\nsource: {codecommit: x}\n"
                        "stages: [{name: A, build: b.yml}]\n",
                        "1:10: error SFN205", "version 2 is not supported"),
    "duplicate-key": ("version: 1\nname: x\nname: y\nsource: {codecommit: x}\n"
                      "stages: [{name: A, build: b.yml}]\n", "3:1: error SFN105", "appears twice"),
    "second-document": ("version: 1\n---\nversion: 1\n", "2:1: error SFN109", "second"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_located(tmp_path: Path, case: str) -> None:
    content, expected, words = BAD_INPUT[case]
    write(tmp_path, "p.yaml", content)
    started = time.perf_counter()
    result = sfnc("validate", "--format", "parseable", "--root", ".", "p.yaml", cwd=tmp_path)
    elapsed = time.perf_counter() - started
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"p.yaml:{expected}: ")
    assert words in first
    assert elapsed < 2  # each is refused without expanding or recursing


@pytest.mark.parametrize("size", ["50M", "2G"])
def test_huge_file_is_refused_fast(tmp_path: Path, size: str) -> None:
    path = tmp_path / "huge.yaml"
    subprocess.run(["truncate", "-s", size, str(path)], check=True)  # sparse: no disk used
    started = time.perf_counter()
    result = sfnc("validate", "--format", "parseable", "--root", ".", "huge.yaml", cwd=tmp_path)
    elapsed = time.perf_counter() - started
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith("huge.yaml:1:1: error SFN103: file is ")
    assert "sfnc reads pipeline files up to 1024 KiB" in result.stdout
    assert elapsed < 1.0


def test_misspelt_key_suggests_the_right_one(tmp_path: Path) -> None:
    write(tmp_path, "p.yaml", BAD_INPUT["misspelt-key"][0])
    result = sfnc("validate", "--format", "json", "--root", ".", "p.yaml", cwd=tmp_path)
    hints = {d["message"]: d["hint"] for d in json.loads(result.stdout)["diagnostics"]}
    assert hints["unknown key `stagse` in the top level"] == "did you mean `stages`?"


def test_tab_indentation_hint_in_pretty_output(tmp_path: Path) -> None:
    write(tmp_path, "p.yaml", BAD_INPUT["tab-indentation"][0])
    result = sfnc("validate", "--root", ".", "p.yaml", cwd=tmp_path)
    assert result.stdout.splitlines() == [
        "p.yaml:3:1: error SFN104: a tab character where YAML expects spaces",
        " 3 |  github: a/b",
        "   | ^",
        "   = hint: YAML indentation must use spaces, not tabs",
    ]


def test_all_problems_of_a_file_at_once_sorted_by_position(repo: Path) -> None:
    text = (repo / "pipelines" / "flask-webapp.yaml").read_text()
    text = (text.replace("build: buildspecs/deploy-ec2.yml", "build: ../deploy.yml")
                .replace("function: mark_pr_ready", "function: mark_pr_redy")
                .replace("{name: UnitTests,", "{name: StaticCodeAnalysis,")
                .replace("timeout: 30m", "timeout: 40h")
                .replace("permissions: [ecr:pull]", "permissions: [ecr:pul]"))
    write(repo, "pipelines/flask-webapp.yaml", text)
    result = sfnc("validate", "--format", "parseable", "pipelines/flask-webapp.yaml", cwd=repo)
    assert result.returncode == 1
    codes = [line.split()[2].rstrip(":") for line in result.stdout.splitlines()]
    positions = [tuple(map(int, line.split(":")[1:3])) for line in result.stdout.splitlines()]
    assert positions == sorted(positions)
    assert sorted(codes) == ["SFN301", "SFN302", "SFN303", "SFN307", "SFN309", "SFN313"]
    assert "5 errors, 1 warning in 1 file" in result.stderr


# -- exit codes --------------------------------------------------------------------

def test_valid_pipeline_exits_0(repo: Path) -> None:
    result = sfnc("validate", "pipelines/flask-webapp.yaml", cwd=repo)
    assert result.returncode == 0
    assert result.stdout == "pipelines/flask-webapp.yaml: ok (7 stages, 1 group, 2 functions)\n"
    assert result.stderr == ""


def test_installed_console_script(repo: Path) -> None:
    script = Path(sys.executable).parent / "sfnc"
    result = subprocess.run([str(script), "validate", "-q", "pipelines/flask-webapp.yaml"],
                            cwd=repo, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.parametrize("args", [
    ["validate"],                                       # no files
    ["validate", "--format", "xml", "p.yaml"],           # unknown format
    ["validate", "--colour", "p.yaml"],                  # unknown option
    ["validate", "--root", "no-such-dir", "p.yaml"],     # a root that is not a folder
    ["valdate", "p.yaml"],                               # unknown command
    [],                                                  # no command
])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    write(tmp_path, "p.yaml", "version: 1\n")
    result = sfnc(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "usage:" in result.stderr or "error:" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def _patched(exception: str) -> tuple[str, ...]:
    """Run the real CLI with one front-end phase replaced by one that raises."""
    script = (
        "import sys\n"
        "import sfnc.frontend.semantics as semantics\n"
        "def broken(*args, **kwargs):\n"
        f"    raise {exception}\n"
        "semantics.check = broken\n"
        "from sfnc.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    return ("-c", script)


def test_internal_error_exits_3_with_a_hint_to_report_it(repo: Path) -> None:
    result = sfnc("validate", "pipelines/flask-webapp.yaml", cwd=repo,
                  prefix=_patched("RuntimeError('boom')"))
    assert result.returncode == 3
    assert "internal error: RuntimeError: boom" in result.stderr
    assert "This is a bug in sfnc" in result.stderr
    assert "report it at https://" in result.stderr
    assert "SFNC_DEBUG=1" in result.stderr
    assert "Traceback" not in result.stderr


def test_internal_error_shows_the_traceback_with_sfnc_debug(repo: Path) -> None:
    result = sfnc("validate", "pipelines/flask-webapp.yaml", cwd=repo,
                  env={"SFNC_DEBUG": "1"}, prefix=_patched("RuntimeError('boom')"))
    assert result.returncode == 3
    assert "Traceback (most recent call last)" in result.stderr
    assert "in broken" in result.stderr


def test_keyboard_interrupt_exits_130(repo: Path) -> None:
    result = sfnc("validate", "pipelines/flask-webapp.yaml", cwd=repo,
                  prefix=_patched("KeyboardInterrupt"))
    assert result.returncode == 130
    assert result.stderr.strip() == "sfnc: interrupted"


def test_real_ctrl_c_exits_130(tmp_path: Path) -> None:
    # Reading a FIFO blocks until a writer sends something, which holds the process
    # inside `sfnc validate` for as long as the test needs.
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    process = subprocess.Popen([sys.executable, "-m", "sfnc", "validate", "--root", ".",
                                "pipe.yaml"], cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    writer = _open_when_read(fifo, process)
    try:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        os.close(writer)
    assert process.returncode == 130
    assert "interrupted" in stderr
    assert "Traceback" not in stderr


def _open_when_read(fifo: Path, process: subprocess.Popen[str]) -> int:
    """Open the FIFO's writing end once the process has opened it for reading."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # ENXIO: no reader yet
            time.sleep(0.02)
    raise AssertionError("sfnc never opened the file")


# -- options -----------------------------------------------------------------------

SINGLE_MEMBER_GROUP = """\
version: 1
name: warn
source: {codecommit: warn}
stages:
  - parallel: Alone
    stages:
      - {name: UnitTests, build: buildspecs/unit-tests.yml}
"""


def test_warnings_pass_unless_strict(repo: Path) -> None:
    write(repo, "warn.yaml", SINGLE_MEMBER_GROUP)
    relaxed = sfnc("validate", "--format", "parseable", "warn.yaml", cwd=repo)
    assert relaxed.returncode == 0
    assert relaxed.stdout.splitlines() == [
        "warn.yaml:5:15: warning SFN306: group `Alone` has a single member, so nothing runs "
        "in parallel",
        "warn.yaml: ok (1 stage, 1 group, 0 functions)",
    ]
    assert relaxed.stderr == "1 warning in 1 file\n"
    strict = sfnc("validate", "--strict", "--format", "parseable", "warn.yaml", cwd=repo)
    assert strict.returncode == 1


def test_quiet_prints_nothing_for_good_files_but_still_reports(repo: Path) -> None:
    write(repo, "bad.yaml", BAD_INPUT["misspelt-key"][0])
    good = sfnc("validate", "-q", "pipelines/flask-webapp.yaml", cwd=repo)
    assert (good.returncode, good.stdout, good.stderr) == (0, "", "")
    bad = sfnc("validate", "--quiet", "--format", "parseable", "bad.yaml", cwd=repo)
    assert bad.returncode == 1
    assert "bad.yaml:4:1: error SFN201" in bad.stdout


def test_summary_prints_the_outline(repo: Path) -> None:
    result = sfnc("validate", "--summary", "pipelines/flask-webapp.yaml", cwd=repo)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "flask-webapp: Test, scan and deploy the Flask web app on every change "\
                       "to main."
    assert "    ├─ ParallelValidation  (parallel, 2 members)" in lines
    assert "  on failure  call notify_failure, then stop" in lines


def test_several_files_in_one_run(repo: Path) -> None:
    write(repo, "bad.yaml", BAD_INPUT["misspelt-key"][0])
    write(repo, "empty.yaml", "")
    result = sfnc("validate", "--format", "parseable", "pipelines/flask-webapp.yaml",
                  "bad.yaml", "empty.yaml", cwd=repo)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines == [
        "bad.yaml:4:1: error SFN201: unknown key `stagse` in the top level",
        "empty.yaml:1:1: error SFN108: the file is empty; a pipeline needs at least `version`, "
        "`name`, `source` and `stages`",
        "pipelines/flask-webapp.yaml: ok (7 stages, 1 group, 2 functions)",
    ]
    assert result.stderr == "2 errors in 3 files\n"


def test_json_output_is_only_json(repo: Path) -> None:
    write(repo, "bad.yaml", BAD_INPUT["unknown-version"][0])
    result = sfnc("validate", "--format", "json", "pipelines/flask-webapp.yaml", "bad.yaml",
                  cwd=repo)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert [(d["path"], d["line"], d["column"], d["code"]) for d in data["diagnostics"]] == [
        ("bad.yaml", 1, 10, "SFN205")]
    assert set(data["diagnostics"][0]) == {"path", "line", "column", "end_line", "end_column",
                                           "severity", "code", "message", "hint"}
    assert result.stderr == ""


@pytest.mark.parametrize(("env", "coloured"), [
    ({}, False), ({"FORCE_COLOR": "1"}, True), ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
])
def test_colour_follows_the_environment(tmp_path: Path, env: dict[str, str],
                                        coloured: bool) -> None:
    write(tmp_path, "p.yaml", BAD_INPUT["unknown-version"][0])
    result = sfnc("validate", "--root", ".", "p.yaml", cwd=tmp_path, env=env)
    assert ("\x1b[" in result.stdout) is coloured


def test_pretty_output_shows_the_line_and_a_caret(tmp_path: Path) -> None:
    write(tmp_path, "p.yaml", BAD_INPUT["unknown-version"][0])
    result = sfnc("validate", "--root", ".", "p.yaml", cwd=tmp_path)
    assert result.stdout.splitlines()[:4] == [
        "p.yaml:1:10: error SFN205: pipeline language version 2 is not supported; this sfnc "
        "reads version 1",
        " 1 | version: 2",
        "   |          ^",
        "   = hint: write `version: 1`",
    ]


# -- other commands and promises ---------------------------------------------------

def test_schema_command_prints_the_packaged_schema(tmp_path: Path) -> None:
    result = sfnc("schema", cwd=tmp_path)
    assert result.returncode == 0
    packaged = REPO / "compiler" / "sfnc" / "schema" / "pipeline.schema.json"
    assert result.stdout == packaged.read_text(encoding="utf-8")


def test_validate_imports_neither_boto3_nor_troposphere(repo: Path) -> None:
    script = ("import json, sys\n"
              "from sfnc.cli import main\n"
              "status = main(['validate', '-q', 'pipelines/flask-webapp.yaml'])\n"
              "print(json.dumps({'status': status, 'modules': sorted(sys.modules)}))\n")
    result = sfnc(cwd=repo, prefix=("-c", script))
    outcome = json.loads(result.stdout)
    assert outcome["status"] == 0
    heavy = [m for m in outcome["modules"]
             if m.split(".")[0] in ("boto3", "botocore", "troposphere", "rich")]
    assert heavy == []
    assert "sfnc.frontend.semantics" in outcome["modules"]  # it did validate


@pytest.mark.parametrize("make", [
    lambda root: root / "nope.yaml",
    lambda root: root,
], ids=["missing-file", "directory"])
def test_unreadable_paths_are_diagnostics_not_crashes(tmp_path: Path,
                                                      make: Callable[[Path], Path]) -> None:
    target = make(tmp_path)
    result = sfnc("validate", "--format", "parseable", "--root", ".", str(target), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith(f"{target}:1:1: error SFN101: ")
    assert "Traceback" not in result.stderr


def test_a_pipeline_from_process_substitution(tmp_path: Path) -> None:
    # The pipe is drained by the check; showing the source line must not read it again.
    command = f"{sys.executable} -m sfnc validate --root . <(printf 'version: 2\\n')"
    result = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 1
    assert ":1:10: error SFN205: pipeline language version 2 is not supported" in result.stdout
