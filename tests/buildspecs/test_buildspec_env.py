"""sfnc-env.sh fills in the contract on a developer machine; the runner obeys CodeBuild's rules."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.buildspec_runner import BUILDSPECS, run

SHA = "0123456789abcdef0123456789abcdef01234567"
PRINTED = ("SFNC_PIPELINE", "SFNC_COMMIT", "SFNC_BRANCH", "SFNC_REPOSITORY", "IMAGE_TAG")


def _source_env(cwd: Path, **env: str) -> dict[str, str]:
    """Source sfnc-env.sh in ``cwd`` and return the variables it leaves behind."""
    script = f". {BUILDSPECS / 'scripts' / 'sfnc-env.sh'}\n" + "".join(
        f'echo "{name}=${{{name}}}"\n' for name in PRINTED
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SFNC_", "CODEBUILD_"))}
    out = subprocess.run(
        ["bash", "-c", script], cwd=cwd, env={**base, **env}, capture_output=True, text=True
    ).stdout
    return dict(line.split("=", 1) for line in out.splitlines())


@pytest.fixture
def git_repo(tmp_path: Path) -> tuple[Path, str]:
    repo = tmp_path / "flask-webapp"
    repo.mkdir()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    for command in (["init", "-q", "-b", "main"], ["commit", "-q", "--allow-empty", "-m", "x"]):
        subprocess.run([*git, *command], cwd=repo, check=True)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    return repo, head


def test_derives_everything_from_git(git_repo: tuple[Path, str]) -> None:
    repo, head = git_repo

    env = _source_env(repo)

    assert env == {
        "SFNC_PIPELINE": "local",
        "SFNC_COMMIT": head,
        "SFNC_BRANCH": "main",
        "SFNC_REPOSITORY": "flask-webapp",
        "IMAGE_TAG": head,
    }


def test_pipeline_values_win(git_repo: tuple[Path, str]) -> None:
    repo, _ = git_repo

    env = _source_env(repo, SFNC_PIPELINE="flask-webapp", SFNC_COMMIT=SHA, SFNC_BRANCH="dev")

    assert env["SFNC_PIPELINE"] == "flask-webapp"
    assert env["SFNC_COMMIT"] == SHA
    assert env["SFNC_BRANCH"] == "dev"
    assert env["IMAGE_TAG"] == SHA


def test_a_branch_name_commit_tags_the_resolved_commit(tmp_path: Path) -> None:
    env = _source_env(tmp_path, SFNC_COMMIT="main", CODEBUILD_RESOLVED_SOURCE_VERSION=SHA)

    assert env["SFNC_COMMIT"] == "main"
    assert env["IMAGE_TAG"] == SHA


def test_without_git_the_tag_is_still_valid_for_docker(tmp_path: Path) -> None:
    env = _source_env(tmp_path, SFNC_COMMIT="feature/new login")

    assert env["IMAGE_TAG"] == "feature-new-login"


def test_sfnc_require_names_what_is_missing(tmp_path: Path) -> None:
    script = f". {BUILDSPECS / 'scripts' / 'sfnc-env.sh'}; sfnc_require PRESENT ABSENT"
    env = {"PATH": os.environ["PATH"], "PRESENT": "x"}

    result = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )

    assert result.returncode == 1
    assert "ABSENT is not set" in result.stderr
    assert "PRESENT" not in result.stderr


# The runner is what the build tests trust to behave like CodeBuild, so it is tested too.

_ENV = {"PATH": os.environ["PATH"]}


def test_runner_shares_one_shell_across_commands_and_phases(tmp_path: Path) -> None:
    spec = {
        "env": {"variables": {"GREETING": "hi"}},
        "phases": {
            "install": {"commands": ["export A=1", "cd sub", "f() { echo fn; }"]},
            "build": {"commands": ['echo "$GREETING $A $(basename "$PWD") $(f)"']},
        },
    }
    (tmp_path / "sub").mkdir()

    result = run(spec, tmp_path, _ENV)

    assert result.succeeded, result
    assert "hi 1 sub fn" in result.output


def test_runner_skips_the_rest_after_install_fails(tmp_path: Path) -> None:
    spec = {
        "phases": {
            "install": {"commands": ["false", "echo SAME-PHASE"], "finally": ["echo FINALLY"]},
            "build": {"commands": ["echo BUILD"]},
            "post_build": {"commands": ["echo POST"]},
        }
    }

    result = run(spec, tmp_path, _ENV)

    assert not result.succeeded
    assert result.failed_phase == "install"
    assert "FINALLY" in result.output
    for skipped in ("SAME-PHASE", "BUILD", "POST"):
        assert f"\n{skipped}\n" not in result.output


def test_runner_runs_post_build_after_a_failed_build(tmp_path: Path) -> None:
    spec = {
        "phases": {
            "build": {"commands": ["exit_code() { return 3; }; exit_code"]},
            "post_build": {"commands": ['echo "SUCCEEDING=$CODEBUILD_BUILD_SUCCEEDING"']},
        }
    }

    result = run(spec, tmp_path, _ENV)

    assert not result.succeeded
    assert result.failed_phase == "build"
    assert "SUCCEEDING=0" in result.output
    assert "failed with exit status 3" in result.output


def test_runner_fails_on_a_failing_post_build(tmp_path: Path) -> None:
    spec = {"phases": {"build": {"commands": ["true"]}, "post_build": {"commands": ["false"]}}}

    assert run(spec, tmp_path, _ENV).failed_phase == "post_build"
