"""mark_pr_ready against a recording GitHub API server and a moto server for the token."""

from __future__ import annotations

import json
import time
from types import ModuleType
from typing import Any

import boto3
import pytest

from tests.support.http_recorder import RecordingServer, Reply
from tests.support.net import LOOPBACK, free_port
from tests.support.pipeline_events import EXECUTION_CONSOLE_URL, SHA, run_context

TOKEN = "ghp_TestTokenThatMustNeverBeLogged0123456789"
STATUS_PATH = f"/repos/acme/flask-webapp/statuses/{SHA}"


def _event(**source: Any) -> dict[str, Any]:
    return {"context": run_context(**source), "results": {}, "stage": "MarkPRReadyForMerge"}


@pytest.fixture
def github(lambda_env: pytest.MonkeyPatch, http_recorder: RecordingServer) -> RecordingServer:
    """The recording server as GITHUB_API_URL, with the token in Secrets Manager."""
    boto3.client("secretsmanager").create_secret(
        Name="flask-webapp/github-token", SecretString=TOKEN
    )
    lambda_env.setenv("SFNC_SECRET_GITHUB_TOKEN", "secretsmanager:flask-webapp/github-token")
    lambda_env.setenv("GITHUB_API_URL", http_recorder.url)
    return http_recorder


def test_sets_a_success_status_on_the_commit(
    mark_pr_ready: ModuleType, github: RecordingServer
) -> None:
    github.route("POST", STATUS_PATH, Reply(201, {"id": 1, "state": "success"}))

    result = mark_pr_ready.handler(_event(), None)

    assert result == {
        "provider": "github",
        "repository": "acme/flask-webapp",
        "sha": SHA,
        "state": "success",
    }
    [post] = github.received()
    assert (post.method, post.path) == ("POST", STATUS_PATH)
    assert post.headers["authorization"] == f"Bearer {TOKEN}"
    assert post.headers["accept"] == "application/vnd.github+json"
    assert post.headers["x-github-api-version"] == "2022-11-28"
    assert post.json() == {
        "state": "success",
        "context": "sfnc/pipeline",
        "description": "flask-webapp: all checks passed",
        "target_url": EXECUTION_CONSOLE_URL,
    }


def test_resolves_a_branch_to_its_commit_first(
    mark_pr_ready: ModuleType, github: RecordingServer
) -> None:
    github.route("GET", "/repos/acme/flask-webapp/commits/feature/login", Reply(200, {"sha": SHA}))
    github.route("POST", STATUS_PATH, Reply(201, {"id": 1}))

    result = mark_pr_ready.handler(_event(commit="feature/login", branch="feature/login"), None)

    assert result["sha"] == SHA
    assert [(r.method, r.path) for r in github.received()] == [
        ("GET", "/repos/acme/flask-webapp/commits/feature/login"),
        ("POST", STATUS_PATH),
    ]


def test_reads_the_token_from_parameter_store(
    mark_pr_ready: ModuleType, lambda_env: pytest.MonkeyPatch, http_recorder: RecordingServer
) -> None:
    boto3.client("ssm").put_parameter(
        Name="/flask-webapp/github-token", Value=TOKEN, Type="SecureString"
    )
    lambda_env.setenv("SFNC_SECRET_GITHUB_TOKEN", "ssm:/flask-webapp/github-token")
    lambda_env.setenv("GITHUB_API_URL", http_recorder.url + "/")
    http_recorder.route("POST", STATUS_PATH, Reply(201, {}))

    mark_pr_ready.handler(_event(), None)

    assert http_recorder.received()[0].headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize(
    ("status", "hint"),
    [
        (401, "GitHub rejected the token"),
        (403, "Commit statuses: write"),
        (404, "does not exist, or the token cannot see it"),
        (422, "refused the request as invalid"),
    ],
)
def test_permanent_errors_fail_at_once_with_a_clear_message(
    mark_pr_ready: ModuleType,
    github: RecordingServer,
    capsys: pytest.CaptureFixture[str],
    status: int,
    hint: str,
) -> None:
    # A server that echoes credentials must not get them into our messages either.
    github.route("POST", STATUS_PATH, Reply(status, {"message": f"Nope for {TOKEN}"}))

    with pytest.raises(mark_pr_ready.MarkReadyError) as raised:
        mark_pr_ready.handler(_event(), None)

    message = str(raised.value)
    assert f"answered {status}" in message
    assert hint in message
    assert "Nope for ***" in message
    assert len(github.received()) == 1
    assert TOKEN not in message
    assert TOKEN not in capsys.readouterr().out


