"""Every buildspec is well-formed, and uses only the environment the pipeline provides."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.buildspec_runner import BUILDSPECS, PHASES, REPO_ROOT, load

NAMES = [
    "unit-tests.yml",
    "static-analysis.yml",
    "build-image.yml",
    "security-scans.yml",
    "integration-tests.yml",
    "deploy-ec2.yml",
]
TOP_LEVEL = {"version", "env", "phases", "reports", "artifacts", "cache"}
ENV_KEYS = {"shell", "variables", "exported-variables"}
REPORT_FORMATS = {"JUNITXML", "CUCUMBERJSON", "TESTNGXML", "VISUALSTUDIOTRX", "NUNITXML"}

# The contract: what the compiled pipeline sets for every build ...
CONTRACT = {
    "SFNC_PIPELINE",
    "SFNC_STAGE",
    "SFNC_COMMIT",
    "SFNC_BRANCH",
    "SFNC_REPOSITORY",
    "SFNC_PULL_REQUEST",
    "SFNC_EXECUTION_ID",
    "APP_NAME",
}
# ... for stages holding a permission ...
BY_PERMISSION = {
    "ECR_REPOSITORY_URI": {"ecr:push", "ecr:pull", "ec2:deploy"},
    "TARGET_INSTANCE_ID": {"ec2:deploy"},
    "TARGET_URL": {"ec2:deploy"},
    "APP_PORT": {"ec2:deploy"},
    "CONTAINER_PORT": {"ec2:deploy"},
}
# ... what CodeBuild sets, and what buildspecs/scripts/sfnc-env.sh derives.
CODEBUILD = {
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "CODEBUILD_RESOLVED_SOURCE_VERSION",
    "CODEBUILD_SRC_DIR",
    "CODEBUILD_BUILD_SUCCEEDING",
}
DERIVED = {"IMAGE_TAG"}
KNOWN = CONTRACT | set(BY_PERMISSION) | CODEBUILD | DERIVED
SHELL_OWN = {"BASH_SOURCE", "HOME", "PATH", "PWD"}

VARIABLE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
SHELL_USE = re.compile(r"\$\{?([A-Z][A-Z0-9_]*)")
ASSIGNED = re.compile(r"(?:^|[\s;&|(])(?:export\s+)?([A-Z][A-Z0-9_]*)=")
REQUIRED = re.compile(r"sfnc_require((?:\s+[A-Z][A-Z0-9_]*)+)")
PY_USE = re.compile(r"""env(?:iron)?(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]*)["']""")
SCRIPT = re.compile(r"buildspecs/scripts/([\w.-]+)")
REQUIREMENTS = re.compile(r"-r\s+(\S+\.txt)")


def _commands(spec: dict[str, Any]) -> list[str]:
    phases = spec.get("phases") or {}
    return [
        c
        for block in phases.values()
        for key in ("commands", "finally")
        for c in block.get(key) or []
    ]


def _header(name: str) -> str:
    """The comment block that opens the buildspec."""
    lines = (BUILDSPECS / name).read_text().splitlines()
    end = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    return "\n".join(lines[:end])


def _optional(name: str) -> set[str]:
    """Variables under an "Optional:" heading: knobs for a developer, not pipeline inputs."""
    header = _header(name)
    if "# Optional:" not in header:
        return set()
    section = header.split("# Optional:", 1)[1]
    lines = section.splitlines()[1:]
    block = "\n".join(line for line in lines if line.startswith("#   "))
    return set(VARIABLE.findall(block))


def _used(name: str) -> set[str]:
    """Variables the buildspec's commands, and the scripts they call, read."""
    commands = "\n".join(_commands(load(name)))
    used = set(SHELL_USE.findall(commands))
    for match in REQUIRED.findall(commands):
        used.update(match.split())
    for script in set(SCRIPT.findall(commands)) - {"sfnc-env.sh"}:
        text = (BUILDSPECS / "scripts" / script).read_text()
        used.update(PY_USE.findall(text) if script.endswith(".py") else SHELL_USE.findall(text))
    return used


def _local(name: str) -> set[str]:
    spec = load(name)
    env = spec.get("env") or {}
    return (
        set(ASSIGNED.findall("\n".join(_commands(spec))))
        | set(env.get("variables") or {})
        | set(env.get("exported-variables") or [])
    )


@pytest.mark.parametrize("name", NAMES)
def test_shape(name: str) -> None:
    spec = load(name)
    text = (BUILDSPECS / name).read_text()

    assert set(spec) <= TOP_LEVEL
    assert re.search(r"^version: 0\.2$", text, re.MULTILINE), "version must be 0.2, unquoted"
    assert set(spec.get("env") or {}) <= ENV_KEYS
    assert (spec.get("env") or {}).get("shell") == "bash"
    for key, value in ((spec.get("env") or {}).get("variables") or {}).items():
        assert isinstance(value, str), f"{key}: CodeBuild wants string values"
    phases = spec["phases"]
    assert phases
    assert set(phases) <= set(PHASES)
    for phase, block in phases.items():
        assert set(block) <= {"commands", "finally"}, phase
        assert block["commands"], f"{phase} has no commands"
        for key in ("commands", "finally"):
            commands = block.get(key, [])
            assert isinstance(commands, list)
            assert all(isinstance(c, str) and c.strip() for c in commands), (phase, key)
    assert _commands(spec)[0] == ". buildspecs/scripts/sfnc-env.sh", "the environment comes first"


