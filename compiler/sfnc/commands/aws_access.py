"""The AWS side that deploy, destroy and status share: connection options, the stack
name, and turning AWS failures into one line and exit 1."""

from __future__ import annotations

import argparse
import re
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from sfnc.drivers.aws import Clients

_STACK_NAME = re.compile(r"[A-Za-z][-A-Za-z0-9]{0,127}")


def stack_name(text: str) -> str:
    if not _STACK_NAME.fullmatch(text):
        raise argparse.ArgumentTypeError(
            "a stack name starts with a letter and holds only letters, digits and hyphens "
            "(at most 128)")
    return text


def add_connection(parser: argparse.ArgumentParser) -> None:
    """The options that say which AWS to talk to; deploy, destroy and status share them."""
    group = parser.add_argument_group("AWS connection")
    group.add_argument("--region", help="AWS region (default: AWS_REGION or the profile's)")
    group.add_argument("--profile", help="named profile from ~/.aws/config (default: "
                                         "AWS_PROFILE or the default credentials)")
    group.add_argument("--endpoint-url", metavar="URL",
                       help="send every AWS call to this endpoint instead of AWS (an emulator "
                            "such as moto or LocalStack); AWS_ENDPOINT_URL works too")
    group.add_argument("--retry-mode", choices=("standard", "adaptive"), default="standard",
                       help="botocore retry mode for throttled calls; adaptive also slows "
                            "down on the client side (default: standard)")


def add_stack_name(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack-name", required=True, type=stack_name, metavar="NAME",
                        help="the CloudFormation stack")


def fail(command: str, message: str, redact: Callable[[str], str] = str) -> int:
    print(f"sfnc {command}: error: {redact(message)}", file=sys.stderr)
    return 1


def connect(args: argparse.Namespace) -> Clients:
    from sfnc.drivers.aws import Clients, Connection

    return Clients(Connection(region=args.region, profile=args.profile,
                              endpoint_url=args.endpoint_url, retry_mode=args.retry_mode))


def guarded(command: str, action: Callable[[], int],
            redact: Callable[[str], str] = str) -> int:
    """Runs ``action``; AWS and connection failures become one line and exit 1."""
    from botocore.exceptions import BotoCoreError, ClientError

    from sfnc.drivers.errors import DeployError, explain

    try:
        return action()
    except (DeployError, BotoCoreError, ClientError) as exc:
        return fail(command, explain(exc), redact)
