"""Least privilege, checked on every golden template rather than trusted."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from sfnc import model, permissions
from sfnc.backends import iam

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((REPO / "tests" / "golden").glob("*/template.json"))


def _allow_statements(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for logical_id, resource in template["Resources"].items():
        props = resource.get("Properties", {})
        documents = [p["PolicyDocument"] for p in props.get("Policies", [])]
        for document in documents:
            found += [(logical_id, s) for s in document["Statement"] if s["Effect"] == "Allow"]
    return found


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.parent.name)
def test_no_wildcard_actions_and_star_resources_only_where_unavoidable(path: Path) -> None:
    statements = _allow_statements(json.loads(path.read_text()))
    assert statements, "every template grants something"
    for role, statement in statements:
        actions = _as_list(statement["Action"])
        for action in actions:
            assert action != "*", role
            assert not action.endswith(":*"), f"{role}: {action}"
        if "*" in _as_list(statement["Resource"]):
            unscoped = [a for a in actions if a not in iam.STAR_ACTIONS]
            assert unscoped == [], f"{role} grants {unscoped} on every resource"


def test_every_star_action_is_documented() -> None:
    doc = (REPO / "docs" / "iam.md").read_text()
    for action, reason in iam.STAR_ACTIONS.items():
        assert action in doc, f"docs/iam.md does not explain why {action} needs Resource *"
        assert reason


def test_every_bundle_expands_to_scoped_statements() -> None:
    pipeline = model.Pipeline(
        name="p", source=model.Source("codecommit", "repo"), stages=(),
        secrets=(model.Secret("token", "secretsmanager", "app/token"),
                 model.Secret("param", "ssm", "/app/param")),
        target=model.Ec2Target("t3.micro", "10.0.0.0/8"))
    names = [*permissions.BUNDLES, "secrets:token", "secrets:param"]
    for name in names:
        statements = iam.bundle(name, pipeline)
        assert statements, name
        for statement in statements:
            if "*" in statement["Resource"]:
                assert all(a in iam.STAR_ACTIONS for a in statement["Action"]), name


def test_secret_arns_match_what_each_service_issues() -> None:
    managed = iam.secret_arn(model.Secret("t", "secretsmanager", "app/token"))
    assert managed == {"Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:"
                                  "${AWS::AccountId}:secret:app/token-??????"}
    parameter = iam.secret_arn(model.Secret("p", "ssm", "/ci/npm-token"))
    assert parameter == {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:"
                                    "${AWS::AccountId}:parameter/ci/npm-token"}
    full = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:signing-AbCdEf"
    assert iam.secret_arn(model.Secret("s", "secretsmanager", full)) == full


def test_state_machine_may_start_only_this_stacks_projects() -> None:
    template = json.loads((REPO / "tests/golden/wide-group/template.json").read_text())
    role = template["Resources"]["StateMachineRole"]["Properties"]["Policies"][0]
    codebuild = [s for s in role["PolicyDocument"]["Statement"]
                 if "codebuild:StartBuild" in s["Action"]]
    assert codebuild[0]["Resource"] == [{"Fn::Sub": "arn:${AWS::Partition}:codebuild:"
                                         "${AWS::Region}:${AWS::AccountId}:project/"
                                         "${AWS::StackName}_*"}]
    names = [r["Properties"]["Name"]["Fn::Sub"] for r in template["Resources"].values()
             if r["Type"] == "AWS::CodeBuild::Project"]
    assert len(names) == 51
    # Stack names cannot contain "_", so the prefix belongs to this stack alone.
    assert all(re.fullmatch(r"\$\{AWS::StackName\}_[A-Za-z0-9-]+", n) for n in names)


def test_builds_with_equal_permissions_share_a_role() -> None:
    template = json.loads((REPO / "tests/golden/flask-webapp/template.json").read_text())
    roles = {r["Properties"]["ServiceRole"]["Fn::GetAtt"][0]
             for r in template["Resources"].values() if r["Type"] == "AWS::CodeBuild::Project"}
    assert roles == {"BuildRole", "BuildRoleEcrPush", "BuildRoleEcrPull", "BuildRoleEc2Deploy"}
