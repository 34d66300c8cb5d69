"""The deploy commands as a user meets them: real processes, real (or no) endpoints.

Every bad situation must end in one clear line on stderr and exit 1, never a
traceback; secrets must never be printed; --endpoint-url must reach every
client a command uses.
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from tests.deploy.conftest import REPO_ROOT, Cli, base_env
from tests.deploy.repos import CONNECTION, SECRET, SampleRepo
from tests.support.moto_server import MotoServer, aws_environment

UNREACHABLE = "http://127.0.0.1:9"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def one_line_error(result: subprocess.CompletedProcess[str], command: str) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith(f"sfnc {command}: error: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def dummy_credentials(tmp_path: Path) -> dict[str, str]:
    env = base_env(tmp_path)
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1")
    return env


@pytest.mark.parametrize("command", [
    ["status", "--stack-name", "ci"],
    ["destroy", "--stack-name", "ci", "--yes"],
    ["deploy", "REPO/pipeline.yaml", "--stack-name", "ci", "--yes",
     "--parameter", f"GitHubConnectionArn={CONNECTION}", "--parameter", f"DeployToken={SECRET}"],
])
def test_an_unreachable_endpoint_is_one_line(cli: Cli, repo: SampleRepo, tmp_path: Path,
                                              command: list[str]) -> None:
    args = [a.replace("REPO", str(repo.root)) for a in command]
    started = time.monotonic()
    result = cli(*args, "--endpoint-url", UNREACHABLE, env=dummy_credentials(tmp_path))
    line = one_line_error(result, args[0])
    assert f"cannot reach the AWS endpoint {UNREACHABLE}" in line
    assert time.monotonic() - started < 20, "a dead endpoint must fail fast, not retry for long"
    assert SECRET not in result.stdout + result.stderr


def test_missing_credentials_are_one_line(cli: Cli, tmp_path: Path) -> None:
    env = base_env(tmp_path)
    env["AWS_DEFAULT_REGION"] = "us-east-1"
    result = cli("status", "--stack-name", "ci", "--endpoint-url", UNREACHABLE, env=env)
    assert "no AWS credentials found" in one_line_error(result, "status")


def test_an_unknown_profile_and_a_missing_region_are_one_line(cli: Cli, tmp_path: Path) -> None:
    result = cli("status", "--stack-name", "ci", "--profile", "nope",
                 env=dummy_credentials(tmp_path))
    assert "nope" in one_line_error(result, "status")
    env = dummy_credentials(tmp_path)
    del env["AWS_DEFAULT_REGION"]
    result = cli("destroy", "--stack-name", "ci", "--yes", env=env)
    assert "no AWS region: pass --region or set AWS_REGION" in one_line_error(result, "destroy")


@pytest.mark.parametrize("command", ["status", "destroy"])
def test_an_unknown_stack_is_one_line(cli: Cli, moto_server: MotoServer,
                                      moto_env: dict[str, str], command: str) -> None:
    result = cli(command, "--stack-name", "no-such-stack", "--endpoint-url",
                 moto_server.endpoint_url, *(["--yes"] if command == "destroy" else []),
                 env=moto_env)
    assert one_line_error(result, command) == (
        f"sfnc {command}: error: stack no-such-stack does not exist in us-east-1: check "
        "--stack-name, --region and --profile")


@pytest.fixture
def denied_env(moto_server: MotoServer, moto_env: dict[str, str]) -> Iterator[dict[str, str]]:
    """Credentials of an IAM user without any policy, on a moto that checks IAM."""

    def set_auth(count: str) -> None:
        request = urllib.request.Request(f"{moto_server.endpoint_url}/moto-api/reset-auth",
                                         data=count.encode(), method="POST",
                                         headers={"Content-Type": "text/plain"})
        with urllib.request.urlopen(request, timeout=10):
            pass

    set_auth("2")  # the next two calls (creating the user and its key) go unchecked
    try:
        iam = boto3.client("iam", endpoint_url=moto_server.endpoint_url, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        iam.create_user(UserName="nobody")
        key = iam.create_access_key(UserName="nobody")["AccessKey"]
        env = {**moto_env, "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
               "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
        env.pop("AWS_SESSION_TOKEN", None)
        yield env
    finally:
        set_auth("inf")


@pytest.mark.parametrize("command", ["status", "deploy"])
def test_access_denied_is_one_line(cli: Cli, repo: SampleRepo, moto_server: MotoServer,
                                   denied_env: dict[str, str], command: str) -> None:
    extra = ([str(repo.pipeline), "--yes", "--parameter", f"GitHubConnectionArn={CONNECTION}",
              "--parameter", f"DeployToken={SECRET}"] if command == "deploy" else [])
    result = cli(command, *extra[:1], "--stack-name", "ci", *extra[1:], "--endpoint-url",
                 moto_server.endpoint_url, env=denied_env)
    line = one_line_error(result, command)
    assert line == (f"sfnc {command}: error: access denied to DescribeStacks: User: "
                    "arn:aws:iam::123456789012:user/nobody is not authorized to perform: "
                    "cloudformation:DescribeStacks")
    assert SECRET not in result.stdout + result.stderr


def test_without_a_terminal_deploy_needs_yes(cli: Cli, repo: SampleRepo, tmp_path: Path) -> None:
    result = cli("deploy", str(repo.pipeline), "--stack-name", "ci",
                 env=dummy_credentials(tmp_path))
    line = one_line_error(result, "deploy")
    assert "stdin is not a terminal" in line
    assert "Pass --yes" in line
    assert "--no-execute" in line


def test_a_malformed_parameter_is_a_usage_error_that_does_not_echo_it(
        cli: Cli, repo: SampleRepo) -> None:
    result = cli("deploy", str(repo.pipeline), "--stack-name", "ci", "--parameter", SECRET)
    assert result.returncode == 2
    assert "expected KEY=VALUE" in result.stderr
    assert SECRET not in result.stderr + result.stdout


def test_an_invalid_pipeline_stops_before_aws(cli: Cli, repo: SampleRepo, tmp_path: Path) -> None:
    repo.pipeline.write_text(repo.pipeline.read_text().replace("buildspecs/stage.yml",
                                                               "buildspecs/missing.yml"))
    result = cli("deploy", str(repo.pipeline), "--stack-name", "ci", "--yes", "--endpoint-url",
                 UNREACHABLE, env=dummy_credentials(tmp_path))
    assert result.returncode == 1
    assert "SFN304" in result.stderr
    assert "nothing was deployed" in result.stderr
    assert "cannot reach" not in result.stderr  # AWS was never contacted


def test_unknown_and_missing_parameters_are_named_before_anything_is_uploaded(
        cli: Cli, repo: SampleRepo, moto_server: MotoServer, moto_env: dict[str, str]) -> None:
    result = cli("deploy", str(repo.pipeline), "--stack-name", "ci", "--yes", "--endpoint-url",
                 moto_server.endpoint_url, "--parameter", "Colour=blue-value", env=moto_env)
    line = one_line_error(result, "deploy")
    assert "unknown parameter Colour" in line
    assert "blue-value" not in line
    assert "missing parameters GitHubConnectionArn, DeployToken (no default)" in line
    s3 = boto3.client("s3", endpoint_url=moto_server.endpoint_url, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    assert s3.list_buckets()["Buckets"] == []


def test_endpoint_url_reaches_every_client(cli: Cli, repo: SampleRepo, moto_server: MotoServer,
                                           moto_env: dict[str, str]) -> None:
    # Any call that does not go to the endpoint goes to a proxy that is not there.
    env = {**moto_env, "HTTPS_PROXY": UNREACHABLE, "HTTP_PROXY": UNREACHABLE,
           "NO_PROXY": "127.0.0.1,localhost"}
    assert "AWS_ENDPOINT_URL" not in env
    deploy = cli("deploy", str(repo.pipeline), "--stack-name", "ci", "--yes", "--endpoint-url",
                 moto_server.endpoint_url, "--parameter", f"GitHubConnectionArn={CONNECTION}",
                 "--parameter", f"DeployToken={SECRET}", env=env)  # STS, S3, CloudFormation
    assert deploy.returncode == 0, deploy.stderr
    status = cli("status", "--stack-name", "ci", "--endpoint-url", moto_server.endpoint_url,
                 env=env)  # STS, CloudFormation, Step Functions
    assert status.returncode == 0, status.stderr
    assert "State machine arn:aws:states:us-east-1:123456789012:stateMachine:" in status.stdout
    destroy = cli("destroy", "--stack-name", "ci", "--yes", "--endpoint-url",
                  moto_server.endpoint_url, env=env)
    assert destroy.returncode == 0, destroy.stderr


def run_in_terminal(args: list[str], env: dict[str, str], answer: str,
                    timeout: float = 60) -> tuple[int, str]:
    """Run sfnc on a pseudo-terminal, answer its question, return (exit code, screen text)."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "sfnc", *args], stdin=terminal,
                               stdout=terminal, stderr=terminal, cwd=REPO_ROOT, env=env,
                               close_fds=True)
    os.close(terminal)
    output, answered = b"", False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:  # the process closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
            if not answered and b"[y/n]" in output:
                os.write(controller, answer.encode() + b"\r")
                answered = True
            if process.poll() is not None and not ready:
                break
        code = process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)
    return code, ANSI.sub("", output.decode(errors="replace"))


