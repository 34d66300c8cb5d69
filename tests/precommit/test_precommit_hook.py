"""The `sfnc-validate` hook, run by the real pre-commit in a throwaway repository.

pre-commit installs the hook from a git repository. `try-repo` on this working tree
would pick up changes to tracked files only, so the hook source is a commit of the
whole working tree as it is now (tracked and untracked files, minus ignored ones):
the test checks what is on disk, not what was last committed. Installing the hook
builds a virtualenv and downloads sfnc's dependencies from PyPI, hence `slow`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.stub_repo import make_repo

REPO = Path(__file__).resolve().parents[2]
GIT_IDENTITY = ("-c", "user.name=sfnc tests", "-c", "user.email=tests@example.invalid",
                "-c", "commit.gpgsign=false")
Runs = dict[str, subprocess.CompletedProcess[str]]
BAD = "version: 1\nname: bad\nsource: {codecommit: bad}\nstagse: []\n"

pytestmark = pytest.mark.slow


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *GIT_IDENTITY, *args], cwd=cwd, check=True, capture_output=True)


def snapshot_of_this_repository(dest: Path) -> Path:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=REPO, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():  # a tracked file may have been deleted in the working tree
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    git("init", "-q", cwd=dest)
    git("add", "-A", cwd=dest)
    git("commit", "-q", "-m", "snapshot of the working tree", cwd=dest)
    return dest


@pytest.fixture(scope="module")
def hook_run(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    base = tmp_path_factory.mktemp("pre-commit")
    source = snapshot_of_this_repository(base / "hook-source")
    project = base / "project"
    project.mkdir()
    git("init", "-q", cwd=project)
    make_repo(project)
    (project / "pipelines" / "bad.yaml").write_text(BAD, encoding="utf-8")
    git("add", "-A", cwd=project)
    env = {**os.environ, "PRE_COMMIT_HOME": str(base / "cache"), "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)

    def run(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(source),
                               "sfnc-validate", "--color", "never", "--verbose",
                               "--files", *files],
                              cwd=project, env=env, capture_output=True, text=True,
                              timeout=900)

    # The first run installs the hook environment; the second reuses it.
    return {"good": run("pipelines/flask-webapp.yaml"), "bad": run("pipelines/bad.yaml")}


def test_hook_passes_on_a_good_pipeline(hook_run: Runs) -> None:
    result = hook_run["good"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sfnc validate" in result.stdout
    assert "Passed" in result.stdout


def test_hook_fails_on_a_bad_pipeline_with_the_diagnostic(hook_run: Runs) -> None:
    result = hook_run["bad"]
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout
    assert "pipelines/bad.yaml:4:1: error SFN201: unknown key `stagse` in the top level" \
        in result.stdout
    assert "did you mean `stages`?" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
