"""The language reference and the diagnostics page stay complete and their links resolve."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sfnc import permissions
from sfnc.frontend.schema_check import RESERVED_KEYS
from sfnc.naming import RESERVED_STATE_NAMES

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
LANGUAGE = (DOCS / "language.md").read_text(encoding="utf-8")
SCHEMA: dict[str, Any] = json.loads((REPO / "schemas" / "pipeline.schema.json").read_text())


def _property_names(node: Any) -> set[str]:
    names: set[str] = set()
    if isinstance(node, dict):
        names |= set(node.get("properties", {}))
        for child in node.values():
            names |= _property_names(child)
    elif isinstance(node, list):
        for child in node:
            names |= _property_names(child)
    return names


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to -."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_key_of_the_schema_is_in_the_language_reference() -> None:
    missing = sorted(name for name in _property_names(SCHEMA) if f"`{name}`" not in LANGUAGE)
    assert missing == []


def test_every_permission_bundle_and_reserved_name_is_documented() -> None:
    for bundle in [*permissions.BUNDLES, "secrets:<name>"]:
        assert f"`{bundle}`" in LANGUAGE
    for name in RESERVED_STATE_NAMES:
        assert f"`{name}`" in LANGUAGE
    for key in RESERVED_KEYS:
        assert f"`{key}" in LANGUAGE  # `needs:`, `if:`, `concurrency:` …


def test_links_between_the_docs_resolve() -> None:
    for page in DOCS.glob("*.md"):
        text = page.read_text(encoding="utf-8")
        for target, fragment in re.findall(r"\]\(([\w./-]*?)(?:#([\w-]+))?\)", text):
            if target.startswith("http") or (not target and not fragment):
                continue
            linked = (page.parent / target) if target else page
            assert linked.exists(), f"{page.name}: {target} does not exist"
            if fragment and linked.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", linked.read_text(encoding="utf-8"),
                                      flags=re.MULTILINE)
                assert fragment in {_anchor(h) for h in headings}, \
                    f"{page.name}: #{fragment} is no heading of {linked.name}"
