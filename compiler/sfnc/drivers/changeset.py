"""Change sets: create one, wait until CloudFormation has worked it out, read its changes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sfnc.drivers.errors import DeployError, error_code, error_message
from sfnc.drivers.stack import ChangeSetType

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_cloudformation.literals import CapabilityType
    from mypy_boto3_cloudformation.type_defs import ParameterTypeDef

CAPABILITIES: list[CapabilityType] = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]
# CloudFormation words "nothing to do" differently depending on the path taken.
_NO_CHANGES = ("didn't contain changes", "No updates are to be performed")


@dataclass(frozen=True)
class Change:
    action: str        # add, modify, remove, import, dynamic
    replacement: str   # yes, no, conditional; "" where it does not apply
    resource_type: str
    logical_id: str


@dataclass(frozen=True)
class ChangeSet:
    arn: str
    name: str
    stack_id: str
    kind: ChangeSetType
    changes: tuple[Change, ...] = ()


def no_changes(reason: str) -> bool:
    return any(text in reason for text in _NO_CHANGES)


def _change(item: Any) -> Change | None:
    resource = item.get("ResourceChange")
    if item.get("Type") != "Resource" or not resource:
        return None
    replacement = {"True": "yes", "False": "no", "Conditional": "conditional"}.get(
        resource.get("Replacement", ""), "")
    return Change(action=str(resource.get("Action", "")).lower(), replacement=replacement,
                  resource_type=resource.get("ResourceType", ""),
                  logical_id=resource.get("LogicalResourceId", ""))


def create(cfn: CloudFormationClient, *, stack_name: str, name: str, kind: ChangeSetType,
           parameters: list[ParameterTypeDef], template_body: str | None = None,
           template_url: str | None = None, description: str = "",
           tags: dict[str, str] | None = None) -> str | None:
    """Start a change set; its ARN, or None when CloudFormation says nothing changed."""
    source: dict[str, Any] = ({"TemplateURL": template_url} if template_url
                              else {"TemplateBody": template_body})
    try:
        answer = cfn.create_change_set(
            StackName=stack_name, ChangeSetName=name, ChangeSetType=kind,
            Parameters=parameters, Capabilities=CAPABILITIES, Description=description[:1024],
            Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()], **source)
    except ClientError as exc:
        if error_code(exc) == "ValidationError" and no_changes(error_message(exc)):
            return None
        raise
    return answer["Id"]


def wait(cfn: CloudFormationClient, arn: str, kind: ChangeSetType, *,
         sleep: Callable[[float], None] = time.sleep, timeout: float = 900.0,
         clock: Callable[[], float] = time.monotonic) -> ChangeSet | None:
    """Poll until the change set is ready. None: it holds no changes (CloudFormation marks
    such a set FAILED; the caller deletes it). Raises DeployError if it failed otherwise."""
    deadline, delay = clock() + timeout, 1.0
    while True:
        first = cfn.describe_change_set(ChangeSetName=arn)
        status = first["Status"]
        if status == "CREATE_COMPLETE":
            return _read(cfn, arn, kind, first)
        if status == "FAILED":
            reason = first.get("StatusReason", "") or ""
            if no_changes(reason):
                return None
            raise DeployError(f"CloudFormation rejected the change set: {reason or status}")
        if status.startswith("DELETE"):
            raise DeployError(f"the change set {first['ChangeSetName']} was deleted ({status})")
        if clock() > deadline:
            raise DeployError(f"the change set was still {status} after {timeout:.0f}s; "
                              "see it in the CloudFormation console")
        sleep(delay)
        delay = min(delay * 1.5, 5.0)


def _read(cfn: CloudFormationClient, arn: str, kind: ChangeSetType, page: Any) -> ChangeSet:
    """Every change, following NextToken: a big pipeline has hundreds of resources."""
    changes = [c for c in map(_change, page.get("Changes", [])) if c is not None]
    while page.get("NextToken"):
        page = cfn.describe_change_set(ChangeSetName=arn, NextToken=page["NextToken"])
        changes.extend(c for c in map(_change, page.get("Changes", [])) if c is not None)
    return ChangeSet(arn=arn, name=page["ChangeSetName"], stack_id=page["StackId"], kind=kind,
                     changes=tuple(changes))


def delete(cfn: CloudFormationClient, arn: str) -> None:
    cfn.delete_change_set(ChangeSetName=arn)
