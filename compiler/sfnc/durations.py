"""Durations as users write them (90s, 20m, 1h30m) and back."""

from __future__ import annotations

import re

_DURATION = re.compile(r"^(?=\d)(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse(text: str) -> int | None:
    """Seconds, or None when the text is not a duration."""
    match = _DURATION.match(text)
    if not match:
        return None
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def format_seconds(seconds: int) -> str:
    """The shortest way to write ``seconds`` (3600 → 1h, 5400 → 1h30m)."""
    if seconds == 0:
        return "0s"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return "".join(f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (secs, "s")) if n)
