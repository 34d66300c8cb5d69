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
from sfnc.report import FORMATS

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


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="pretty",
                        help="pretty: source line and caret, coloured on a terminal "
                             "(NO_COLOR turns colour off); parseable: path:line:col: severity "
                             "CODE: message; json: one object for tools (default: pretty)")


def _add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", metavar="DIR",
                        help="repository root that `build:` and `code:` paths are relative "
                             "to (default: the nearest folder above the file holding .git)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sfnc", description=_DESCRIPTION,
                                     formatter_class=_formatter)
    parser.add_argument("--version", action="version", version=f"sfnc {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    validate = commands.add_parser(
        "validate", formatter_class=_formatter, help="check pipeline files",
        description="Check pipeline files against the language and the repository: YAML "
                    "syntax, the schema, names, references, buildspecs, durations.\nAll "
                    "problems of a file are reported at once, each with its line and "
                    "column.",
        epilog="examples:\n  sfnc validate pipelines/flask-webapp.yaml --summary\n"
               "  sfnc validate --format parseable pipelines/*.yaml   # for editors and CI")
    validate.add_argument("files", nargs="+", metavar="FILE", help="pipeline files")
    _add_format(validate)
    _add_root(validate)
    validate.add_argument("--strict", action="store_true",
                          help="fail (exit 1) on warnings too")
    validate.add_argument("--summary", action="store_true",
                          help="print each valid pipeline's stages, groups and functions")
    validate.add_argument("-q", "--quiet", action="store_true",
                          help="print nothing for files without problems")

    schema = commands.add_parser(
        "schema", formatter_class=_formatter, help="print the pipeline JSON Schema",
        description="Print the JSON Schema (draft 2020-12) of the pipeline language. Point "
                    "your editor at it, or add to the top of a pipeline file:\n"
                    "  # yaml-language-server: $schema=<path>/pipeline.schema.json")
    del schema
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        module = importlib.import_module(f"sfnc.commands.{args.command}")
        status: int = module.run(args)
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
