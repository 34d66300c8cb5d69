"""The repository root and the paths a pipeline names inside it.

Paths in a pipeline (`build`, `code`) are relative to the root that CodeBuild
checks out, not to the pipeline file; a path that escapes the root would
work on a laptop and fail in CodeBuild, so it is an error here.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath


def find_root(pipeline_file: Path) -> Path:
    """The nearest folder above the file that holds `.git`, else the working directory."""
    start = pipeline_file.resolve().parent
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return Path.cwd().resolve()


def resolve_inside(root: Path, relative: str) -> tuple[Path | None, str | None]:
    """The absolute path of ``relative`` under ``root``, or why it is not acceptable."""
    posix = PurePosixPath(relative.replace("\\", "/"))
    if posix.is_absolute() or relative.startswith("~"):
        return None, "must be relative to the repository root"
    target = (root / posix).resolve()
    if target != root and root not in target.parents:
        return None, "leaves the repository"
    return target, None
