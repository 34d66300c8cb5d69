"""Print the JSON Schema (draft 2020-12) of the pipeline language.

Point your editor at it, or start a pipeline file with:
  # yaml-language-server: $schema=<path>/pipeline.schema.json
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources

HELP = "print the pipeline JSON Schema"


def configure(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace) -> int:
    del args
    sys.stdout.write(resources.files("sfnc").joinpath("schema/pipeline.schema.json")
                     .read_text("utf-8"))
    return 0
