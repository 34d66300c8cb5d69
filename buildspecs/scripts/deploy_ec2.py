"""Roll this commit's image out to the EC2 instance through SSM Run Command.

1. Find the release to fall back on: the instance's tags ``sfnc:image`` and
   ``sfnc:version``, written after the last deploy that passed its checks (or,
   without tags, whatever container is running there now).
2. Pull and start the new image on the instance (AWS-RunShellScript), wait
   for the command, then check that $TARGET_URL reports the new version.
3. On success tag the instance with the new release. On failure start the
   previous release again, check it, and exit 1 either way: a rolled-back
   deploy is still a failed stage.

Environment: TARGET_INSTANCE_ID, TARGET_URL, ECR_REPOSITORY_URI, APP_PORT,
CONTAINER_PORT (default 8080), APP_NAME, IMAGE_TAG (from sfnc-env.sh),
AWS_REGION; optional SSM_WAIT_SECONDS, SSM_POLL_SECONDS, HEALTH_ATTEMPTS,
HEALTH_INTERVAL_SECONDS.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from http_checks import check_with_retries

TAG_IMAGE = "sfnc:image"
TAG_VERSION = "sfnc:version"
DONE = {"Success", "Failed", "Cancelled", "TimedOut"}


class DeployError(RuntimeError):
    pass


@dataclass(frozen=True)
class Release:
    image: str
    version: str


@dataclass(frozen=True)
class Settings:
    instance_id: str
    target_url: str
    repository_uri: str
    image_tag: str
    app_name: str
    app_port: int
    container_port: int
    region: str
    ssm_wait: float
    ssm_poll: float
    health_attempts: int
    health_interval: float

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        required = ["TARGET_INSTANCE_ID", "TARGET_URL", "ECR_REPOSITORY_URI", "IMAGE_TAG"]
        missing = [name for name in required if not env.get(name)]
        if missing:
            raise DeployError(f"not set: {', '.join(missing)} (the ec2:deploy stage gets them)")
        repository = env["ECR_REPOSITORY_URI"]
        return cls(
            instance_id=env["TARGET_INSTANCE_ID"],
            target_url=env["TARGET_URL"].rstrip("/"),
            repository_uri=repository,
            image_tag=env["IMAGE_TAG"],
            app_name=env.get("APP_NAME") or "app",
            app_port=int(env.get("APP_PORT") or 80),
            container_port=int(env.get("CONTAINER_PORT") or 8080),
            region=_registry_region(repository) or env.get("AWS_REGION") or "us-east-1",
            ssm_wait=float(env.get("SSM_WAIT_SECONDS", 600)),
            ssm_poll=float(env.get("SSM_POLL_SECONDS", 5)),
            health_attempts=int(env.get("HEALTH_ATTEMPTS", 20)),
            health_interval=float(env.get("HEALTH_INTERVAL_SECONDS", 6)),
        )


def say(message: str) -> None:
    print(f"[deploy-ec2] {message}", flush=True)


def start_commands(settings: Settings, release: Release) -> list[str]:
    """What the instance runs to (re)start the app on ``release``; values are shell-quoted."""
    q = shlex.quote
    name = q(settings.app_name)
    registry = release.image.split("/", 1)[0]
    # POSIX sh on purpose: AWS-RunShellScript may run it with dash on some images.
    return [
        "set -eu",
        f"aws ecr get-login-password --region {q(settings.region)}"
        f" | docker login --username AWS --password-stdin {q(registry)}",
        f"docker pull {q(release.image)}",
        f"docker stop --time 10 {name} >/dev/null 2>&1 || true",
        f"docker rm {name} >/dev/null 2>&1 || true",
        f"docker run --detach --name {name} --restart unless-stopped"
        f" -p {settings.app_port}:{settings.container_port} -e PORT={settings.container_port}"
        f" -e APP_VERSION={q(release.version)}"
        f" {q(release.image)}",
    ]


def inspect_commands(settings: Settings) -> list[str]:
    name = shlex.quote(settings.app_name)
    return [
        f"docker inspect --format '{{{{.Config.Image}}}}' {name} 2>/dev/null || true",
        f"docker inspect --format '{{{{range .Config.Env}}}}{{{{println .}}}}{{{{end}}}}' {name}"
        " 2>/dev/null | sed -n 's/^APP_VERSION=//p' || true",
    ]


def run_on_instance(
    ssm: Any, settings: Settings, commands: list[str], comment: str
) -> dict[str, Any]:
    """Send ``commands`` with AWS-RunShellScript and wait for their outcome."""
    command_id = ssm.send_command(
        InstanceIds=[settings.instance_id],
        DocumentName="AWS-RunShellScript",
        Comment=comment[:100],
        Parameters={"commands": commands, "executionTimeout": [str(int(settings.ssm_wait))]},
    )["Command"]["CommandId"]
    deadline = time.monotonic() + settings.ssm_wait
    while True:
        try:
            invocation: dict[str, Any] = ssm.get_command_invocation(
                CommandId=command_id, InstanceId=settings.instance_id
            )
        except ClientError as error:
            # The invocation appears a moment after send_command returns.
            if error.response["Error"]["Code"] != "InvocationDoesNotExist":
                raise
            invocation = {"Status": "Pending"}
        if invocation["Status"] in DONE:
            return invocation
        if time.monotonic() > deadline:
            raise DeployError(f"SSM command {command_id} still {invocation['Status']}")
        time.sleep(settings.ssm_poll)


def previous_release(ec2: Any, ssm: Any, settings: Settings) -> Release | None:
    try:
        tags = ec2.describe_tags(
            Filters=[
                {"Name": "resource-id", "Values": [settings.instance_id]},
                {"Name": "key", "Values": [TAG_IMAGE, TAG_VERSION]},
            ]
        )["Tags"]
    except ClientError as error:
        # Without the tags, what runs on the instance now is the next best rollback target.
        say(f"cannot read the instance's release tags ({error}); asking the instance")
        tags = []
    values = {tag["Key"]: tag["Value"] for tag in tags}
    if values.get(TAG_IMAGE) and values.get(TAG_VERSION):
        return Release(values[TAG_IMAGE], values[TAG_VERSION])
    invocation = run_on_instance(ssm, settings, inspect_commands(settings), "sfnc: inspect app")
    lines = [*str(invocation.get("StandardOutputContent", "")).splitlines(), "", ""]
    image, version = lines[0].strip(), lines[1].strip()
    return Release(image, version or image.rpartition(":")[2]) if image else None


def roll_out(ec2: Any, ssm: Any, settings: Settings, release: Release) -> bool:
    """Start ``release`` and check it answers with its version; True when it does."""
    try:
        invocation = run_on_instance(
            ssm, settings, start_commands(settings, release), f"sfnc: deploy {release.version}"
        )
    except (ClientError, BotoCoreError, DeployError) as error:
        say(f"could not run the deploy command: {error}")
        return False
    if invocation["Status"] != "Success":
        say(f"the deploy command ended {invocation['Status']}:")
        print(invocation.get("StandardErrorContent") or invocation.get("StandardOutputContent"))
        return False
    outcomes = check_with_retries(
        settings.target_url, release.version, settings.health_attempts, settings.health_interval
    )
    problems = [o.problem for o in outcomes if o.problem]
    for problem in problems:
        say(f"check failed: {problem}")
    return not problems


def deploy(settings: Settings) -> int:
    ec2, ssm = boto3.client("ec2"), boto3.client("ssm")
    release = Release(f"{settings.repository_uri}:{settings.image_tag}", settings.image_tag)
    previous = previous_release(ec2, ssm, settings)
    say(f"deploying {release.image} to {settings.instance_id} ({settings.target_url})")
    say(f"rollback target: {previous.image if previous else 'none'}")
    if roll_out(ec2, ssm, settings, release):
        say(f"{settings.target_url} serves version {release.version}")
        try:
            ec2.create_tags(
                Resources=[settings.instance_id],
                Tags=[
                    {"Key": TAG_IMAGE, "Value": release.image},
                    {"Key": TAG_VERSION, "Value": release.version},
                ],
            )
        except ClientError as error:
            # The deploy itself worked; only the next rollback loses its recorded target.
            say(f"warning: could not record the release on the instance: {error}")
        return 0
    if previous is None or previous == release:
        say("deploy failed and there is no previous release to roll back to")
        return 1
    say(f"deploy failed: rolling back to {previous.image}")
    if roll_out(ec2, ssm, settings, previous):
        say(f"rolled back: {settings.target_url} serves version {previous.version} again")
    else:
        say("ROLLBACK FAILED: the app may be down; check the instance")
    return 1


def _registry_region(repository_uri: str) -> str | None:
    # <account>.dkr.ecr.<region>.amazonaws.com/<name>
    parts = repository_uri.split("/", 1)[0].split(".")
    return parts[3] if len(parts) > 4 and parts[1:3] == ["dkr", "ecr"] else None


def main() -> int:
    try:
        return deploy(Settings.from_env(os.environ))
    except DeployError as error:
        say(f"error: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
