"""Options several commands share, defined once so they read the same everywhere."""

from __future__ import annotations

import argparse

from sfnc.report import FORMATS


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="pretty",
                        help="how diagnostics are printed. pretty: source line and caret, "
                             "coloured on a terminal (NO_COLOR turns colour off); parseable: "
                             "path:line:col: severity CODE: message; json: one object for "
                             "tools (default: pretty)")


def add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", metavar="DIR",
                        help="repository root that `build:` and `code:` paths are relative "
                             "to (default: the nearest folder above the file holding .git)")
