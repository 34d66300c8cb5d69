"""Deterministic text for generated documents: same input, same bytes."""

from __future__ import annotations

import json
from typing import Any

import yaml


def pretty_json(document: Any, sort_keys: bool = True) -> str:
    return json.dumps(document, indent=2, sort_keys=sort_keys, ensure_ascii=False) + "\n"


def minified(document: Any) -> str:
    """The form CloudFormation receives and counts against its size limits."""
    return json.dumps(document, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def as_yaml(document: Any) -> str:
    # Intrinsic functions stay in their long form (Fn::Sub), which every YAML
    # reader understands without CloudFormation's short-form tags.
    dumped: str = yaml.safe_dump(document, sort_keys=True, default_flow_style=False,
                                 allow_unicode=True, width=100)
    return dumped


def definition_json(definition: Any) -> str:
    """The ASL keeps its construction order: states read top to bottom as they run."""
    return pretty_json(definition, sort_keys=False)
