"""How long `sfnc validate` takes, as a whole process: the seed pipeline and a
generated 1,000-stage pipeline whose builds each use their own buildspec file.

    .venv/bin/python -m benchmarks.bench_validate [--runs 21]

Targets (2-core machine): seed under 0.25 s, 1,000 stages under 1.5 s. The first
two rows are baselines for the same run: the interpreter alone, and `sfnc --version`
(start-up and argument parsing without validating anything).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.timing import Timing, machine, table, time_process

REPO = Path(__file__).resolve().parent.parent
SEED = "pipelines/flask-webapp.yaml"
SFNC = (sys.executable, "-m", "sfnc")
SEED_TARGET = 0.25
LARGE_TARGET = 1.5
GROUPS, MEMBERS = 100, 10


def large_repository(root: Path) -> Path:
    """A repository with a 1,000-stage pipeline: 100 parallel groups of 10 builds, each
    build with its own copy of one of the seed project's real buildspecs."""
    (root / ".git").mkdir()
    sources = sorted((REPO / "buildspecs").glob("*.yml"))
    if not sources:
        raise SystemExit("benchmarks need the seed project's buildspecs/*.yml")
    (root / "buildspecs").mkdir()
    for folder in ("notify_failure",):
        (root / "lambdas" / folder).mkdir(parents=True)
        (root / "lambdas" / folder / "handler.py").write_text("def handler(e, c): pass\n")
    lines = ["version: 1", "name: large", "description: 1,000 build stages in 100 groups",
             "source: {codecommit: large}", "defaults: {timeout: 30m, compute: medium}",
             "env: {APP_NAME: large}", "stages:"]
    for group in range(GROUPS):
        lines += [f"  - parallel: Group{group:03d}", "    stages:"]
        for member in range(MEMBERS):
            number = group * MEMBERS + member
            buildspec = f"buildspecs/stage-{number:04d}.yml"
            shutil.copyfile(sources[number % len(sources)], root / buildspec)
            lines += [f"      - name: Stage{number:04d}", f"        build: {buildspec}"]
            if number % 7 == 0:
                lines.append("        permissions: [ecr:pull]")
    lines += ["on_failure: {function: notify_failure}",
              "functions:", "  notify_failure: {code: lambdas/notify_failure}"]
    pipeline = root / "pipeline.yaml"
    pipeline.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return pipeline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21, help="timed runs per row (default 21)")
    args = parser.parse_args(argv)
    runs = max(args.runs, 15)

    rows = [
        Timing("python -c pass", time_process((sys.executable, "-c", "pass"), runs=runs,
                                              cwd=REPO)),
        Timing("sfnc --version", time_process((*SFNC, "--version"), runs=runs, cwd=REPO)),
        Timing(f"sfnc validate {SEED}", time_process((*SFNC, "validate", SEED), runs=runs,
                                                     cwd=REPO), SEED_TARGET),
    ]
    with tempfile.TemporaryDirectory(prefix="sfnc-bench-") as folder:
        pipeline = large_repository(Path(folder))
        size = pipeline.stat().st_size
        rows.append(Timing(f"sfnc validate (1,000 stages, {size // 1024} KiB)",
                           time_process((*SFNC, "validate", "-q", pipeline.name), runs=runs,
                                        cwd=Path(folder)), LARGE_TARGET))
    print(f"sfnc validate, whole process, median of {runs} runs ({machine()})\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
