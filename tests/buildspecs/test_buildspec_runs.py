"""The buildspecs that can run here do their job: pass on the seed project, fail when it is broken.

Each build runs in a fresh copy of the repository (see tests/support/buildspec_runner.py),
install phase included. Docker builds, ECR and trivy need AWS and a docker daemon,
so build-image and the trivy part of security-scans are only checked for shape.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import boto3
import pytest

from tests.buildspecs.conftest import serve_app
from tests.support.buildspec_runner import BuildResult, load, run
from tests.support.http_recorder import RecordingServer

pytestmark = pytest.mark.slow


def _junit_counts(path: Path) -> tuple[int, int]:
    """(tests, failures + errors) over every suite in a JUnit XML file."""
    root = ET.parse(path).getroot()  # noqa: S314 - our own build's report
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    tests = sum(int(s.get("tests", 0)) for s in suites)
    bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    return tests, bad


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def _build(name: str, repo: Path, env: dict[str, str], **extra: str) -> BuildResult:
    return run(load(name), repo, {**env, **extra})


def test_unit_tests_pass_and_report(seed_repo: Path, build_env: dict[str, str]) -> None:
    result = _build("unit-tests.yml", seed_repo, build_env)

    assert result.succeeded, result
    tests, bad = _junit_counts(seed_repo / "reports" / "unit-tests" / "junit.xml")
    assert tests > 40
    assert bad == 0
    assert "test_page_in_chromium" not in result.output  # browser tests stay out


def test_unit_tests_fail_on_a_failing_test(seed_repo: Path, build_env: dict[str, str]) -> None:
    # A change that breaks the page breaks the webapp tests, as it would in the pipeline.
    template = seed_repo / "webapp" / "flaskapp" / "templates" / "index.html"
    template.write_text(template.read_text().replace("your fancy app, deployed", "oops"))

    result = _build("unit-tests.yml", seed_repo, build_env)

    assert result.failed_phase == "build", result
    _, bad = _junit_counts(seed_repo / "reports" / "unit-tests" / "junit.xml")
    assert bad >= 1


def test_static_analysis_passes_and_reports(seed_repo: Path, build_env: dict[str, str]) -> None:
    result = _build("static-analysis.yml", seed_repo, build_env)

    assert result.succeeded, result
    reports = seed_repo / "reports" / "static-analysis"
    assert {p.name for p in reports.iterdir()} == {
        "ruff.xml",
        "mypy-webapp.xml",
        "mypy-notify_failure.xml",
        "mypy-mark_pr_ready.xml",
    }
    assert _junit_counts(reports / "mypy-webapp.xml")[1] == 0


def test_static_analysis_fails_on_a_lint_error(seed_repo: Path, build_env: dict[str, str]) -> None:
    _append(seed_repo / "webapp" / "flaskapp" / "__init__.py", "\nimport json\n")

    result = _build("static-analysis.yml", seed_repo, build_env)

    assert result.failed_phase == "build", result
    assert "F401" in result.output
    assert "F401" in (seed_repo / "reports" / "static-analysis" / "ruff.xml").read_text()


def test_static_analysis_fails_on_a_type_error(seed_repo: Path, build_env: dict[str, str]) -> None:
    _append(
        seed_repo / "lambdas" / "mark_pr_ready" / "handler.py",
        "\n\ndef _broken(count: int) -> str:\n    return count\n",
    )

    result = _build("static-analysis.yml", seed_repo, build_env)

    assert result.failed_phase == "build", result
    assert 'Incompatible return value type (got "int", expected "str")' in result.output


def _bandit_only(phase: str, command: str) -> bool:
    # trivy and pip-audit need the network and ECR; bandit runs anywhere.
    if phase == "install":
        return "install_trivy" not in command
    return phase == "build" and "bandit" in command


def test_bandit_passes_on_the_seed(seed_repo: Path, build_env: dict[str, str]) -> None:
    result = run(load("security-scans.yml"), seed_repo, build_env, select=_bandit_only)

    assert result.succeeded, result
    assert "No issues identified." in result.output


def test_bandit_fails_on_high_severity(seed_repo: Path, build_env: dict[str, str]) -> None:
    _append(
        seed_repo / "lambdas" / "notify_failure" / "handler.py",
        "\n\ndef _run(command: str) -> None:\n"
        "    import subprocess\n\n"
        "    subprocess.call(command, shell=True)\n",
    )

    result = run(load("security-scans.yml"), seed_repo, build_env, select=_bandit_only)

    assert result.failed_phase == "build", result
    assert "B602" in result.output


def test_integration_tests_pass_and_report(seed_repo: Path, build_env: dict[str, str]) -> None:
    result = _build("integration-tests.yml", seed_repo, build_env)

    assert result.succeeded, result
    assert _junit_counts(seed_repo / "reports" / "integration-tests" / "junit.xml") == (3, 0)


def test_integration_tests_fail_on_a_broken_app(seed_repo: Path, build_env: dict[str, str]) -> None:
    init = seed_repo / "webapp" / "flaskapp" / "__init__.py"
    init.write_text(init.read_text().replace('status="ok"', 'status="degraded"'))

    result = _build("integration-tests.yml", seed_repo, build_env)

    assert result.failed_phase == "build", result
    assert "/healthz is not ok" in result.output
    assert "--- gunicorn log ---" in result.output
    assert _junit_counts(seed_repo / "reports" / "integration-tests" / "junit.xml") == (3, 1)


def _deploy_env(build_env: dict[str, str], aws: str, instance: str, app: str) -> dict[str, str]:
    return {
        **build_env,
        "AWS_ENDPOINT_URL": aws,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "TARGET_INSTANCE_ID": instance,
        "TARGET_URL": app,
        "APP_PORT": "80",
        "ECR_REPOSITORY_URI": "123456789012.dkr.ecr.us-east-1.amazonaws.com/flask-webapp",
        "SFNC_COMMIT": "c" * 40,
        "SSM_POLL_SECONDS": "0.05",
        "HEALTH_ATTEMPTS": "2",
        "HEALTH_INTERVAL_SECONDS": "0.05",
    }


def test_deploy_rolls_out_the_commit(
    seed_repo: Path,
    build_env: dict[str, str],
    aws_env: str,
    instance_id: str,
    http_recorder: RecordingServer,
) -> None:
    serve_app(http_recorder, "c" * 40)
    env = _deploy_env(build_env, aws_env, instance_id, http_recorder.url)

    result = _build("deploy-ec2.yml", seed_repo, env)

    assert result.succeeded, result
    [command] = [
        c
        for c in boto3.client("ssm").list_commands()["Commands"]
        if c["Comment"].startswith("sfnc: deploy")
    ]
    assert command["DocumentName"] == "AWS-RunShellScript"
    assert command["InstanceIds"] == [instance_id]


def test_deploy_fails_when_the_new_version_does_not_show(
    seed_repo: Path,
    build_env: dict[str, str],
    aws_env: str,
    instance_id: str,
    http_recorder: RecordingServer,
) -> None:
    serve_app(http_recorder, "an-older-version")
    env = _deploy_env(build_env, aws_env, instance_id, http_recorder.url)

    result = _build("deploy-ec2.yml", seed_repo, env)

    assert result.failed_phase == "build", result


def test_deploy_needs_its_target(seed_repo: Path, build_env: dict[str, str]) -> None:
    result = _build("deploy-ec2.yml", seed_repo, build_env)

    assert result.failed_phase == "pre_build", result
    assert "TARGET_INSTANCE_ID is not set" in result.output
