from __future__ import annotations

import argparse
import sys
from importlib import resources


def run(args: argparse.Namespace) -> int:
    del args
    sys.stdout.write(resources.files("sfnc").joinpath("schema/pipeline.schema.json")
                     .read_text("utf-8"))
    return 0
