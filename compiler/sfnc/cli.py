"""The `sfnc` command line: parses arguments, runs one command, maps outcomes to exit codes.

Each command lives in ``sfnc.commands.<name>`` and is imported only when run,
so `sfnc validate` never pays for troposphere, boto3 or rich.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback

from sfnc import __version__

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
ISSUES_URL = "https://github.com/sfnc/sfnc/issues"

_DESCRIPTION = """\
Compile a declarative pipeline.yaml into an AWS Step Functions state machine
and one CloudFormation template, and deploy it.

  sfnc validate pipelines/*.yaml            check files, point at every mistake
  sfnc compile pipeline.yaml -o build/      write the template and the state machine
  sfnc deploy pipeline.yaml --stack-name X  create or update the stack, live
  sfnc schema > pipeline.schema.json        the JSON Schema, for editors

Exit codes: 0 ok, 1 invalid pipeline or failed deploy, 2 usage, 3 internal error,
130 interrupted. The language: docs/language.md; every diagnostic code:
docs/diagnostics.md.
"""


# Command name → module in sfnc.commands. Each module has ``HELP``, ``configure(parser)``
# and ``run(args) -> int``, and keeps heavy imports inside ``run`` so that building
# the parser stays cheap.
COMMANDS = ("validate", "compile", "deploy", "destroy", "status", "schema")


def formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sfnc", description=_DESCRIPTION,
                                     formatter_class=formatter)
    parser.add_argument("--version", action="version", version=f"sfnc {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"sfnc.commands.{name}")
        sub = commands.add_parser(name, help=module.HELP, formatter_class=formatter,
                                  description=module.__doc__)
        module.configure(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        status: int = args.run(args)
        return status
    except KeyboardInterrupt:
        print("\nsfnc: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`sfnc schema | head`); not an error worth a message.
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the last line of defence for bugs
        if os.environ.get("SFNC_DEBUG"):
            traceback.print_exc()
        print(f"sfnc: internal error: {type(exc).__name__}: {exc}\n"
              f"This is a bug in sfnc, not in your pipeline. Please report it at {ISSUES_URL} "
              "with the command and the file (set SFNC_DEBUG=1 to see the traceback).",
              file=sys.stderr)
        return EXIT_INTERNAL