@pytest.mark.parametrize("name", NAMES)
def test_reports_and_cache(name: str) -> None:
    spec = load(name)

    for group, report in (spec.get("reports") or {}).items():
        assert re.fullmatch(r"[A-Za-z0-9_-]{2,128}", group)
        assert set(report) <= {"files", "base-directory", "file-format", "discard-paths"}
        assert report["file-format"] in REPORT_FORMATS
        assert report["files"]
        assert all(isinstance(f, str) for f in report["files"])
        # The commands must write where the report group reads.
        assert report["base-directory"] in "\n".join(_commands(spec)) + "\n".join(
            (BUILDSPECS / "scripts" / s).read_text()
            for s in SCRIPT.findall("\n".join(_commands(spec)))
        )
    for path in (spec.get("cache") or {}).get("paths", []):
        assert isinstance(path, str)


def test_reports_where_the_brief_wants_them() -> None:
    assert load("unit-tests.yml")["reports"]["unit-tests"]["file-format"] == "JUNITXML"
    assert "static-analysis" in load("static-analysis.yml")["reports"]
    assert "integration-tests" in load("integration-tests.yml")["reports"]


@pytest.mark.parametrize("name", NAMES)
def test_documented_environment_is_the_contract(name: str) -> None:
    documented = set(VARIABLE.findall(_header(name))) - _local(name) - _optional(name)

    assert documented <= KNOWN, f"documented but not provided: {documented - KNOWN}"
    assert set(VARIABLE.findall(_header(name))) >= CONTRACT, "every header lists the contract"


@pytest.mark.parametrize("name", NAMES)
def test_every_variable_used_is_documented(name: str) -> None:
    documented = set(VARIABLE.findall(_header(name)))
    undocumented = _used(name) - documented - _local(name) - SHELL_OWN

    assert not undocumented, f"used but not in the header: {sorted(undocumented)}"


def _seed_stages() -> list[dict[str, Any]]:
    pipeline = yaml.safe_load((REPO_ROOT / "pipelines" / "flask-webapp.yaml").read_text())
    found: list[dict[str, Any]] = []

    def walk(stages: list[dict[str, Any]]) -> None:
        for stage in stages:
            if "stages" in stage:
                walk(stage["stages"])
            else:
                found.append(stage)

    walk(pipeline["stages"])
    return found


@pytest.mark.skipif(
    not (REPO_ROOT / "pipelines" / "flask-webapp.yaml").exists(), reason="no seed pipeline"
)
def test_seed_pipeline_stages_get_the_variables_they_use() -> None:
    builds = [s for s in _seed_stages() if "build" in s]

    assert sorted(Path(s["build"]).name for s in builds) == sorted(NAMES)
    for stage in builds:
        name = Path(stage["build"]).name
        granted = set(stage.get("permissions") or [])
        for variable, permissions in BY_PERMISSION.items():
            if variable in _used(name) - _local(name):
                assert granted & permissions, (
                    f"{stage['name']} uses {variable} without {permissions}"
                )
    image = next(s for s in builds if s["build"].endswith("build-image.yml"))
    assert image.get("privileged") is True, "docker build needs privileged mode"


@pytest.mark.parametrize("name", NAMES)
def test_referenced_files_exist(name: str) -> None:
    commands = "\n".join(_commands(load(name)))

    for script in SCRIPT.findall(commands):
        assert (BUILDSPECS / "scripts" / script).is_file(), script
    for path in re.findall(r"-r\s+(\S+)", commands):
        assert (REPO_ROOT / path).is_file(), path


def test_scripts_are_valid_and_strict() -> None:
    for script in sorted((BUILDSPECS / "scripts").iterdir()):
        if script.suffix == ".py":
            compile(script.read_text(), str(script), "exec")
        elif script.suffix == ".sh":
            subprocess.run(["bash", "-n", str(script)], check=True)
            text = script.read_text()
            if script.name == "sfnc-env.sh":
                # Sourced into the build's shell: `set -e` there would end the build at
                # the first failing command, before CodeBuild can report it.
                assert not re.search(r"^\s*set\s+-\w*e", text, re.MULTILINE)
            else:
                assert "set -euo pipefail" in text, script.name


def test_requirements_are_pinned() -> None:
    files = [
        REPO_ROOT / "webapp" / "requirements.txt",
        REPO_ROOT / "webapp" / "requirements-dev.txt",
        REPO_ROOT / "lambdas" / "requirements-dev.txt",
        *sorted((BUILDSPECS / "requirements").glob("*.txt")),
    ]
    for path in files:
        for line in path.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("-r "):
                assert (path.parent / line[3:]).is_file(), (path, line)
                continue
            assert re.fullmatch(r"[A-Za-z0-9_.-]+(\[[a-z0-9,_-]+\])?==[0-9][0-9A-Za-z.]*", line), (
                f"{path.name}: {line!r} is not pinned with =="
            )
