"""Compile pipeline files into DIR/<name>.template.json (CloudFormation) and
DIR/<name>.asl.json (the state machine, for reading and diffing), then print
what was built and how it measures against AWS limits. Output is
byte-for-byte deterministic; nothing is written unless the pipeline compiles.

examples:
  sfnc compile pipelines/flask-webapp.yaml                 # writes build/
  sfnc compile pipelines/*.yaml -o out/ --format yaml
  python -c "from sfnc.api import compile_pipeline; print(compile_pipeline('p.yaml').template_json)"
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from sfnc.commands.options import add_root
from sfnc.report import FORMATS

if TYPE_CHECKING:
    from rich.console import Console

    from sfnc.api import Compiled

HELP = "write the CloudFormation template and the state machine definition"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="pipeline files")
    parser.add_argument("-o", "--output", metavar="DIR", default="build",
                        help="folder for the generated files (default: build)")
    parser.add_argument("--format", choices=("json", "yaml"), default="json",
                        help="template format (default: json)")
    parser.add_argument("--diagnostics", choices=FORMATS, default="pretty",
                        help="how problems are printed (default: pretty)")
    add_root(parser)
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="print only problems, not the summary")


def _write(path: Path, text: str) -> None:
    """Replace the file in one step, so a failure never leaves half a template."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                     prefix=f".{path.name}.", suffix=".tmp") as handle:
        handle.write(text)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(handle.name, 0o666 & ~umask)  # temporary files start private
    os.replace(handle.name, path)


def _summary(console: Console, compiled: Compiled, written: list[Path]) -> None:
    from rich.table import Table

    from sfnc.backends import limits

    m = compiled.measures
    assert m is not None
    console.print(f"[bold]{compiled.pipeline.file}[/] → " + ", ".join(str(p) for p in written),
                  soft_wrap=True)
    resources = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    resources.add_column("resource type")
    resources.add_column("count", justify="right")
    for kind, count in m.resource_types.items():
        resources.add_row(kind, str(count))
    resources.add_row("[bold]total[/]", f"[bold]{m.resources}[/] of {limits.MAX_RESOURCES}")
    console.print(resources)
    delivery = ("goes through S3 at deploy" if m.needs_s3_upload
                else "fits inline, no upload needed")
    sizes = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    sizes.add_column("measure")
    sizes.add_column("value", justify="right")
    sizes.add_column("limit", justify="right")
    sizes.add_column("")
    sizes.add_row("template (minified)", f"{m.template_bytes:,} B",
                  f"{limits.INLINE_TEMPLATE_BYTES:,} B inline / "
                  f"{limits.S3_TEMPLATE_BYTES:,} B via S3", delivery)
    sizes.add_row("definition", f"{m.definition_bytes:,} B",
                  f"{limits.MAX_DEFINITION_BYTES:,} B", "")
    sizes.add_row("states", str(m.states), "", "")
    sizes.add_row("largest state output", f"~{m.payload_bytes:,} B",
                  f"{limits.MAX_PAYLOAD_BYTES:,} B", "estimated")
    sizes.add_row("history events per run", f"~{m.history_events:,}",
                  f"{limits.MAX_HISTORY_EVENTS:,}", "without retries")
    role, size = m.largest_role_policy
    sizes.add_row("largest inline policy", f"~{size:,} B", f"{limits.MAX_ROLE_POLICY_BYTES:,} B",
                  role)
    console.print(sizes)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from sfnc.api import compile_pipeline
    from sfnc.backends import render
    from sfnc.diagnostics import Diagnostic, PipelineError
    from sfnc.report import render as render_diagnostics

    out = Path(args.output)
    if out.exists() and not out.is_dir():
        print(f"sfnc: {out} is a file, not a folder; choose another --output", file=sys.stderr)
        return 1
    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = 120  # CI logs do not wrap; keep each row of the tables on one line
    problems: list[Diagnostic] = []
    compiled_all: list[Compiled] = []
    for file in args.files:
        try:
            compiled = compile_pipeline(file, root=args.root)
        except PipelineError as exc:
            problems.extend(exc.diagnostics)
            continue
        problems.extend(compiled.diagnostics)
        compiled_all.append(compiled)
    names = [c.pipeline.name for c in compiled_all]
    clashes = sorted({n for n in names if names.count(n) > 1})
    render_diagnostics(problems, args.diagnostics, sys.stdout)
    if len(compiled_all) < len(args.files) or clashes:
        if clashes:
            print(f"sfnc: several files define pipeline {', '.join(clashes)}; their outputs "
                  "would overwrite each other", file=sys.stderr)
        print("nothing written: fix the errors above first", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    for compiled in compiled_all:
        name = compiled.pipeline.name
        template_path = out / f"{name}.template.{args.format}"
        template_text = (compiled.template_json if args.format == "json"
                         else render.as_yaml(compiled.template))
        definition_path = out / f"{name}.asl.json"
        _write(template_path, template_text)
        _write(definition_path, compiled.definition_json)
        if not args.quiet:
            _summary(console, compiled, [template_path, definition_path])
    return 0