@pytest.fixture
def terminal_env(moto_server: MotoServer, tmp_path: Path) -> dict[str, str]:
    moto_server.reset()
    env = {**base_env(tmp_path), **aws_environment(moto_server.endpoint_url)}
    env.pop("NO_COLOR")
    env.update(TERM="xterm-256color", COLUMNS="160", LINES="50")
    return env


@pytest.mark.slow
def test_on_a_terminal_deploy_asks_and_draws_the_live_view(repo: SampleRepo,
                                                           terminal_env: dict[str, str]) -> None:
    args = ["deploy", str(repo.pipeline), "--stack-name", "ci", "--parameter",
            f"GitHubConnectionArn={CONNECTION}", "--parameter", f"DeployToken={SECRET}"]
    code, screen = run_in_terminal(args, terminal_env, answer="n")
    assert code == 1, screen
    assert "Deploy these changes to stack ci? [y/n]" in screen
    assert "Cancelled: nothing was deployed, the change set was deleted." in screen
    cfn = boto3.client("cloudformation", endpoint_url=terminal_env["AWS_ENDPOINT_URL"],
                       region_name="us-east-1", aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    assert cfn.describe_stacks()["Stacks"] == []  # the empty new stack went with it

    code, screen = run_in_terminal(args, terminal_env, answer="y")
    assert code == 0, screen
    assert re.search(r"Action\s+Replacement\s+Resource type\s+Logical ID", screen)
    assert "Creating ci" in screen
    assert "Latest events" in screen
    assert "Stack ci: CREATE_COMPLETE" in screen
    assert SECRET not in screen
