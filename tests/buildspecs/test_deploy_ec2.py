"""buildspecs/scripts/deploy_ec2.py against moto (EC2, SSM) and a local stand-in for the app.

moto runs no shell on the instance: every SSM command "succeeds" with empty
output. So these tests check what the script asks the instance to run, how it
reads the app's answers, and how it decides between done, rollback and failure.
"""

from __future__ import annotations

import os
import subprocess
import sys

import boto3
import pytest

from tests.buildspecs.conftest import serve_app
from tests.support.buildspec_runner import BUILDSPECS
from tests.support.http_recorder import RecordingServer

SCRIPT = BUILDSPECS / "scripts" / "deploy_ec2.py"
REPOSITORY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/flask-webapp"
NEW = "a" * 40
OLD = "b" * 40


def _deploy(
    instance_id: str, app: RecordingServer, **extra: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TARGET_INSTANCE_ID": instance_id,
        "TARGET_URL": app.url + "/",
        "ECR_REPOSITORY_URI": REPOSITORY,
        "IMAGE_TAG": NEW,
        "APP_NAME": "flask-webapp",
        "APP_PORT": "80",
        "SSM_POLL_SECONDS": "0.05",
        "HEALTH_ATTEMPTS": "2",
        "HEALTH_INTERVAL_SECONDS": "0.05",
        **extra,
    }
    return subprocess.run(
        [sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60
    )


def _sent_commands() -> list[list[str]]:
    commands = boto3.client("ssm").list_commands()["Commands"]
    ordered = sorted(commands, key=lambda c: c["RequestedDateTime"])
    return [c["Parameters"]["commands"] for c in ordered]


def _tags(instance_id: str) -> dict[str, str]:
    tags = boto3.client("ec2").describe_tags(
        Filters=[{"Name": "resource-id", "Values": [instance_id]}]
    )["Tags"]
    return {t["Key"]: t["Value"] for t in tags}


def _tag(instance_id: str, image: str, version: str) -> None:
    boto3.client("ec2").create_tags(
        Resources=[instance_id],
        Tags=[{"Key": "sfnc:image", "Value": image}, {"Key": "sfnc:version", "Value": version}],
    )


def _joined(commands: list[str]) -> str:
    return "\n".join(commands)


def test_deploys_checks_and_records_the_release(
    instance_id: str, http_recorder: RecordingServer
) -> None:
    serve_app(http_recorder, NEW)

    result = _deploy(instance_id, http_recorder)

    assert result.returncode == 0, result.stdout + result.stderr
    inspect, start = _sent_commands()
    assert "docker inspect" in _joined(inspect)
    assert start == [
        "set -eu",
        "aws ecr get-login-password --region eu-west-1"
        " | docker login --username AWS --password-stdin"
        " 123456789012.dkr.ecr.eu-west-1.amazonaws.com",
        f"docker pull {REPOSITORY}:{NEW}",
        "docker stop --time 10 flask-webapp >/dev/null 2>&1 || true",
        "docker rm flask-webapp >/dev/null 2>&1 || true",
        "docker run --detach --name flask-webapp --restart unless-stopped -p 80:8080"
        f" -e PORT=8080 -e APP_VERSION={NEW} {REPOSITORY}:{NEW}",
    ]
    assert _tags(instance_id) == {"sfnc:image": f"{REPOSITORY}:{NEW}", "sfnc:version": NEW}
    assert http_recorder.received("GET", "/healthz")


def test_rolls_back_to_the_recorded_release_and_fails(
    instance_id: str, http_recorder: RecordingServer
) -> None:
    _tag(instance_id, f"{REPOSITORY}:{OLD}", OLD)
    # The new container never comes up: the instance keeps answering with the old version.
    serve_app(http_recorder, OLD)

    result = _deploy(instance_id, http_recorder)

    assert result.returncode == 1
    assert f"reports version '{OLD}', expected '{NEW}'" in result.stdout
    assert f"rolled back: {http_recorder.url} serves version {OLD} again" in result.stdout
    start, rollback = _sent_commands()  # tags were there: no need to inspect the instance
    assert f"docker pull {REPOSITORY}:{NEW}" in start
    assert f"docker pull {REPOSITORY}:{OLD}" in rollback
    assert any(f"-e APP_VERSION={OLD} {REPOSITORY}:{OLD}" in line for line in rollback)
    assert _tags(instance_id)["sfnc:version"] == OLD


def test_reports_a_failed_rollback(instance_id: str, http_recorder: RecordingServer) -> None:
    _tag(instance_id, f"{REPOSITORY}:{OLD}", OLD)
    serve_app(http_recorder, "something-else")

    result = _deploy(instance_id, http_recorder)

    assert result.returncode == 1
    assert "ROLLBACK FAILED" in result.stdout
    assert len(_sent_commands()) == 2


def test_fails_without_a_release_to_roll_back_to(
    instance_id: str, http_recorder: RecordingServer
) -> None:
    serve_app(http_recorder, OLD)

    result = _deploy(instance_id, http_recorder)

    assert result.returncode == 1
    assert "no previous release to roll back to" in result.stdout
    assert len(_sent_commands()) == 2  # inspect, deploy


def test_unreachable_app_fails_the_deploy(instance_id: str, http_recorder: RecordingServer) -> None:
    result = _deploy(instance_id, http_recorder, TARGET_URL="http://127.0.0.1:9")

    assert result.returncode == 1
    assert "request failed" in result.stdout


def test_values_are_quoted_for_the_remote_shell(
    instance_id: str, http_recorder: RecordingServer
) -> None:
    serve_app(http_recorder, "v1; rm -rf /")

    result = _deploy(instance_id, http_recorder, IMAGE_TAG="v1; rm -rf /")

    assert result.returncode == 0, result.stdout + result.stderr
    start = _sent_commands()[-1]
    assert "-e APP_VERSION='v1; rm -rf /'" in start[-1]


@pytest.mark.parametrize("missing", ["TARGET_INSTANCE_ID", "TARGET_URL", "ECR_REPOSITORY_URI"])
def test_missing_settings_fail_clearly(
    aws_env: str, http_recorder: RecordingServer, missing: str
) -> None:
    result = _deploy("i-0123456789abcdef0", http_recorder, **{missing: ""})

    assert result.returncode == 1
    assert f"not set: {missing}" in result.stdout
    assert boto3.client("ssm").list_commands()["Commands"] == []