def test_retries_a_server_error_then_succeeds(
    mark_pr_ready: ModuleType, github: RecordingServer, capsys: pytest.CaptureFixture[str]
) -> None:
    github.route("POST", STATUS_PATH, Reply(500, {"message": "oops"}), Reply(201, {}))

    assert mark_pr_ready.handler(_event(), None)["state"] == "success"

    assert len(github.received()) == 2
    out = capsys.readouterr().out
    retries = [json.loads(line) for line in out.splitlines() if '"retrying"' in line]
    assert [r["attempt"] for r in retries] == [1]
    assert TOKEN not in out


def test_honours_retry_after_on_429(mark_pr_ready: ModuleType, github: RecordingServer) -> None:
    github.route(
        "POST",
        STATUS_PATH,
        Reply(429, {"message": "slow down"}, headers={"Retry-After": "1"}),
        Reply(201, {}),
    )
    started = time.monotonic()

    mark_pr_ready.handler(_event(), None)

    assert time.monotonic() - started >= 0.9
    assert len(github.received()) == 2


def test_retries_after_a_client_timeout(
    mark_pr_ready: ModuleType, github: RecordingServer, lambda_env: pytest.MonkeyPatch
) -> None:
    lambda_env.setenv("SFNC_HTTP_TIMEOUT_SECONDS", "0.3")
    github.route("POST", STATUS_PATH, Reply(201, {}, delay=5), Reply(201, {}))
    started = time.monotonic()

    assert mark_pr_ready.handler(_event(), None)["state"] == "success"

    assert len(github.received()) == 2
    assert time.monotonic() - started < 3


def test_gives_up_after_the_configured_attempts(
    mark_pr_ready: ModuleType, github: RecordingServer
) -> None:
    github.route("POST", STATUS_PATH, default=Reply(503, {"message": "unavailable"}))

    with pytest.raises(mark_pr_ready.MarkReadyError, match="gave up after 3 attempts"):
        mark_pr_ready.handler(_event(), None)

    assert len(github.received()) == 3


class _LambdaContext:
    """The part of the Lambda runtime's context object that the handler reads."""

    def __init__(self, remaining_ms: int) -> None:
        self._remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self._remaining_ms


def test_stops_retrying_before_the_function_times_out(
    mark_pr_ready: ModuleType, github: RecordingServer, lambda_env: pytest.MonkeyPatch
) -> None:
    lambda_env.setenv("SFNC_HTTP_ATTEMPTS", "5")
    github.route("POST", STATUS_PATH, default=Reply(503, {"message": "unavailable"}))

    with pytest.raises(mark_pr_ready.MarkReadyError, match="no time left for attempt 2"):
        mark_pr_ready.handler(_event(), _LambdaContext(remaining_ms=2500))

    assert len(github.received()) == 1


def test_unreachable_api_fails_after_retries(
    mark_pr_ready: ModuleType, github: RecordingServer, lambda_env: pytest.MonkeyPatch
) -> None:
    lambda_env.setenv("GITHUB_API_URL", f"http://{LOOPBACK}:{free_port()}")

    with pytest.raises(mark_pr_ready.MarkReadyError, match=r"failed: .*gave up after 3"):
        mark_pr_ready.handler(_event(), None)


def test_missing_token_setting_is_a_clear_error(
    mark_pr_ready: ModuleType, lambda_env: pytest.MonkeyPatch
) -> None:
    with pytest.raises(mark_pr_ready.MarkReadyError, match="SFNC_SECRET_GITHUB_TOKEN"):
        mark_pr_ready.handler(_event(), None)


def test_unknown_provider_is_a_clear_error(
    mark_pr_ready: ModuleType, lambda_env: pytest.MonkeyPatch
) -> None:
    lambda_env.setenv("SFNC_SOURCE_PROVIDER", "bitbucket")

    with pytest.raises(mark_pr_ready.MarkReadyError, match="unknown source provider 'bitbucket'"):
        mark_pr_ready.handler(_event(), None)


