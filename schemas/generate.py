"""Writes schemas/pipeline.schema.json and the packaged copy from one Python description.

The schema is data, but writing it in Python lets shared pieces (durations,
names, env maps) be defined once. Run `make schema` after editing; a test
checks both files equal this script's output.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGETS = [ROOT / "schemas" / "pipeline.schema.json",
           ROOT / "compiler" / "sfnc" / "schema" / "pipeline.schema.json"]

DURATION = {
    "type": "string",
    "pattern": "^(?=[0-9])([0-9]+h)?([0-9]+m)?([0-9]+s)?$",
    "x-hint": "write a number with a unit: 90s, 20m, 1h, 1h30m",
}


def duration(description: str, examples: list[str]) -> dict[str, Any]:
    return {"description": description, **DURATION, "examples": examples}


def env_map(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "type": "object",
        "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
                          "x-hint": "environment variable names use letters, digits and _"},
        "additionalProperties": {
            "description": "The value; numbers and booleans are passed as text.",
            "type": ["string", "number", "boolean"],
        },
        "examples": [{"APP_NAME": "flask-webapp"}],
    }


def secret_list(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "type": "array",
        "uniqueItems": True,
        "items": {"type": "string", "pattern": "^[a-z][a-z0-9-]{0,63}$",
                  "description": "A name from the top-level `secrets` map."},
        "examples": [["github-token"]],
    }


def permissions(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "type": "array",
        "uniqueItems": True,
        "items": {
            "type": "string",
            "description": "A permission bundle: ecr:push, ecr:pull, ec2:deploy, "
                           "artifacts:read, artifacts:write, notifications:publish, "
                           "codecommit:pull-requests, or secrets:<name>.",
            "examples": ["ecr:push", "ecr:pull", "ec2:deploy", "artifacts:read",
                         "artifacts:write", "notifications:publish",
                         "codecommit:pull-requests", "secrets:github-token"],
        },
        "examples": [["ecr:push"]],
    }


STAGE_NAME = {
    "description": "The state name shown in the Step Functions console; also the stem "
                   "of the stage's resource names. Unique in the pipeline, at most 80 "
                   "characters of A-Z, a-z, 0-9, _ and -.",
    "type": "string",
    # Length apart from the characters, so that each mistake gets its own message.
    "pattern": "^[A-Za-z0-9_-]+$",
    "maxLength": 80,
    "x-hint": "use only letters, digits, _ and -; no spaces",
    "examples": ["UnitTests"],
}

RETRY = {
    "description": "Run a failed stage again. `attempts` is how many retries follow the "
                   "first failure (0: never), waiting `interval`, then `interval` times "
                   "`backoff` for each further retry.",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "attempts": {"description": "Retries after the first failure (0 to 10).",
                     "type": "integer", "minimum": 0, "maximum": 10, "default": 0},
        "interval": duration("Wait before the first retry (1s to 1h).", ["10s"]),
        "backoff": {"description": "Multiplier applied to the wait before each further "
                                   "retry (1 to 10).",
                    "type": "number", "minimum": 1, "maximum": 10, "default": 2},
    },
    "examples": [{"attempts": 2, "interval": "10s", "backoff": 2}],
}

COMPUTE = {
    "description": "CodeBuild compute size: small (3 GB, 2 vCPU), medium (7 GB, 4 vCPU), "
                   "large (15 GB, 8 vCPU), xlarge, 2xlarge.",
    "enum": ["small", "medium", "large", "xlarge", "2xlarge"],
    "default": "small",
}

IMAGE = {
    "description": "The build image: a CodeBuild curated image (aws/codebuild/…), an "
                   "image in a public registry, or a private ECR image URI.",
    "type": "string",
    "minLength": 1,
    "examples": ["aws/codebuild/amazonlinux-x86_64-standard:5.0",
                 "aws/codebuild/amazonlinux-aarch64-standard:3.0"],
}

COMMON_STAGE = {
    "name": STAGE_NAME,
    "description": {"description": "What the stage does, for readers of the file.",
                    "type": "string"},
    "timeout": duration("How long the stage may run. Builds: 5m to 36h (whole minutes); "
                        "functions: 1s to 15m.", ["20m"]),
    "retry": RETRY,
}

BUILD_STAGE = {
    "description": "A CodeBuild run of a buildspec from the repository.",
    "type": "object",
    "required": ["name", "build"],
    "additionalProperties": False,
    "properties": {
        **COMMON_STAGE,
        "build": {"description": "Path of the buildspec (version 0.2) relative to the "
                                 "repository root.",
                  "type": "string", "minLength": 1,
                  "examples": ["buildspecs/unit-tests.yml"]},
        "image": IMAGE,
        "compute": COMPUTE,
        "permissions": permissions("Extra AWS permissions the build needs, as named "
                                   "bundles that expand to scoped IAM statements."),
        "privileged": {"description": "Run the build container privileged, which docker "
                                      "builds need. Off unless asked for.",
                       "type": "boolean", "default": False},
        "env": env_map("Environment for this stage, added to the pipeline's `env`."),
        "secrets": secret_list("Secrets exposed to the build as environment variables "
                               "named after the secret (github-token → GITHUB_TOKEN)."),
    },
    "examples": [{"name": "UnitTests", "build": "buildspecs/unit-tests.yml"}],
}

FUNCTION_STAGE = {
    "description": "An invocation of one of the pipeline's Lambda functions.",
    "type": "object",
    "required": ["name", "function"],
    "additionalProperties": False,
    "properties": {
        **COMMON_STAGE,
        "function": {"description": "A function name from the top-level `functions` map.",
                     "type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}$",
                     "examples": ["mark_pr_ready"]},
    },
    "examples": [{"name": "MarkPRReadyForMerge", "function": "mark_pr_ready"}],
}

GROUP = {
    "description": "A parallel group: its members run side by side; the group succeeds "
                   "when all of them do. Members may be stages or nested groups.",
    "type": "object",
    "required": ["parallel", "stages"],
    "additionalProperties": False,
    "properties": {
        "parallel": {**STAGE_NAME, "description": "The group's name (a Parallel state in "
                     "the console). Same rules as stage names.",
                     "examples": ["ParallelValidation"]},
        "description": {"description": "What the group is for.", "type": "string"},
        "stages": {"description": "The members, run side by side.",
                   "type": "array", "minItems": 1,
                   "items": {"$ref": "#/$defs/step"}},
    },
    "examples": [{"parallel": "ParallelValidation", "stages": [
        {"name": "UnitTests", "build": "buildspecs/unit-tests.yml"},
        {"name": "StaticCodeAnalysis", "build": "buildspecs/static-analysis.yml"}]}],
}

STEP = {
    "description": "A stage (`build` or `function`) or a parallel group (`parallel`).",
    "type": "object",
    "if": {"required": ["parallel"]},
    "then": {"$ref": "#/$defs/group"},
    "else": {
        "if": {"required": ["function"]},
        "then": {"$ref": "#/$defs/functionStage"},
        "else": {"$ref": "#/$defs/buildStage"},
    },
}

FUNCTION = {
    "description": "A Lambda function whose code lives in the repository.",
    "type": "object",
    "required": ["code"],
    "additionalProperties": False,
    "properties": {
        "code": {"description": "Folder with the function's code, relative to the "
                                "repository root; it is zipped whole.",
                 "type": "string", "minLength": 1, "examples": ["lambdas/notify_failure"]},
        "handler": {"description": "module.function inside the code folder.",
                    "type": "string",
                    "pattern": "^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+$",
                    "default": "handler.handler"},
        "runtime": {"description": "The Lambda runtime.",
                    "enum": ["python3.12", "python3.13"], "default": "python3.12"},
        "memory": {"description": "Memory in MB (128 to 10240).",
                   "type": "integer", "minimum": 128, "maximum": 10240, "default": 128},
        "timeout": duration("Longest run of one invocation (1s to 15m).", ["30s"]),
        "description": {"description": "What the function does.", "type": "string"},
        "env": env_map("Environment variables of the function."),
        "secrets": secret_list("Secrets the function may read; each arrives as "
                               "SFNC_SECRET_<NAME> holding the reference, never the value."),
        "permissions": permissions("Extra AWS permissions the function needs."),
    },
    "examples": [{"code": "lambdas/mark_pr_ready", "secrets": ["github-token"]}],
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:sfnc:pipeline:v1",
    "title": "sfnc pipeline",
    "description": "A CI/CD pipeline that sfnc compiles to an AWS Step Functions state "
                   "machine and one CloudFormation template. Reference: docs/language.md.",
    "type": "object",
    "required": ["version", "name", "source", "stages"],
    "additionalProperties": False,
    "properties": {
        "version": {"description": "The pipeline language version. Only 1 exists.",
                    "const": 1},
        "name": {"description": "The pipeline's name: lower-case letters, digits and -, "
                                "at most 40 characters. Names the state machine, the "
                                "CodePipeline and the image repository.",
                 "type": "string", "pattern": "^[a-z][a-z0-9-]{0,39}$",
                 "x-hint": "use lower-case letters, digits and -, starting with a letter",
                 "examples": ["flask-webapp"]},
        "description": {"description": "One line on what the pipeline does.",
                        "type": "string", "maxLength": 1024},
        "source": {
            "description": "The repository and branch whose changes start the pipeline.",
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "github": {"description": "A GitHub repository as owner/name, reached "
                                          "through a CodeConnections connection.",
                           "type": "string",
                           "pattern": "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$",
                           "x-hint": "write owner/name, e.g. acme/flask-webapp",
                           "examples": ["acme/flask-webapp"]},
                "codecommit": {"description": "A CodeCommit repository name in the "
                                              "same account and region.",
                               "type": "string", "pattern": "^[A-Za-z0-9_.-]{1,100}$",
                               "examples": ["flask-webapp"]},
                "branch": {"description": "The branch that triggers the pipeline.",
                           "type": "string", "minLength": 1, "default": "main"},
                "connection": {"description": "ARN of the CodeConnections connection to "
                                              "GitHub; usually ${SomeParameter}.",
                               "type": "string", "minLength": 1,
                               "examples": ["${GitHubConnectionArn}"]},
            },
            "oneOf": [{"required": ["github"]}, {"required": ["codecommit"]}],
            "if": {"required": ["github"]},
            "then": {"required": ["connection"]},
            "examples": [{"github": "acme/flask-webapp", "branch": "main",
                          "connection": "${GitHubConnectionArn}"}],
        },
        "parameters": {
            "description": "Values supplied at deploy time; each becomes a CloudFormation "
                           "parameter that strings can use as ${Name}.",
            "type": "object",
            "propertyNames": {"pattern": "^[A-Za-z][A-Za-z0-9]{0,254}$",
                              "x-hint": "parameter names use letters and digits only"},
            "additionalProperties": {
                "description": "One parameter: what it is for and which values it takes.",
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "description": {"description": "Shown when the stack is deployed.",
                                    "type": "string"},
                    "default": {"description": "Used when no value is given.",
                                "type": ["string", "number"]},
                    "allowed_values": {"description": "The only values accepted.",
                                       "type": "array", "minItems": 1,
                                       "items": {"description": "An accepted value.",
                                                 "type": ["string", "number"]}},
                    "no_echo": {"description": "Hide the value in the console and API "
                                               "output.", "type": "boolean"},
                },
            },
            "examples": [{"GitHubConnectionArn": {"description": "CodeConnections "
                                                  "connection to GitHub"}}],
        },
        "defaults": {
            "description": "Settings every build stage uses unless it sets its own.",
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "image": IMAGE,
                "compute": COMPUTE,
                "timeout": duration("Build timeout (5m to 36h, whole minutes). "
                                    "Default 60m.", ["20m"]),
                "retry": RETRY,
            },
        },
        "env": env_map("Plain environment variables for every build stage."),
        "stages": {"description": "The pipeline's stages and parallel groups, run top to "
                                  "bottom; the first failure stops the run.",
                   "type": "array", "minItems": 1, "items": {"$ref": "#/$defs/step"}},
        "on_failure": {
            "description": "What happens when a stage fails: the function is called with "
                           "the failure, then the execution fails.",
            "type": "object",
            "required": ["function"],
            "additionalProperties": False,
            "properties": {"function": {"description": "A function from `functions`.",
                                        "type": "string",
                                        "pattern": "^[a-z][a-z0-9_]{0,39}$"}},
        },
        "functions": {
            "description": "The pipeline's Lambda functions, by name (lower-case letters, "
                           "digits and _).",
            "type": "object",
            "propertyNames": {"pattern": "^[a-z][a-z0-9_]{0,39}$",
                              "x-hint": "function names use lower-case letters, digits "
                                        "and _, starting with a letter"},
            "additionalProperties": {"$ref": "#/$defs/function"},
        },
        "secrets": {
            "description": "Named references to secrets in Secrets Manager "
                           "(secretsmanager:<id>) or Parameter Store (ssm:<name>). Only the "
                           "reference is ever written out, never the value.",
            "type": "object",
            "propertyNames": {"pattern": "^[a-z][a-z0-9-]{0,63}$",
                              "x-hint": "secret names use lower-case letters, digits "
                                        "and -"},
            "additionalProperties": {
                "description": "Where the secret lives: secretsmanager:<secret name or ARN> "
                               "or ssm:<parameter name>.",
                "type": "string",
                "pattern": "^(secretsmanager:[A-Za-z0-9/_+=.@:-]+|ssm:/?[A-Za-z0-9/_.-]+)$",
                "x-hint": "write secretsmanager:<secret name> or ssm:<parameter name>",
            },
            "examples": [{"github-token": "secretsmanager:flask-webapp/github-token"}],
        },
        "notifications": {
            "description": "Who hears about failures.",
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "email": {"description": "An address subscribed to the notification "
                                         "topic; an empty value (for example an empty "
                                         "parameter) subscribes nobody.",
                          "type": "string", "examples": ["${AlertEmail}"]},
            },
        },
        "target": {
            "description": "Where the application is deployed.",
            "type": "object",
            "additionalProperties": False,
            "required": ["ec2"],
            "properties": {
                "ec2": {
                    "description": "One EC2 instance (Amazon Linux 2023) running the "
                                   "app's container.",
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["instance_type", "allow_from"],
                    "properties": {
                        "instance_type": {"description": "The EC2 instance type.",
                                          "type": "string",
                                          "pattern": "^[a-z][a-z0-9-]*\\.[a-z0-9]+$",
                                          "examples": ["t3.micro"]},
                        "port": {"description": "The port the instance serves on.",
                                 "type": "integer", "minimum": 1, "maximum": 65535,
                                 "default": 80},
                        "container_port": {"description": "The port the app listens on "
                                                          "inside its container.",
                                           "type": "integer", "minimum": 1,
                                           "maximum": 65535, "default": 8080},
                        "allow_from": {"description": "The IPv4 CIDR range allowed to "
                                                      "reach the port.",
                                       "type": "string",
                                       "pattern": "^([0-9]{1,3}\\.){3}[0-9]{1,3}/[0-9]{1,2}$",
                                       "x-hint": "write an IPv4 CIDR such as 203.0.113.0/24",
                                       "examples": ["0.0.0.0/0"]},
                    },
                },
            },
        },
    },
    "$defs": {
        "step": STEP,
        "group": GROUP,
        "buildStage": BUILD_STAGE,
        "functionStage": FUNCTION_STAGE,
        "function": FUNCTION,
    },
}


def render() -> str:
    return json.dumps(SCHEMA, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    text = render()
    for target in TARGETS:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    print(f"wrote {', '.join(str(t.relative_to(ROOT)) for t in TARGETS)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
