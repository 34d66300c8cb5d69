"""Run every benchmark in this folder (each `bench_*.py`) and print its table.

    .venv/bin/python benchmarks/run.py          # what `make bench` runs

Exits non-zero when a benchmark fails to run; a missed target is printed in its
table (result MISSED), not turned into a failure: timings on a shared machine
are for people to read, not for CI to gate on.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failed: list[str] = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        # As a module from the repository root, so `benchmarks.timing` imports.
        result = subprocess.run([sys.executable, "-m", f"benchmarks.{script.stem}"],
                                cwd=HERE.parent, check=False)
        if result.returncode != 0:
            failed.append(script.name)
        print(flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
