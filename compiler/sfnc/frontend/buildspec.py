"""Checks a CodeBuild buildspec (version 0.2) before CodeBuild would reject it.

CodeBuild reports a malformed buildspec only once a build starts, minutes into
a run. The checks here cover what breaks builds in practice: the version,
phase names, `commands` that are not lists of strings (an unquoted
`- echo a: b` is a mapping), and misspelt keys — each located in the buildspec.
"""

from __future__ import annotations

from pathlib import Path

from sfnc.diagnostics import Diagnostic, did_you_mean, error
from sfnc.frontend.source import read_source
from sfnc.frontend.yamlpos import YMap, YNode, YScalar, YSeq, parse

TOP_KEYS = ("version", "run-as", "env", "proxy", "batch", "phases", "reports", "artifacts",
            "cache")
PHASES = ("install", "pre_build", "build", "post_build")
PHASE_KEYS = ("run-as", "on-failure", "runtime-versions", "commands", "finally")
ENV_KEYS = ("shell", "variables", "parameter-store", "secrets-manager", "exported-variables",
            "git-credential-helper")
ON_FAILURE = ("ABORT", "CONTINUE", "RETRY")


def _on_failure_ok(value: str) -> bool:
    # RETRY-<count>, RETRY-<regex> and RETRY-<count>-<regex> are RETRY variants.
    return value in ON_FAILURE or value.startswith("RETRY-")


class _Checker:
    def __init__(self, display: str) -> None:
        self.display = display
        self.found: list[Diagnostic] = []

    def bad(self, node: YNode, message: str, hint: str | None = None) -> None:
        self.found.append(error("SFN402", message, self.display, node.span, hint))

    def keys(self, node: YMap, allowed: tuple[str, ...], where: str) -> None:
        for name, (key, _) in node.entries.items():
            if name not in allowed:
                self.bad(key, f"unknown key `{name}` in {where}",
                         did_you_mean(name, allowed) or f"allowed: {', '.join(allowed)}")

    def commands(self, node: YNode, where: str) -> None:
        if not isinstance(node, YSeq):
            self.bad(node, f"`{where}` must be a list of commands")
            return
        for item in node.items:
            if isinstance(item, YMap):
                self.bad(item, f"a command in `{where}` was read as a mapping because it "
                         "contains `: `", hint="quote the whole command")
            elif not isinstance(item, YScalar) or item.value is None:
                self.bad(item, f"each entry of `{where}` must be a command string")

    def phases(self, node: YNode) -> None:
        if not isinstance(node, YMap):
            self.bad(node, "`phases` must be a mapping of phase names")
            return
        self.keys(node, PHASES, "phases")
        for name, (_, phase) in node.entries.items():
            if name not in PHASES:
                continue
            if not isinstance(phase, YMap):
                self.bad(phase, f"phase `{name}` must be a mapping with `commands`")
                continue
            self.keys(phase, PHASE_KEYS, f"phase `{name}`")
            # An install phase may only pin runtimes (AWS's own examples do that).
            if "commands" not in phase.entries and not (
                    name == "install" and "runtime-versions" in phase.entries):
                self.bad(phase, f"phase `{name}` has no `commands`")
            for key in ("commands", "finally"):
                value = phase.get(key)
                if value is not None:
                    self.commands(value, f"{name}.{key}")
            failure = phase.get("on-failure")
            if isinstance(failure, YScalar) and not _on_failure_ok(str(failure.value)):
                self.bad(failure, f"`on-failure` is {failure.raw!r}; use one of "
                         f"{', '.join(ON_FAILURE)} (RETRY may take a count and a pattern: "
                         "RETRY-3, RETRY-3-<regex>)")

    def env(self, node: YNode) -> None:
        if not isinstance(node, YMap):
            self.bad(node, "`env` must be a mapping")
            return
        self.keys(node, ENV_KEYS, "env")
        for name in ("variables", "parameter-store", "secrets-manager"):
            section = node.get(name)
            if section is None:
                continue
            if not isinstance(section, YMap):
                self.bad(section, f"`env.{name}` must be a mapping of NAME: value")
                continue
            for var, (_, value) in section.entries.items():
                if not isinstance(value, YScalar):
                    self.bad(value, f"`env.{name}.{var}` must be a single value")

    def document(self, root: YNode) -> None:
        if not isinstance(root, YMap):
            self.bad(root, "a buildspec is a mapping with `version` and `phases`")
            return
        self.keys(root, TOP_KEYS, "the buildspec")
        version = root.get("version")
        if version is None:
            self.bad(root, "the buildspec has no `version`", hint="add `version: 0.2`")
        elif not (isinstance(version, YScalar) and str(version.raw).strip("'\"") == "0.2"):
            self.found.append(error("SFN401", f"buildspec version {getattr(version, 'raw', '?')}"
                                    " is not supported; use 0.2", self.display, version.span))
        phases = root.get("phases")
        if phases is None:
            self.bad(root, "the buildspec has no `phases`")
        else:
            self.phases(phases)
        if (env := root.get("env")) is not None:
            self.env(env)
        for section in ("reports", "artifacts", "cache"):
            value = root.get(section)
            if value is not None and not isinstance(value, YMap):
                self.bad(value, f"`{section}` must be a mapping")


def check_buildspec(path: Path, display: str) -> list[Diagnostic]:
    source, problems = read_source(path, display)
    if source is None:
        return problems
    root, problems = parse(source, kind="buildspec")
    if root is None:
        return problems
    checker = _Checker(display)
    checker.document(root)
    return [*problems, *checker.found]
