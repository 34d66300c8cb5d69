"""Container health probe: exit 0 when /healthz answers ``status: ok``.

Uses only the standard library so the slim image needs no curl.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request


def main() -> int:
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8080')}/healthz"
    try:
        # The URL is fixed to loopback http above, so no file:// or remote scheme can sneak in.
        with urllib.request.urlopen(url, timeout=2) as response:  # nosec B310
            body = json.load(response)
    except (OSError, ValueError) as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    if body.get("status") != "ok":
        print(f"unhealthy: {body!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
