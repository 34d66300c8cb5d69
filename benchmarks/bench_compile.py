"""How long `sfnc compile` takes, as a whole process, and what it produces.

    .venv/bin/python -m benchmarks.bench_compile [--runs 11]

Targets (2-core machine): the seed pipeline under 0.5 s, 300 build stages (six
groups of 50) under 3 s. A second table prints the template and definition
sizes against their AWS limits.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from benchmarks.timing import Timing, machine, table, time_process
from sfnc.api import compile_pipeline
from sfnc.backends import limits

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "pipelines" / "flask-webapp.yaml"
SFNC = (sys.executable, "-m", "sfnc")
SEED_TARGET = 0.5
SCALE_TARGET = 3.0


def scale_repository(root: Path, groups: int = 6, members: int = 50) -> Path:
    (root / ".git").mkdir(parents=True)
    (root / "buildspecs").mkdir()
    (root / "buildspecs" / "build.yml").write_text(
        (REPO / "buildspecs" / "unit-tests.yml").read_text(encoding="utf-8"), encoding="utf-8")
    lines = ["version: 1", "name: scale", "source: {codecommit: scale}", "stages:"]
    for group in range(groups):
        lines += [f"  - parallel: Group{group}", "    stages:"]
        lines += [f"      - {{name: G{group}Build{index:02d}, build: buildspecs/build.yml}}"
                  for index in range(members)]
    pipeline = root / "pipeline.yaml"
    pipeline.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return pipeline


def sizes(name: str, pipeline: Path) -> str:
    m = compile_pipeline(pipeline).measures
    assert m is not None
    return (f"| {name} | {m.resources} / {limits.MAX_RESOURCES} | {m.states} | "
            f"{m.template_bytes:,} B ({'S3' if m.needs_s3_upload else 'inline'}) | "
            f"{m.definition_bytes:,} B | ~{m.payload_bytes:,} B |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        scale = scale_repository(root / "repo")
        out = root / "out"
        rows = [
            Timing("sfnc --version (start-up)", time_process(
                [*SFNC, "--version"], runs=args.runs, cwd=REPO)),
            Timing("compile the seed pipeline", time_process(
                [*SFNC, "compile", str(SEED), "-o", str(out), "-q"], runs=args.runs, cwd=REPO),
                SEED_TARGET),
            Timing("compile 300 build stages", time_process(
                [*SFNC, "compile", str(scale), "-o", str(out), "-q"], runs=args.runs,
                cwd=REPO), SCALE_TARGET),
        ]
        print(f"sfnc compile, whole process ({machine()})\n")
        print(table(rows))
        print("\n| pipeline | resources | states | template (minified) | definition | "
              "largest state output |\n|---|---|---|---|---|---|")
        print(sizes("seed (flask-webapp)", SEED))
        print(sizes("300 build stages", scale))
        print(f"\nlimits: template {limits.INLINE_TEMPLATE_BYTES:,} B inline, "
              f"{limits.S3_TEMPLATE_BYTES:,} B via S3; definition "
              f"{limits.MAX_DEFINITION_BYTES:,} B; state output {limits.MAX_PAYLOAD_BYTES:,} B")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
