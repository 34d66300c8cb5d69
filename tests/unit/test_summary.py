"""`sfnc validate --summary`: the outline a reader checks the pipeline against."""

from __future__ import annotations

from pathlib import Path

import pytest

from sfnc import model
from sfnc.api import validate_pipeline
from sfnc.summary import counts, one_line, outline
from tests.unit.stub_repo import make_repo

SEED_OUTLINE = """\
flask-webapp: Test, scan and deploy the Flask web app on every change to main.
  file      pipelines/flask-webapp.yaml
  source    github acme/flask-webapp @ main
  stages    7 stages, 1 group, 2 functions
    ├─ ParallelValidation  (parallel, 2 members)
    │  ├─ UnitTests               build    buildspecs/unit-tests.yml  (small, 20m)
    │  └─ StaticCodeAnalysis      build    buildspecs/static-analysis.yml  (small, 20m)
    ├─ BuildFeatureImage          build    buildspecs/build-image.yml  (small, 20m, privileged, ecr:push)
    ├─ RunSecurityScans           build    buildspecs/security-scans.yml  (small, 20m, ecr:pull)
    ├─ RunIntegrationTests        build    buildspecs/integration-tests.yml  (small, 20m)
    ├─ MarkPRReadyForMerge        function mark_pr_ready
    └─ DeployToEC2                build    buildspecs/deploy-ec2.yml  (small, 30m, ec2:deploy)
  on failure  call notify_failure, then stop
  function  notify_failure  (lambdas/notify_failure, python3.12)
  function  mark_pr_ready  (lambdas/mark_pr_ready, python3.12; secrets: github-token)
  target    ec2 t3.micro, port 80 from 0.0.0.0/0"""  # noqa: E501 - the lines as printed


def pipeline_at(root: Path, monkeypatch: pytest.MonkeyPatch,
                text: str | None = None) -> model.Pipeline:
    make_repo(root, text)
    monkeypatch.chdir(root)
    result = validate_pipeline("pipelines/flask-webapp.yaml")
    assert result.ok, result.diagnostics
    assert result.pipeline is not None
    return result.pipeline


def test_outline_of_the_seed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert outline(pipeline_at(tmp_path, monkeypatch)) == SEED_OUTLINE


def test_counts_of_the_seed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline = pipeline_at(tmp_path, monkeypatch)
    assert counts(pipeline) == (7, 1, 2)
    assert one_line(pipeline) == "7 stages, 1 group, 2 functions"


def test_singular_words_and_nested_groups(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    text = """\
version: 1
name: tiny
source: {codecommit: tiny}
stages:
  - parallel: Outer
    stages:
      - {name: A, build: buildspecs/unit-tests.yml, compute: large, timeout: 1h30m}
      - parallel: Inner
        stages:
          - {name: B, build: buildspecs/unit-tests.yml}
          - {name: C, build: buildspecs/unit-tests.yml}
"""
    pipeline = pipeline_at(tmp_path, monkeypatch, text)
    assert one_line(pipeline) == "3 stages, 2 groups, 0 functions"
    assert outline(pipeline).splitlines()[3:] == [
        "  stages    3 stages, 2 groups, 0 functions",
        "    └─ Outer  (parallel, 2 members)",
        "       ├─ A         build    buildspecs/unit-tests.yml  (large, 1h30m)",
        "       └─ Inner  (parallel, 2 members)",
        "          ├─ B      build    buildspecs/unit-tests.yml  (small, 1h)",
        "          └─ C      build    buildspecs/unit-tests.yml  (small, 1h)",
    ]
