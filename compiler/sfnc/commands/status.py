"""Show a pipeline's stack: its status, why its last operation failed (the first
resource that failed and its reason), its outputs, and the latest executions of
its state machine. An operation still running is followed live until it ends.

Exit status: 0 when the stack is usable (including after a rolled-back
update), 1 when it is in a failed state or does not exist.

examples:
  sfnc status --stack-name flask-webapp
  sfnc status --stack-name flask-webapp --no-follow --region eu-west-1
"""

from __future__ import annotations

import argparse
import sys

from sfnc.commands.aws_access import add_connection, add_stack_name, connect, guarded

HELP = "show a stack, its outputs and its pipeline's latest runs"


def configure(parser: argparse.ArgumentParser) -> None:
    add_stack_name(parser)
    parser.add_argument("--no-follow", action="store_true",
                        help="do not follow an operation that is still running")
    add_connection(parser)


def run(args: argparse.Namespace) -> int:
    def status() -> int:
        from sfnc.drivers.progress import make_view
        from sfnc.drivers.status import show_status

        clients = connect(args)
        clients.account_id  # noqa: B018 - fails fast on credentials and endpoint
        view = make_view(interactive=sys.stdin.isatty(), redact=str)
        return show_status(clients.cloudformation, clients.stepfunctions, view,
                           stack_name=args.stack_name, region=clients.region,
                           follow=not args.no_follow)

    return guarded("status", status)
