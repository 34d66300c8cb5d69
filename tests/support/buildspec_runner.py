"""Run a CodeBuild buildspec (version 0.2) locally with bash, the way CodeBuild does.

What is emulated, because the buildspecs rely on it:
- all commands of all phases run in one shell, so ``cd``, ``export`` and
  functions carry over from one command to the next (the 0.2 behaviour);
- ``env.variables`` are set unless the caller already gives them;
- a failing command fails its phase and skips the rest of that phase;
- a failed install or pre_build skips everything after it, a failed build
  still runs post_build, and ``finally`` blocks always run for an entered
  phase; CODEBUILD_BUILD_SUCCEEDING turns 0 after the first failure.

Builds run in a copy of the repository, made with :func:`copy_repository`,
and with a Python (:func:`overlay_venv`) whose own site-packages are empty but
which sees the test environment's packages, so that a buildspec's
``pip install`` really runs and can add packages, without touching .venv.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILDSPECS = REPO_ROOT / "buildspecs"
PHASES = ("install", "pre_build", "build", "post_build")
# What a build of the seed project needs from the repository; tests/conftest.py,
# setup.cfg and pyproject.toml come along when present because pytest, ruff
# and mypy read them in CodeBuild too.
SEED_PATHS = (
    "webapp",
    "lambdas",
    "buildspecs",
    "tests/webapp",
    "tests/lambdas",
    "tests/support",
    "tests/conftest.py",
    "setup.cfg",
    "pyproject.toml",
)
_IGNORED = shutil.ignore_patterns(
    "__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", ".ruff_cache", "reports"
)

Selector = Callable[[str, str], bool]


@dataclass(frozen=True)
class BuildResult:
    returncode: int
    output: str
    failed_phase: str | None

    @property
    def succeeded(self) -> bool:
        return self.returncode == 0

    def __str__(self) -> str:
        return f"exit {self.returncode}, failed phase {self.failed_phase}:\n{self.output[-6000:]}"


def load(name: str, root: Path = REPO_ROOT) -> dict[str, Any]:
    with (root / "buildspecs" / name).open() as handle:
        spec: dict[str, Any] = yaml.safe_load(handle)
    return spec


def copy_repository(destination: Path, paths: Iterable[str] = SEED_PATHS) -> Path:
    """Copy ``paths`` of the repository into ``destination`` and commit them to a new git repo."""
    for relative in paths:
        source = REPO_ROOT / relative
        target = destination / relative
        if source.is_dir():
            shutil.copytree(source, target, ignore=_IGNORED)
        elif source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git = ["git", "-c", "user.name=sfnc tests", "-c", "user.email=tests@example.invalid"]
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "seed"]):
        subprocess.run([*git, *command], cwd=destination, check=True, capture_output=True)
    return destination


def overlay_venv(destination: Path) -> Path:
    """A venv whose site-packages sees this interpreter's packages behind its own."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(destination)],
        check=True,
        capture_output=True,
    )
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site = destination / "lib" / version / "site-packages"
    # A .pth entry goes after the venv's own site-packages: what the buildspec
    # installs wins, and pip installs into the venv, never into the original.
    (site / "_sfnc_test_overlay.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return destination / "bin"


def render(spec: Mapping[str, Any], select: Selector | None = None) -> str:
    """The bash script that runs ``spec``'s phases with CodeBuild's rules."""
    lines = [
        "export CODEBUILD_BUILD_SUCCEEDING=1",
        "__failed_phase=''",
    ]
    phases = spec.get("phases") or {}
    for phase in PHASES:
        block = phases.get(phase)
        if not block:
            continue
        # post_build runs after a failed build, not after a failed install or pre_build.
        allowed = "'' build" if phase == "post_build" else "''"
        lines.append(f'case "$__failed_phase" in {allowed.replace(" ", " | ")})')
        lines.append("  __phase_ok=1")
        for command in block.get("commands") or []:
            if select is None or select(phase, command):
                lines += _step(phase, command, guarded=True)
        for command in block.get("finally") or []:
            lines += _step(phase, command, guarded=False)
        lines.append('  if [ "$__phase_ok" != 1 ]; then')
        lines.append('    [ -n "$__failed_phase" ] || __failed_phase=' + phase)
        lines.append("    CODEBUILD_BUILD_SUCCEEDING=0")
        lines.append("  fi ;;")
        lines.append("esac")
    lines.append('echo "[buildspec] failed phase: ${__failed_phase:-none}"')
    lines.append('[ -z "$__failed_phase" ]')
    return "\n".join(lines) + "\n"


def _step(phase: str, command: str, guarded: bool) -> list[str]:
    quoted = shlex.quote(command)
    run = [
        f'    echo "[buildspec] {phase}: "{shlex.quote(command.splitlines()[0][:120])}',
        f"    eval {quoted}",
        "    __rc=$?",
        "    if [ $__rc -ne 0 ]; then",
        f'      echo "[buildspec] {phase} command failed with exit status $__rc" >&2',
        "      __phase_ok=0",
        "    fi",
    ]
    if not guarded:
        return run
    return ['  if [ "$__phase_ok" = 1 ]; then', *run, "  fi"]


def clean_environment(bin_dir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The parent's environment without anything that would steer the build from outside."""
    dropped = ("SFNC_", "AWS_", "CODEBUILD_", "PYTEST_", "PIP_", "VIRTUAL_ENV", "PYTHON")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra or {})
    return env


def run(
    spec: Mapping[str, Any],
    workdir: Path,
    env: Mapping[str, str],
    select: Selector | None = None,
    timeout: float = 240,
) -> BuildResult:
    declared = (spec.get("env") or {}).get("variables") or {}
    variables = {str(name): str(value) for name, value in declared.items()}
    completed = subprocess.run(
        ["bash", "-c", render(spec, select)],
        cwd=workdir,
        env={**variables, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    failed = None
    for line in completed.stdout.splitlines():
        if line.startswith("[buildspec] failed phase: "):
            failed = line.rsplit(": ", 1)[1]
    return BuildResult(completed.returncode, completed.stdout, None if failed == "none" else failed)


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.support.buildspec_runner buildspecs/unit-tests.yml``: run one in place.

    Runs in the current directory with the current environment, so a buildspec's
    ``pip install`` goes into whatever Python is first on PATH (use a venv).
    """
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tests.support.buildspec_runner BUILDSPEC", file=sys.stderr)
        return 2
    with Path(args[0]).open() as handle:
        spec = yaml.safe_load(handle)
    result = run(spec, Path.cwd(), dict(os.environ), timeout=3600)
    print(result.output, end="")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
