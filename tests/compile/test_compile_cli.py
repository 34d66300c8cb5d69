"""`sfnc compile` as a user runs it: a real process, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "pipelines" / "flask-webapp.yaml"


def sfnc(*args: str, cwd: Path = REPO, seed: str = "0") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "sfnc", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_writes_template_and_definition_and_summarises(tmp_path: Path) -> None:
    result = sfnc("compile", str(SEED), "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    template = json.loads((tmp_path / "flask-webapp.template.json").read_text())
    definition = json.loads((tmp_path / "flask-webapp.asl.json").read_text())
    assert template["Resources"]["StateMachine"]["Type"] == "AWS::StepFunctions::StateMachine"
    assert definition["StartAt"] == "SetInputParameters"
    assert "AWS::CodeBuild::Project" in result.stdout
    assert "fits inline" in result.stdout
    assert "Traceback" not in result.stderr


def test_output_is_byte_for_byte_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert sfnc("compile", str(SEED), "-o", str(first), seed="1").returncode == 0
    # Another hash seed and another working directory: still the same bytes.
    assert sfnc("compile", "pipelines/flask-webapp.yaml", "-o", str(second), seed="2",
                cwd=REPO).returncode == 0
    for name in ("flask-webapp.template.json", "flask-webapp.asl.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_yaml_template_holds_the_same_document(tmp_path: Path) -> None:
    assert sfnc("compile", str(SEED), "-o", str(tmp_path), "--format", "yaml",
                "-q").returncode == 0
    assert sfnc("compile", str(SEED), "-o", str(tmp_path), "-q").returncode == 0
    as_yaml = yaml.safe_load((tmp_path / "flask-webapp.template.yaml").read_text())
    as_json = json.loads((tmp_path / "flask-webapp.template.json").read_text())
    assert as_yaml == as_json


def test_invalid_pipeline_writes_nothing_and_keeps_old_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    old = out / "flask-webapp.template.json"
    old.write_text("previous output")
    broken = tmp_path / "pipeline.yaml"
    broken.write_text(SEED.read_text().replace("name: flask-webapp",
                                               "name: flask-webapp\nbogus: 1"))
    result = sfnc("compile", str(broken), "-o", str(out), "--root", str(REPO),
                  "--diagnostics", "parseable")
    assert result.returncode == 1
    assert f"{broken}:" in result.stdout
    assert "SFN201" in result.stdout
    assert "nothing written" in result.stderr
    assert old.read_text() == "previous output"
    assert sorted(p.name for p in out.iterdir()) == ["flask-webapp.template.json"]


def test_output_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "build"
    target.write_text("keep me")
    result = sfnc("compile", str(SEED), "-o", str(target))
    assert result.returncode == 1
    assert "is a file" in result.stderr
    assert target.read_text() == "keep me"


def test_every_example_pipeline_compiles(tmp_path: Path) -> None:
    examples = sorted((REPO / "pipelines").glob("*.y*ml"))
    assert examples
    result = sfnc("compile", *map(str, examples), "-o", str(tmp_path), "-q")
    assert result.returncode == 0, result.stdout + result.stderr
