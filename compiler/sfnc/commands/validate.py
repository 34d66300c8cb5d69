"""Check pipeline files against the language and the repository: YAML syntax, the
schema, names, references, buildspecs, durations. All problems of a file are
reported at once, each with its line and column.

examples:
  sfnc validate pipelines/flask-webapp.yaml --summary
  sfnc validate --format parseable pipelines/*.yaml     # for editors and CI
"""

from __future__ import annotations

import argparse
import os
import sys

from sfnc.commands.options import add_format, add_root

HELP = "check pipeline files"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="pipeline files")
    add_format(parser)
    add_root(parser)
    parser.add_argument("--strict", action="store_true", help="fail (exit 1) on warnings too")
    parser.add_argument("--summary", action="store_true",
                        help="print each valid pipeline's stages, groups and functions")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="print nothing for files without problems")


def run(args: argparse.Namespace) -> int:
    from sfnc.api import validate_pipeline
    from sfnc.diagnostics import Diagnostic, Severity, has_errors
    from sfnc.report import render, tally
    from sfnc.summary import one_line, outline

    if args.root is not None and not os.path.isdir(args.root):
        # A mistyped --root would otherwise show up as every path "not found".
        print(f"sfnc validate: error: --root {args.root}: not a directory", file=sys.stderr)
        return 2
    everything: list[Diagnostic] = []
    lines: list[str] = []
    for file in args.files:
        result = validate_pipeline(file, root=args.root)
        everything.extend(result.diagnostics)
        if result.ok and result.pipeline is not None and not args.quiet:
            lines.append(outline(result.pipeline) if args.summary else
                         f"{file}: ok ({one_line(result.pipeline)})")
    failed = has_errors(everything) or (
        args.strict and any(d.severity is Severity.WARNING for d in everything))
    render(everything, args.format, sys.stdout)
    if args.format != "json":
        for line in lines:
            print(line)
        if everything:
            sys.stdout.flush()  # keep the tally after the diagnostics when both go to one pipe
            print(f"{tally(everything)} in {len(args.files)} file"
                  f"{'s' * (len(args.files) != 1)}", file=sys.stderr)
    return 1 if failed else 0
