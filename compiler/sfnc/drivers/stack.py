"""What a stack is now, and whether a deploy may touch it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import ClientError

from sfnc.drivers.errors import DeployError, error_code, error_message

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient

ChangeSetType = Literal["CREATE", "UPDATE"]

SUCCEEDED = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE",
                       "DELETE_COMPLETE"})
# Where an operation ends. Anything else (…_IN_PROGRESS) is still moving.
TERMINAL = SUCCEEDED | frozenset({
    "CREATE_FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "DELETE_FAILED",
    "UPDATE_FAILED", "UPDATE_ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED",
    "IMPORT_ROLLBACK_COMPLETE", "IMPORT_ROLLBACK_FAILED"})


@dataclass(frozen=True)
class Output:
    key: str
    value: str
    description: str = ""


@dataclass(frozen=True)
class StackInfo:
    stack_id: str
    name: str
    status: str
    reason: str = ""
    parameters: tuple[str, ...] = ()          # names only: values may be secret
    outputs: tuple[Output, ...] = ()
    updated: datetime | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_api(cls, stack: Any) -> StackInfo:
        return cls(
            stack_id=stack["StackId"], name=stack["StackName"], status=stack["StackStatus"],
            reason=stack.get("StackStatusReason", "") or "",
            parameters=tuple(p["ParameterKey"] for p in stack.get("Parameters", [])),
            outputs=tuple(Output(o["OutputKey"], str(o.get("OutputValue", "")),
                                 o.get("Description", "") or "")
                          for o in stack.get("Outputs", []) or []),
            updated=stack.get("LastUpdatedTime") or stack.get("CreationTime"),
            tags={t["Key"]: t["Value"] for t in stack.get("Tags", []) or []},
        )


def is_missing(exc: ClientError) -> bool:
    return error_code(exc) == "ValidationError" and "does not exist" in error_message(exc)


def describe(cfn: CloudFormationClient, name_or_id: str) -> StackInfo | None:
    """The stack, or None when there is none of that name (deleted stacks included)."""
    try:
        stacks = cfn.describe_stacks(StackName=name_or_id)["Stacks"]
    except ClientError as exc:
        if is_missing(exc):
            return None
        raise
    return StackInfo.from_api(stacks[0]) if stacks else None


def require(cfn: CloudFormationClient, name: str, region: str) -> StackInfo:
    stack = describe(cfn, name)
    if stack is None or stack.status == "DELETE_COMPLETE":
        raise DeployError(f"stack {name} does not exist in {region}: check --stack-name, "
                          "--region and --profile")
    return stack


def change_set_type(stack: StackInfo | None) -> ChangeSetType:
    """CREATE or UPDATE; raises DeployError, with the way out, for stacks that cannot move."""
    if stack is None or stack.status in {"REVIEW_IN_PROGRESS", "DELETE_COMPLETE"}:
        # REVIEW_IN_PROGRESS: a stack that only ever had an unexecuted CREATE change set.
        return "CREATE"
    name, status = stack.name, stack.status
    if status == "ROLLBACK_COMPLETE":
        raise DeployError(
            f"stack {name} is in ROLLBACK_COMPLETE: its first deployment failed and "
            "CloudFormation cannot update it. Delete it with `sfnc destroy --stack-name "
            f"{name}` (it holds no resources), then deploy again")
    if status in {"ROLLBACK_FAILED", "DELETE_FAILED"}:
        raise DeployError(
            f"stack {name} is in {status} and cannot be updated: delete it with `sfnc destroy "
            f"--stack-name {name}` (see `sfnc status --stack-name {name}` for what failed)")
    if status == "UPDATE_ROLLBACK_FAILED":
        raise DeployError(
            f"stack {name} is in UPDATE_ROLLBACK_FAILED: finish the rollback first with "
            f"`aws cloudformation continue-update-rollback --stack-name {name}`, then deploy "
            "again")
    if status.endswith("_IN_PROGRESS"):
        raise DeployError(
            f"stack {name} is busy ({status}): wait until it finishes (watch it with `sfnc "
            f"status --stack-name {name}`), then deploy again")
    return "UPDATE"