# CodeCommit: the recording server plays the CodeCommit JSON API that boto3 talks to.

CODECOMMIT_JSON = {"Content-Type": "application/x-amz-json-1.1"}
HEAD = "9" * 40
BASE = "8" * 40


def _pull_request(status: str = "OPEN", head: str = HEAD) -> Reply:
    return Reply(
        200,
        {
            "pullRequest": {
                "pullRequestId": "7",
                "pullRequestStatus": status,
                "revisionId": "rev-123",
                "pullRequestTargets": [
                    {
                        "repositoryName": "flask-webapp",
                        "sourceReference": "refs/heads/feature",
                        "destinationReference": "refs/heads/main",
                        "sourceCommit": head,
                        "destinationCommit": BASE,
                    }
                ],
            }
        },
        headers=CODECOMMIT_JSON,
    )


@pytest.fixture
def codecommit(lambda_env: pytest.MonkeyPatch, http_recorder: RecordingServer) -> RecordingServer:
    lambda_env.setenv("SFNC_SOURCE_PROVIDER", "codecommit")
    lambda_env.setenv("SFNC_REPOSITORY", "flask-webapp")
    lambda_env.setenv("AWS_ENDPOINT_URL_CODECOMMIT", http_recorder.url)
    return http_recorder


def _targets(server: RecordingServer) -> list[str]:
    return [r.headers["x-amz-target"].split(".")[1] for r in server.received()]


def test_codecommit_comments_on_and_approves_the_pull_request(
    mark_pr_ready: ModuleType, codecommit: RecordingServer
) -> None:
    codecommit.route(
        "POST",
        "/",
        _pull_request(),
        Reply(200, {"comment": {"commentId": "c1"}}, headers=CODECOMMIT_JSON),
        Reply(200, {}, headers=CODECOMMIT_JSON),
    )

    result = mark_pr_ready.handler(
        _event(provider="codecommit", repository="flask-webapp", commit=HEAD, pull_request="7"),
        None,
    )

    assert result == {
        "provider": "codecommit",
        "pull_request": "7",
        "approved": True,
        "head": HEAD,
    }
    assert _targets(codecommit) == [
        "GetPullRequest",
        "PostCommentForPullRequest",
        "UpdatePullRequestApprovalState",
    ]
    get, comment, approve = (r.json() for r in codecommit.received())
    assert get == {"pullRequestId": "7"}
    assert comment["beforeCommitId"] == BASE
    assert comment["afterCommitId"] == HEAD
    assert comment["repositoryName"] == "flask-webapp"
    assert EXECUTION_CONSOLE_URL in comment["content"]
    assert comment["clientRequestToken"]
    assert approve == {"pullRequestId": "7", "revisionId": "rev-123", "approvalState": "APPROVE"}


def test_codecommit_without_a_pull_request_does_nothing(
    mark_pr_ready: ModuleType, codecommit: RecordingServer
) -> None:
    result = mark_pr_ready.handler(_event(provider="codecommit", pull_request=""), None)

    assert result["skipped"] == "no pull request"
    assert codecommit.received() == []


@pytest.mark.parametrize(
    ("reply", "skipped"),
    [
        (_pull_request(status="CLOSED"), "pull request is not open"),
        (_pull_request(head="7" * 40), "pull request head is not the tested commit"),
    ],
)
def test_codecommit_leaves_closed_or_moved_pull_requests_alone(
    mark_pr_ready: ModuleType, codecommit: RecordingServer, reply: Reply, skipped: str
) -> None:
    codecommit.route("POST", "/", reply)

    result = mark_pr_ready.handler(_event(commit=HEAD, pull_request="7"), None)

    assert result["skipped"] == skipped
    assert _targets(codecommit) == ["GetPullRequest"]


def test_codecommit_api_errors_fail_the_stage(
    mark_pr_ready: ModuleType, codecommit: RecordingServer
) -> None:
    codecommit.route(
        "POST",
        "/",
        Reply(
            400,
            {"__type": "PullRequestDoesNotExistException", "message": "no such pull request"},
            headers=CODECOMMIT_JSON,
        ),
    )

    with pytest.raises(Exception, match="PullRequestDoesNotExistException"):
        mark_pr_ready.handler(_event(pull_request="7"), None)
