"""notify_failure against a moto server (SNS, SQS, Secrets Manager, SSM) and a webhook server."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import boto3
import pytest

from tests.support.http_recorder import RecordingServer, Reply
from tests.support.pipeline_events import (
    BUILD_ID,
    EXECUTION_CONSOLE_URL,
    LOG_DEEP_LINK,
    SHA,
    failure_event,
    run_context,
)


@pytest.fixture
def topic_queue(lambda_env: pytest.MonkeyPatch) -> str:
    """An SNS topic in SFNC_TOPIC_ARN with an SQS queue subscribed; returns the queue URL."""
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    topic = sns.create_topic(Name="flask-webapp-failures")["TopicArn"]
    queue_url: str = sqs.create_queue(QueueName="failures")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    lambda_env.setenv("SFNC_TOPIC_ARN", topic)
    return queue_url


def _published(queue_url: str) -> list[dict[str, Any]]:
    messages = boto3.client("sqs").receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
    )
    return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


def _log_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_publishes_an_actionable_message(
    notify_failure: ModuleType, topic_queue: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = notify_failure.handler(failure_event(), None)

    assert result == {"notified": ["sns"], "failed": []}
    [envelope] = _published(topic_queue)
    assert envelope["Subject"] == "[flask-webapp] UnitTests failed on main @ 1a2b3c4"
    body = envelope["Message"]
    assert "failed at stage UnitTests (in group ParallelValidation)" in body
    assert "Error:        States.TaskFailed" in body
    assert (
        f"CodeBuild build {BUILD_ID} finished FAILED in phase BUILD - COMMAND_EXECUTION_ERROR: "
        "Error while executing command: python3 -m pytest. Reason: exit status 1"
    ) in body
    assert f"Build logs:   {LOG_DEEP_LINK}" in body
    assert f"Commit:       {SHA}" in body
    assert "Branch:       main" in body
    assert "Pull request: #42" in body
    assert "https://github.com/acme/flask-webapp/pull/42" in body
    assert f"Execution:    {EXECUTION_CONSOLE_URL}" in body
    # The raw Build object would bury the message: only the summary goes out.
    assert '"Phases"' not in body
    assert all(line["level"] for line in _log_lines(capsys.readouterr().out))


def test_lambda_error_cause_is_summarized(notify_failure: ModuleType, topic_queue: str) -> None:
    cause = json.dumps(
        {
            "errorMessage": "GitHub POST /repos/acme/flask-webapp/statuses/x answered 401",
            "errorType": "MarkReadyError",
            "stackTrace": ["  File handler.py, line 1"] * 50,
        }
    )
    event = failure_event(cause, stage="MarkPRReadyForMerge", group=None)

    notify_failure.handler(event, None)

    [envelope] = _published(topic_queue)
    assert envelope["Subject"] == "[flask-webapp] MarkPRReadyForMerge failed on main @ 1a2b3c4"
    body = envelope["Message"]
    assert "failed at stage MarkPRReadyForMerge." in body
    assert "Cause:        MarkReadyError: GitHub POST /repos/acme/flask-webapp/statuses/x" in body
    assert "stackTrace" not in body


def test_long_plain_cause_is_truncated(notify_failure: ModuleType, topic_queue: str) -> None:
    notify_failure.handler(failure_event("x" * 100_000), None)

    [envelope] = _published(topic_queue)
    assert "...(truncated)" in envelope["Message"]
    assert len(envelope["Message"]) < 3000


def test_subject_fits_sns_limits(notify_failure: ModuleType, topic_queue: str) -> None:
    event = failure_event()
    event["context"]["source"]["branch"] = "feature/" + "é" * 40 + "-a-very-long-branch-name" * 3
    event["failure"]["stage"] = "S" * 80

    assert notify_failure.handler(event, None)["notified"] == ["sns"]

    [envelope] = _published(topic_queue)
    assert len(envelope["Subject"]) <= 99
    assert envelope["Subject"].isascii()
    assert envelope["Subject"].endswith("...")


def test_run_started_without_a_commit(notify_failure: ModuleType, topic_queue: str) -> None:
    event = failure_event()
    event["context"] = run_context(commit="main", pull_request="")

    notify_failure.handler(event, None)

    [envelope] = _published(topic_queue)
    assert envelope["Subject"] == "[flask-webapp] UnitTests failed on main"
    assert "Pull request: none" in envelope["Message"]


@pytest.mark.parametrize("store", ["ssm", "secretsmanager"])
def test_posts_to_the_slack_webhook(
    notify_failure: ModuleType,
    topic_queue: str,
    lambda_env: pytest.MonkeyPatch,
    http_recorder: RecordingServer,
    store: str,
) -> None:
    webhook = f"{http_recorder.url}/services/T000/B000/XXXX"
    http_recorder.route("POST", "/services/T000/B000/XXXX", Reply(200, "ok"))
    if store == "ssm":
        boto3.client("ssm").put_parameter(
            Name="/flask-webapp/slack-webhook", Value=webhook, Type="SecureString"
        )
        lambda_env.setenv("SFNC_SECRET_SLACK_WEBHOOK", "ssm:/flask-webapp/slack-webhook")
    else:
        boto3.client("secretsmanager").create_secret(
            Name="flask-webapp/slack-webhook", SecretString=webhook
        )
        lambda_env.setenv("SFNC_SECRET_SLACK_WEBHOOK", "secretsmanager:flask-webapp/slack-webhook")

    result = notify_failure.handler(failure_event(), None)

    assert result == {"notified": ["sns", "slack"], "failed": []}
    [post] = http_recorder.received("POST")
    assert post.headers["content-type"] == "application/json"
    text = post.json()["text"]
    assert text.startswith("*[flask-webapp] UnitTests failed on main @ 1a2b3c4*\n")
    assert EXECUTION_CONSOLE_URL in text
    assert len(_published(topic_queue)) == 1


@pytest.mark.parametrize(
    "reply", [Reply(500, "boom"), Reply(404, "no_service"), Reply(200, delay=5)], ids=str
)
def test_failing_webhook_is_logged_not_raised(
    notify_failure: ModuleType,
    topic_queue: str,
    lambda_env: pytest.MonkeyPatch,
    http_recorder: RecordingServer,
    capsys: pytest.CaptureFixture[str],
    reply: Reply,
) -> None:
    webhook = f"{http_recorder.url}/services/SECRET-PATH"
    http_recorder.route("POST", "/services/SECRET-PATH", reply)
    boto3.client("ssm").put_parameter(Name="hook", Value=webhook, Type="SecureString")
    lambda_env.setenv("SFNC_SECRET_SLACK_WEBHOOK", "ssm:hook")
    lambda_env.setenv("SFNC_HTTP_TIMEOUT_SECONDS", "0.3")

    result = notify_failure.handler(failure_event(), None)

    assert result == {"notified": ["sns"], "failed": ["slack"]}
    assert len(_published(topic_queue)) == 1
    out = capsys.readouterr().out
    errors = [line for line in _log_lines(out) if line["level"] == "error"]
    assert errors
    assert errors[0]["message"] == "could not post to the Slack webhook"
    assert "SECRET-PATH" not in out


def test_missing_webhook_secret_is_logged_not_raised(
    notify_failure: ModuleType, topic_queue: str, lambda_env: pytest.MonkeyPatch
) -> None:
    lambda_env.setenv("SFNC_SECRET_SLACK_WEBHOOK", "secretsmanager:does-not-exist")

    assert notify_failure.handler(failure_event(), None) == {
        "notified": ["sns"],
        "failed": ["slack"],
    }


def test_unknown_topic_is_logged_not_raised(
    notify_failure: ModuleType, lambda_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lambda_env.setenv("SFNC_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:nobody-made-me")

    assert notify_failure.handler(failure_event(), None) == {"notified": [], "failed": ["sns"]}
    assert "could not publish to SNS" in capsys.readouterr().out


@pytest.mark.parametrize("event", [{}, {"failure": None, "context": "junk"}, None, []])
def test_survives_missing_settings_and_fields(
    notify_failure: ModuleType,
    lambda_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    event: Any,
) -> None:
    lambda_env.delenv("SFNC_PIPELINE")

    assert notify_failure.handler(event, None) == {"notified": [], "failed": []}
    lines = _log_lines(capsys.readouterr().out)
    assert lines[0]["subject"] == "[pipeline] an unknown stage failed"
    assert lines[-1]["level"] == "warning"


def test_survives_a_sparse_event_with_a_topic(notify_failure: ModuleType, topic_queue: str) -> None:
    event = {"failure": {"stage": "DeployToEC2", "error": {"Error": "States.Timeout"}}}

    assert notify_failure.handler(event, None)["notified"] == ["sns"]
    [envelope] = _published(topic_queue)
    assert envelope["Subject"] == "[flask-webapp] DeployToEC2 failed"
    assert "Error:        States.Timeout" in envelope["Message"]
    assert "Execution:    unknown" in envelope["Message"]


@pytest.mark.parametrize(
    ("arn", "url"),
    [
        (
            "arn:aws:states:us-east-1:1:execution:sm:run-1",
            "https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1"
            "#/v2/executions/details/arn:aws:states:us-east-1:1:execution:sm:run-1",
        ),
        (
            "arn:aws-cn:states:cn-north-1:1:execution:sm:run-1",
            "https://console.amazonaws.cn/states/home?region=cn-north-1"
            "#/v2/executions/details/arn:aws-cn:states:cn-north-1:1:execution:sm:run-1",
        ),
        ("not-an-arn", None),
        ("arn:aws:states:us-east-1:1:stateMachine:sm", None),
    ],
)
def test_execution_link(notify_failure: ModuleType, arn: str, url: str | None) -> None:
    assert notify_failure.execution_link(arn, {}) == url
