"""Throwaway repositories holding a pipeline, its buildspecs and a Lambda function.

The pipeline has no `target` and no image permissions on purpose: moto names
an ECR repository after the stack and logical id with capitals, which its own
ECR then rejects, so the seed pipeline cannot be executed on moto (see
test_deploy_moto.py, which shows this).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CONNECTION = "arn:aws:codeconnections:us-east-1:123456789012:connection/0a1b2c3d"
SECRET = "hunter2-do-not-print-me"  # the value of the NoEcho parameter DeployToken

BUILDSPEC = """\
version: 0.2
phases:
  build:
    commands:
      - echo "stage $SFNC_STAGE"
"""

HANDLER = """\
def handler(event, context):
    return {"ok": True, "version": VERSION}


VERSION = 1
"""


def pipeline_yaml(name: str, build_stages: int, description: str) -> str:
    stages = "\n".join(f"  - {{name: Stage{i:02d}, build: buildspecs/stage.yml}}"
                       for i in range(1, build_stages + 1))
    return f"""\
version: 1
name: {name}
description: {description}
source:
  github: acme/{name}
  branch: main
  connection: ${{GitHubConnectionArn}}
parameters:
  GitHubConnectionArn: {{description: connection to GitHub}}
  DeployToken: {{description: a secret the builds use, no_echo: true}}
env:
  DEPLOY_TOKEN: ${{DeployToken}}
stages:
{stages}
  - {{name: Notify, function: notify}}
functions:
  notify: {{code: lambdas/notify}}
"""


@dataclass
class SampleRepo:
    root: Path

    @property
    def pipeline(self) -> Path:
        return self.root / "pipeline.yaml"

    @property
    def code(self) -> Path:
        return self.root / "lambdas" / "notify"

    @classmethod
    def create(cls, root: Path, build_stages: int = 1, name: str = "deploy-test") -> SampleRepo:
        (root / ".git").mkdir(parents=True)
        (root / "buildspecs").mkdir()
        (root / "buildspecs" / "stage.yml").write_text(BUILDSPEC)
        repo = cls(root)
        repo.code.mkdir(parents=True)
        (repo.code / "handler.py").write_text(HANDLER)
        repo.write_pipeline(build_stages, name=name)
        return repo

    def write_pipeline(self, build_stages: int, name: str = "deploy-test",
                       description: str = "A pipeline for the deploy tests") -> None:
        self.pipeline.write_text(pipeline_yaml(name, build_stages, description))

    def change_code(self, version: int) -> None:
        (self.code / "handler.py").write_text(HANDLER.replace("VERSION = 1",
                                                              f"VERSION = {version}"))
