"""Delete a pipeline's stack and every resource in it, following the deletion live.

Shows what will be deleted and asks first; without a terminal it needs --yes.
The artifact bucket is emptied first (it holds only the source snapshots of past
runs, and CloudFormation cannot delete a bucket that is not empty). The assets
bucket (function code, large templates) is shared by the stacks of an account and
region, and stays.

examples:
  sfnc destroy --stack-name flask-webapp
  sfnc destroy --stack-name flask-webapp --yes --region eu-west-1
"""

from __future__ import annotations

import argparse
import sys

from sfnc.commands.aws_access import add_connection, add_stack_name, connect, fail, guarded

HELP = "delete a pipeline's stack"


def configure(parser: argparse.ArgumentParser) -> None:
    add_stack_name(parser)
    parser.add_argument("-y", "--yes", action="store_true",
                        help="delete without asking (needed when stdin is not a terminal)")
    add_connection(parser)


def run(args: argparse.Namespace) -> int:
    if not (args.yes or sys.stdin.isatty()):
        return fail("destroy", "refusing to delete without confirmation: stdin is not a "
                               "terminal, so there is nobody to ask. Pass --yes to delete "
                               "without asking")

    def destroy() -> int:
        from sfnc.drivers.destroy import destroy
        from sfnc.drivers.progress import make_view

        clients = connect(args)
        clients.account_id  # noqa: B018 - fails fast on credentials and endpoint
        view = make_view(interactive=sys.stdin.isatty(), redact=str)
        return destroy(clients.cloudformation, clients.s3, view, stack_name=args.stack_name,
                       region=clients.region, assume_yes=args.yes)

    return guarded("destroy", destroy)
