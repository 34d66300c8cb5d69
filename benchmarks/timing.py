"""Timing helpers shared by the benchmark scripts: run a command N times, print a table.

Whole-process timings on purpose: what a user of `sfnc validate` in pre-commit waits
for includes interpreter start-up and imports, not just the validation itself.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Timing:
    name: str
    seconds: tuple[float, ...]
    target: float | None = None  # the median must stay below this, when given

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def verdict(self) -> str:
        if self.target is None:
            return "baseline"
        return "ok" if self.median < self.target else "MISSED"


def time_process(argv: Sequence[str], *, runs: int, cwd: Path, warmup: int = 2,
                 expect_status: int | None = 0) -> tuple[float, ...]:
    """Wall-clock seconds of ``runs`` runs of ``argv``, after ``warmup`` untimed runs
    that fill the OS file cache and Python's bytecode cache."""
    seconds: list[float] = []
    for index in range(warmup + runs):
        started = time.perf_counter()
        result = subprocess.run(list(argv), cwd=cwd, capture_output=True, check=False)
        elapsed = time.perf_counter() - started
        if expect_status is not None and result.returncode != expect_status:
            raise RuntimeError(f"{' '.join(argv)} exited {result.returncode}, not "
                               f"{expect_status}:\n{result.stdout.decode()}"
                               f"{result.stderr.decode()}")
        if index >= warmup:
            seconds.append(elapsed)
    return tuple(seconds)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def table(rows: Sequence[Timing]) -> str:
    header = ("benchmark", "runs", "median", "min", "max", "target", "result")
    body = [(row.name, str(len(row.seconds)), _ms(row.median), _ms(min(row.seconds)),
             _ms(max(row.seconds)), "-" if row.target is None else f"< {_ms(row.target)}",
             row.verdict) for row in rows]
    widths = [max(len(line[i]) for line in (header, *body)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) if i == 0 else cell.rjust(width)
                                 for i, (cell, width) in enumerate(zip(cells, widths,
                                                                      strict=True))) + " |"

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(header), rule, *(line(cells) for cells in body)])


def machine() -> str:
    return (f"{platform.python_implementation()} {platform.python_version()} on "
            f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs")
