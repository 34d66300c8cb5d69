"""Create or update a pipeline's stack through a CloudFormation change set.

Compiles the pipeline, zips and uploads each Lambda function's code (once per
content), shows what the change set would add, modify or remove, asks, and
follows the deployment live. A failed deployment names the resource that
failed first and why, not the cascade of cancellations after it.

examples:
  sfnc deploy pipelines/flask-webapp.yaml --stack-name flask-webapp \\
      --parameter GitHubConnectionArn=arn:aws:codeconnections:eu-west-1:123456789012:connection/abc
  sfnc deploy pipeline.yaml --stack-name ci --no-execute      # preview only
  sfnc deploy pipeline.yaml --stack-name ci --yes             # CI: no questions

On a terminal the deploy asks before executing; elsewhere it needs --yes.
Ctrl-C stops following, never the deployment; `sfnc status` picks it up again.
"""

from __future__ import annotations

import argparse
import sys

from sfnc.commands.aws_access import add_connection, add_stack_name, connect, fail, guarded
from sfnc.commands.options import add_root

HELP = "create or update the pipeline's stack, with a preview and a live view"

def assignment(text: str) -> tuple[str, str]:
    """KEY=VALUE. The message never repeats the text: it may hold a secret."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError("expected KEY=VALUE, e.g. --parameter "
                                         "AlertEmail=team@example.com")
    return key.strip(), value


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the pipeline file")
    add_stack_name(parser)
    parser.add_argument("--parameter", action="append", type=assignment, default=[],
                        metavar="KEY=VALUE", dest="parameters",
                        help="a template parameter (repeatable); on updates, parameters not "
                             "given keep their previous values")
    parser.add_argument("--assets-bucket", metavar="NAME",
                        help="an existing S3 bucket for function code and large templates "
                             "(default: sfnc-assets-<account>-<region>, created on first use)")
    parser.add_argument("-y", "--yes", action="store_true",
                        help="execute the change set without asking (needed when stdin is "
                             "not a terminal)")
    parser.add_argument("--no-execute", action="store_true",
                        help="stop after the preview and leave the change set for review")
    parser.add_argument("--no-rollback", action="store_true",
                        help="on failure, keep the resources as they are instead of rolling "
                             "back (for debugging)")
    add_connection(parser)
    add_root(parser)


def run(args: argparse.Namespace) -> int:
    given: dict[str, str] = {}
    for key, value in args.parameters:
        if key in given:
            return fail("deploy", f"--parameter {key} is given twice")
        given[key] = value
    if not (args.yes or args.no_execute or sys.stdin.isatty()):
        return fail("deploy", "refusing to deploy without confirmation: stdin is not a "
                              "terminal, so there is nobody to ask. Pass --yes to deploy "
                              "without asking, or --no-execute to only preview the changes")

    from sfnc.api import compile_pipeline
    from sfnc.diagnostics import PipelineError
    from sfnc.report import render, tally

    try:
        compiled = compile_pipeline(args.file, root=args.root)
    except PipelineError as exc:
        render(exc.diagnostics, "pretty", sys.stderr)
        print(f"{tally(exc.diagnostics)} in {args.file}: nothing was deployed", file=sys.stderr)
        return 1
    render(compiled.diagnostics, "pretty", sys.stderr)  # warnings

    from sfnc.drivers.deploy import Deployer, DeployOptions
    from sfnc.drivers.parameters import Redactor, secrets
    from sfnc.drivers.progress import make_view

    redact = Redactor(secrets(compiled.template, given))
    options = DeployOptions(stack_name=args.stack_name, parameters=given,
                            assets_bucket=args.assets_bucket, assume_yes=args.yes,
                            execute=not args.no_execute, rollback=not args.no_rollback)

    def deploy() -> int:
        view = make_view(interactive=sys.stdin.isatty(), redact=redact)
        return Deployer(connect(args), view).run(compiled, options)

    return guarded("deploy", deploy, redact)
