"""The deploy driver's pure parts: packaging, parameters, redaction, root causes, stack states."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sfnc.drivers.assets import ZIP_EPOCH, object_url, zip_directory
from sfnc.drivers.aws import Clients, Connection
from sfnc.drivers.errors import DeployError
from sfnc.drivers.follow import StackEvent
from sfnc.drivers.parameters import Redactor, cfn_parameters, resolve, secrets
from sfnc.drivers.stack import StackInfo, change_set_type
from sfnc.drivers.tracker import Tracker

STACK_ID = "arn:aws:cloudformation:eu-west-1:123456789012:stack/ci/0a1b"


def write_tree(root: Path, order: list[str], mtime: int) -> Path:
    files = {"handler.py": b"def handler(e, c):\n    return 1\n", "lib/util.py": b"X = 1\n",
             "bin/tool": b"#!/bin/sh\necho hi\n"}
    for name in order:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[name])
        os.utime(path, (mtime, mtime))
    (root / "bin" / "tool").chmod(0o700)
    (root / "handler.py").chmod(0o600)
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "handler.cpython-311.pyc").write_bytes(b"\x00junk")
    (root / "lib" / "util.pyc").write_bytes(b"\x00junk")
    return root


def test_the_same_code_zips_to_the_same_bytes(tmp_path: Path) -> None:
    first = write_tree(tmp_path / "a", ["handler.py", "lib/util.py", "bin/tool"], 1_600_000_000)
    second = write_tree(tmp_path / "b", ["bin/tool", "lib/util.py", "handler.py"], 1_700_000_000)
    assert zip_directory(first) == zip_directory(second)


def test_zips_are_sorted_timeless_and_without_bytecode(tmp_path: Path) -> None:
    data = zip_directory(write_tree(tmp_path / "a", ["handler.py", "lib/util.py", "bin/tool"], 1))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == ["bin/tool", "handler.py", "lib/util.py"]
        assert {i.date_time for i in infos} == {ZIP_EPOCH}
        modes = {i.filename: stat.S_IMODE(i.external_attr >> 16) for i in infos}
        assert modes == {"bin/tool": 0o755, "handler.py": 0o644, "lib/util.py": 0o644}
        assert archive.read("handler.py") == b"def handler(e, c):\n    return 1\n"


def test_a_missing_or_empty_code_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DeployError, match="does not exist"):
        zip_directory(tmp_path / "nope")
    (tmp_path / "empty" / "__pycache__").mkdir(parents=True)
    with pytest.raises(DeployError, match="holds no files"):
        zip_directory(tmp_path / "empty")


def test_template_urls_point_at_the_endpoint_in_use() -> None:
    assert object_url("b", "sfnc/p/template-1.json", "eu-west-1", None) == \
        "https://b.s3.eu-west-1.amazonaws.com/sfnc/p/template-1.json"
    assert object_url("b", "k.json", "cn-north-1", None) == \
        "https://b.s3.cn-north-1.amazonaws.com.cn/k.json"
    assert object_url("b", "sfnc/k.json", "us-east-1", "http://localhost:5000/") == \
        "http://localhost:5000/b/sfnc/k.json"


TEMPLATE = {"Parameters": {
    "GitHubConnectionArn": {"Type": "String"},
    "AlertEmail": {"Type": "String", "Default": ""},
    "DeployToken": {"Type": "String", "NoEcho": True},
    "SfncAssetsBucket": {"Type": "String"},
    "SfncCodeNotify": {"Type": "String"},
}}
FILLED = {"SfncAssetsBucket": "bucket", "SfncCodeNotify": "sfnc/p/notify-abc.zip"}


def test_parameters_given_filled_defaulted_and_kept() -> None:
    values = resolve(TEMPLATE, {"GitHubConnectionArn": "arn:c"}, FILLED, previous=["DeployToken"])
    assert cfn_parameters(values) == [
        {"ParameterKey": "GitHubConnectionArn", "ParameterValue": "arn:c"},
        {"ParameterKey": "DeployToken", "UsePreviousValue": True},
        {"ParameterKey": "SfncAssetsBucket", "ParameterValue": "bucket"},
        {"ParameterKey": "SfncCodeNotify", "ParameterValue": "sfnc/p/notify-abc.zip"},
    ]
    shown = {v.key: v.shown() for v in values}
    assert shown["AlertEmail"] == "(default)"
    assert shown["DeployToken"] == "(previous value)"


def test_a_noecho_value_is_masked_when_shown() -> None:
    values = resolve(TEMPLATE, {"GitHubConnectionArn": "arn:c", "DeployToken": "s3cr3t"},
                     FILLED, previous=[])
    assert {v.key: v.shown() for v in values}["DeployToken"] == "****"
    assert secrets(TEMPLATE, {"DeployToken": "s3cr3t", "GitHubConnectionArn": "arn:c"}) == \
        ["s3cr3t"]


def test_unknown_missing_and_reserved_parameters_are_reported_together() -> None:
    with pytest.raises(DeployError) as caught:
        resolve(TEMPLATE, {"Nope": "value-1", "SfncAssetsBucket": "value-2"}, FILLED,
                previous=[])
    message = str(caught.value)
    assert "unknown parameter Nope (the template takes: GitHubConnectionArn, AlertEmail, " \
           "DeployToken)" in message
    assert "SfncAssetsBucket is set by sfnc" in message
    assert "missing parameters GitHubConnectionArn, DeployToken (no default): pass " \
           "--parameter GitHubConnectionArn=VALUE --parameter DeployToken=VALUE" in message
    assert "value-1" not in message
    assert "value-2" not in message


def test_the_redactor_masks_every_secret_even_nested() -> None:
    redact = Redactor(["abcd", "abcdefgh", ""])
    assert redact("token abcdefgh and abcd; abcdabcd") == "token **** and ****; ********"
    assert Redactor()("nothing to hide") == "nothing to hide"


def test_the_redactor_leaves_text_alone_for_tiny_values() -> None:
    assert Redactor(["s", "ab"])("stack status is fine") == "stack status is fine"


def event(n: int, logical: str, status: str, reason: str = "",
          kind: str = "AWS::IAM::Role") -> StackEvent:
    stack = logical == "ci"
    return StackEvent(f"e{n}", datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=n // 10),
                      logical, "AWS::CloudFormation::Stack" if stack else kind, status, reason,
                      STACK_ID if stack else f"{logical}-phys")


def test_the_root_cause_skips_cancellations_recorded_first() -> None:
    tracker = Tracker(STACK_ID, "ci", total=3)
    tracker.add([
        event(1, "ci", "CREATE_IN_PROGRESS", "User Initiated"),
        event(2, "Queue", "CREATE_FAILED", "Resource creation cancelled"),
        event(3, "Role", "CREATE_FAILED", "Role name already exists"),
        event(4, "Topic", "CREATE_FAILED", "Topic policy is invalid"),
        event(5, "ci", "ROLLBACK_IN_PROGRESS", "The following resource(s) failed to create"),
    ])
    cause = tracker.root_cause()
    assert cause is not None
    assert (cause.logical_id, cause.reason) == ("Role", "Role name already exists")
    assert [e.logical_id for e in tracker.failures()] == ["Role", "Topic"]


def test_a_stack_level_failure_is_the_root_cause_when_no_resource_failed() -> None:
    tracker = Tracker(STACK_ID, "ci", total=1)
    tracker.add([event(1, "ci", "UPDATE_IN_PROGRESS", "User Initiated"),
                 event(2, "ci", "UPDATE_ROLLBACK_IN_PROGRESS",
                       "Parameter validation failed: parameter value vpc-1 does not exist"),
                 event(3, "ci", "UPDATE_ROLLBACK_COMPLETE")])
    cause = tracker.root_cause()
    assert cause is not None
    assert cause.reason.startswith("Parameter validation failed")


def test_progress_never_runs_backwards_during_a_rollback() -> None:
    tracker = Tracker(STACK_ID, "ci", total=2)
    tracker.add([event(1, "Role", "CREATE_COMPLETE"), event(2, "Fn", "CREATE_FAILED", "boom")])
    assert tracker.done == 2
    tracker.add([event(3, "Role", "DELETE_IN_PROGRESS")])
    assert tracker.done == 2


def stack(status: str) -> StackInfo:
    return StackInfo(STACK_ID, "ci", status)


@pytest.mark.parametrize(("status", "kind"), [
    (None, "CREATE"), ("REVIEW_IN_PROGRESS", "CREATE"), ("CREATE_COMPLETE", "UPDATE"),
    ("UPDATE_ROLLBACK_COMPLETE", "UPDATE"), ("UPDATE_FAILED", "UPDATE"),
])
def test_change_set_type_follows_the_stack(status: str | None, kind: str) -> None:
    assert change_set_type(stack(status) if status else None) == kind


@pytest.mark.parametrize(("status", "way_out"), [
    ("ROLLBACK_COMPLETE", "Delete it with `sfnc destroy --stack-name ci`"),
    ("UPDATE_ROLLBACK_FAILED", "aws cloudformation continue-update-rollback --stack-name ci"),
    ("UPDATE_IN_PROGRESS", "busy (UPDATE_IN_PROGRESS): wait until it finishes"),
    ("DELETE_FAILED", "delete it with `sfnc destroy --stack-name ci`"),
])
def test_stacks_that_cannot_be_updated_explain_the_way_out(status: str, way_out: str) -> None:
    with pytest.raises(DeployError) as caught:
        change_set_type(stack(status))
    assert way_out in str(caught.value)


def test_every_client_uses_the_endpoint_region_and_retry_mode() -> None:
    clients = Clients(Connection(region="eu-west-1", endpoint_url="http://127.0.0.1:9",
                                 retry_mode="adaptive"))
    for client in (clients.cloudformation, clients.s3, clients.stepfunctions):
        assert client.meta.endpoint_url == "http://127.0.0.1:9"
        assert client.meta.region_name == "eu-west-1"
        retries = client.meta.config.retries  # type: ignore[attr-defined]
        assert retries == {"mode": "adaptive", "total_max_attempts": 8}
