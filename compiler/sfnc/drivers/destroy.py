"""`sfnc destroy`: show what goes, ask, delete the stack and follow it to the end."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sfnc.drivers.changeset import Change, ChangeSet
from sfnc.drivers.deploy import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, follow_operation
from sfnc.drivers.follow import DEFAULT_BACKOFF, Backoff, latest_mark
from sfnc.drivers.progress import View
from sfnc.drivers.stack import require
from sfnc.drivers.status import stack_resources
from sfnc.drivers.tracker import Tracker

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

# CloudFormation cannot delete a bucket that still holds objects; the artifact
# bucket holds only the source snapshots of past runs, so it is emptied first.
ARTIFACT_BUCKET = "ArtifactBucket"


def empty_bucket(s3: S3Client, bucket: str) -> int:
    """Delete every object version and delete marker; the number deleted."""
    deleted = 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        versions = [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
        keys: list[ObjectIdentifierTypeDef] = [
            {"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions]
        for start in range(0, len(keys), 1000):  # DeleteObjects takes 1,000 at a time
            s3.delete_objects(Bucket=bucket,
                              Delete={"Objects": keys[start:start + 1000], "Quiet": True})
        deleted += len(keys)
    return deleted


def destroy(cfn: CloudFormationClient, s3: S3Client, view: View, *, stack_name: str,
            region: str, assume_yes: bool, sleep: Callable[[float], None] = time.sleep,
            backoff: Backoff = DEFAULT_BACKOFF) -> int:
    stack = require(cfn, stack_name, region)
    if stack.status == "DELETE_IN_PROGRESS":
        view.step(f"Stack {stack_name} is already being deleted; watch it with "
                  f"`sfnc status --stack-name {stack_name}`.")
        return EXIT_OK
    resources = stack_resources(cfn, stack.stack_id)
    doomed = ChangeSet(arn=stack.stack_id, name="", stack_id=stack.stack_id, kind="UPDATE",
                       changes=tuple(Change("remove", "", kind, logical)
                                     for logical, kind, _ in resources))
    view.change_set(doomed, f"Delete stack {stack_name} ({stack.status})")
    if not assume_yes:
        try:
            agreed = view.confirm(f"Delete stack {stack_name} and all its resources?")
        except (KeyboardInterrupt, EOFError):
            view.step("Cancelled: nothing was deleted.")
            return EXIT_INTERRUPTED
        if not agreed:
            view.step("Cancelled: nothing was deleted.")
            return EXIT_FAILED
    for logical, kind, physical in resources:
        if logical == ARTIFACT_BUCKET and kind == "AWS::S3::Bucket" and physical:
            try:
                count = empty_bucket(s3, physical)
            except s3.exceptions.NoSuchBucket:
                continue
            view.step(f"Emptied the artifact bucket {physical} ({count:,} object versions of "
                      "past runs)")
    mark = latest_mark(cfn, stack.stack_id)
    cfn.delete_stack(StackName=stack.stack_id)
    tracker = Tracker(stack.stack_id, stack_name, total=len(resources))
    for logical, kind, _ in resources:
        tracker.expect(logical, kind)
    status = follow_operation(cfn, view, tracker, mark, f"Deleting {stack_name}", sleep=sleep,
                              backoff=backoff, operation="deletion")
    if status is None:
        return EXIT_INTERRUPTED
    return EXIT_OK if status == "DELETE_COMPLETE" else EXIT_FAILED
