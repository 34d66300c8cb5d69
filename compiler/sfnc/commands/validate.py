from __future__ import annotations

import argparse
import sys

from sfnc.api import validate_pipeline
from sfnc.diagnostics import Diagnostic, Severity, has_errors
from sfnc.report import render, tally
from sfnc.summary import one_line, outline


def run(args: argparse.Namespace) -> int:
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
            print(f"{tally(everything)} in {len(args.files)} file"
                  f"{'s' * (len(args.files) != 1)}", file=sys.stderr)
    return 1 if failed else 0
