"""Mark the tested commit ready to merge once every earlier stage has passed.

Called as a pipeline stage with ``{"context": {...}, "results": {...}, "stage": ...}``.
GitHub: sets the commit status ``sfnc/pipeline`` to success. CodeCommit:
comments on and approves the open pull request whose head is the tested commit.
Transient failures are retried; anything retrying cannot fix raises, so the
state machine marks the stage failed with a message that says what to fix.
"""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import json
import os
import re
import time
import urllib.error
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.request import Request, urlopen

import boto3

STATUS_CONTEXT = "sfnc/pipeline"
FULL_SHA = re.compile(r"[0-9a-fA-F]{40}")
OWNER_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
RETRYABLE_STATUSES = {408, 429, 500, 502, 503, 504}
HINTS = {
    401: "GitHub rejected the token: check the secret behind SFNC_SECRET_GITHUB_TOKEN",
    403: "the token may not set commit statuses: it needs 'Commit statuses: write'",
    404: "the repository or commit does not exist, or the token cannot see it",
    422: "GitHub refused the request as invalid",
}


class MarkReadyError(RuntimeError):
    """A failure that retrying will not fix; Step Functions shows this name and message."""


@dataclass(frozen=True)
class HttpSettings:
    attempts: int = 4
    backoff: float = 1.0  # first pause between attempts; doubles each time
    timeout: float = 8.0
    max_sleep: float = 10.0  # also caps what a Retry-After header may ask for
    deadline: float | None = None  # time.monotonic() by which the function must be done

    @classmethod
    def from_env(cls, env: Mapping[str, str], context: Any = None) -> HttpSettings:
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        return cls(
            attempts=max(1, int(env.get("SFNC_HTTP_ATTEMPTS", cls.attempts))),
            backoff=float(env.get("SFNC_HTTP_BACKOFF_SECONDS", cls.backoff)),
            timeout=float(env.get("SFNC_HTTP_TIMEOUT_SECONDS", cls.timeout)),
            max_sleep=float(env.get("SFNC_HTTP_MAX_SLEEP_SECONDS", cls.max_sleep)),
            deadline=time.monotonic() + remaining() / 1000 if callable(remaining) else None,
        )


def log(level: str, message: str, **fields: Any) -> None:
    """One JSON object per line, so CloudWatch Logs Insights can filter on fields."""
    print(json.dumps({"level": level, "message": message, **fields}, default=str), flush=True)


def handler(event: Any, context: Any) -> dict[str, Any]:
    event = event if isinstance(event, dict) else {}
    run = _mapping(event.get("context"))
    source = _mapping(run.get("source"))
    env = os.environ
    provider = env.get("SFNC_SOURCE_PROVIDER") or str(source.get("provider") or "")
    repository = env.get("SFNC_REPOSITORY") or str(source.get("repository") or "")
    pipeline = str(run.get("pipeline") or env.get("SFNC_PIPELINE") or "pipeline")
    execution = str(run.get("execution_id") or "")
    log("info", "marking ready", provider=provider, repository=repository, execution=execution)
    if provider == "github":
        return mark_github(repository, source, pipeline, execution, env, context)
    if provider == "codecommit":
        return mark_codecommit(repository, source, pipeline, execution)
    raise MarkReadyError(f"unknown source provider {provider!r}: expected github or codecommit")


def mark_github(
    repository: str,
    source: Mapping[str, Any],
    pipeline: str,
    execution: str,
    env: Mapping[str, str],
    context: Any = None,
) -> dict[str, Any]:
    if not OWNER_REPO.fullmatch(repository):
        raise MarkReadyError(f"GitHub repository {repository!r} is not of the form owner/name")
    reference = env.get("SFNC_SECRET_GITHUB_TOKEN")
    if not reference:
        raise MarkReadyError("SFNC_SECRET_GITHUB_TOKEN is not set: list github-token in secrets")
    github = GitHub(
        env.get("GITHUB_API_URL", "https://api.github.com"),
        resolve_secret(reference),
        HttpSettings.from_env(env, context),
    )
    ref = str(source.get("commit") or source.get("branch") or "")
    if not ref:
        raise MarkReadyError("the event names neither a commit nor a branch")
    repo_path = f"/repos/{repository}"
    if FULL_SHA.fullmatch(ref):
        sha = ref.lower()
    else:
        # Started without a commit id: mark what the ref points at now.
        commit = github.request("GET", f"{repo_path}/commits/{urllib.parse.quote(ref, safe='/')}")
        sha = str(_mapping(commit).get("sha") or "")
        if not FULL_SHA.fullmatch(sha):
            raise MarkReadyError(f"GitHub did not resolve {ref!r} to a commit")
    status = {
        "state": "success",
        "context": STATUS_CONTEXT,
        "description": f"{pipeline}: all checks passed"[:140],
    }
    link = execution_link(execution, env)
    if link:
        status["target_url"] = link
    github.request("POST", f"{repo_path}/statuses/{sha}", status)
    log("info", "commit status set", repository=repository, sha=sha, context=STATUS_CONTEXT)
    return {"provider": "github", "repository": repository, "sha": sha, "state": "success"}


class GitHub:
    """A small GitHub REST client: JSON in and out, retries, and a token kept out of sight."""

    def __init__(self, api_url: str, token: str, settings: HttpSettings) -> None:
        if not api_url.startswith(("https://", "http://")):
            raise MarkReadyError(f"GITHUB_API_URL {api_url!r} is not an http(s) URL")
        self._api = api_url.rstrip("/")
        self._token = token
        self._settings = settings

    def request(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        attempts = self._settings.attempts
        for attempt in range(1, attempts + 1):
            try:
                return self._send(method, path, body)
            except urllib.error.HTTPError as error:
                detail = self._redact(_error_message(error))
                problem = f"GitHub {method} {path} answered {error.code} {detail}"
                if not _retryable(error):
                    hint = HINTS.get(error.code, "see the message above")
                    raise MarkReadyError(f"{problem} - {hint}") from None
                delay = _retry_after(error.headers) or self._backoff(attempt)
            except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
                problem = f"GitHub {method} {path} failed: {self._redact(repr(error))}"
                delay = self._backoff(attempt)
            if attempt == attempts:
                raise MarkReadyError(f"{problem} (gave up after {attempts} attempts)")
            delay = min(delay, self._settings.max_sleep)
            deadline = self._settings.deadline
            # Better a clear error now than the function's timeout in the middle of a call.
            if (
                deadline is not None
                and time.monotonic() + delay + self._settings.timeout > deadline - 1
            ):
                raise MarkReadyError(f"{problem} (gave up: no time left for attempt {attempt + 1})")
            log("warning", "retrying", problem=problem, attempt=attempt, sleep_seconds=delay)
            time.sleep(delay)
        raise AssertionError("unreachable")

    def _send(self, method: str, path: str, body: Mapping[str, Any] | None) -> Any:
        # The scheme is checked in __init__, so no file:// or other handler is reachable.
        request = Request(  # nosec B310  # noqa: S310
            self._api + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {self._token}",
                "X-GitHub-Api-Version": "2022-11-28",
                "Content-Type": "application/json",
                "User-Agent": "sfnc-mark-pr-ready",
            },
        )
        timeout = self._settings.timeout
        with urlopen(request, timeout=timeout) as response:  # nosec B310  # noqa: S310
            raw = response.read()
        return json.loads(raw) if raw else None

    def _backoff(self, attempt: int) -> float:
        return float(self._settings.backoff * 2 ** (attempt - 1))

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text


def mark_codecommit(
    repository: str, source: Mapping[str, Any], pipeline: str, execution: str
) -> dict[str, Any]:
    pull_request = str(source.get("pull_request") or "").strip()
    result: dict[str, Any] = {"provider": "codecommit", "pull_request": pull_request}
    if not pull_request:
        log("info", "no pull request for this run: nothing to mark", repository=repository)
        return {**result, "skipped": "no pull request"}
    client = boto3.client("codecommit")
    pull = client.get_pull_request(pullRequestId=pull_request)["pullRequest"]
    if pull.get("pullRequestStatus") != "OPEN":
        log("info", "pull request is not open: nothing to mark", pull_request=pull_request)
        return {**result, "skipped": "pull request is not open"}
    targets = pull.get("pullRequestTargets") or []
    target = next((t for t in targets if t.get("repositoryName") == repository), None)
    if target is None and targets:
        target = targets[0]
    if target is None:
        raise MarkReadyError(f"pull request {pull_request} has no target in {repository!r}")
    tested = str(source.get("commit") or "")
    head = str(target.get("sourceCommit") or "")
    if FULL_SHA.fullmatch(tested) and tested.lower() != head.lower():
        # Approving now would vouch for commits this run never tested.
        log("warning", "pull request moved on since this run started", tested=tested, head=head)
        return {**result, "skipped": "pull request head is not the tested commit"}
    link = execution_link(execution, os.environ)
    client.post_comment_for_pull_request(
        pullRequestId=pull_request,
        repositoryName=str(target["repositoryName"]),
        beforeCommitId=str(target["destinationCommit"]),
        afterCommitId=head,
        content=f"Pipeline {pipeline} passed for {head[:7]}." + (f" Run: {link}" if link else ""),
        # The same token for a retried invocation stops a second, duplicate comment.
        clientRequestToken=hashlib.sha256(f"{execution}|{pull_request}".encode()).hexdigest()[:64],
    )
    client.update_pull_request_approval_state(
        pullRequestId=pull_request, revisionId=str(pull["revisionId"]), approvalState="APPROVE"
    )
    log("info", "pull request approved", pull_request=pull_request, head=head)
    return {**result, "approved": True, "head": head}


def execution_link(execution_arn: str, env: Mapping[str, str]) -> str | None:
    """The Step Functions console page of the execution, in the execution's own region."""
    parts = execution_arn.split(":")
    if len(parts) < 8 or parts[0] != "arn" or parts[5] != "execution":
        return None
    region = parts[3] or env.get("SFNC_CONSOLE_REGION") or env.get("AWS_REGION") or "us-east-1"
    host = {"aws-cn": "console.amazonaws.cn", "aws-us-gov": "console.amazonaws-us-gov.com"}.get(
        parts[1], f"{region}.console.aws.amazon.com"
    )
    return f"https://{host}/states/home?region={region}#/v2/executions/details/{execution_arn}"


def resolve_secret(reference: str) -> str:
    """Read a ``secretsmanager:<id>`` or ``ssm:<name>`` reference."""
    kind, _, name = reference.partition(":")
    if kind == "secretsmanager" and name:
        secret = boto3.client("secretsmanager").get_secret_value(SecretId=name)
        return str(secret["SecretString"]).strip()
    if kind == "ssm" and name:
        parameter = boto3.client("ssm").get_parameter(Name=name, WithDecryption=True)
        return str(parameter["Parameter"]["Value"]).strip()
    raise MarkReadyError(
        f"unsupported secret reference {reference!r}: use secretsmanager:<id> or ssm:<name>"
    )


def _retryable(error: urllib.error.HTTPError) -> bool:
    if error.code in RETRYABLE_STATUSES or error.code >= 500:
        return True
    # GitHub's rate limits answer 403 too, but say when to come back.
    return error.code == 403 and (
        "Retry-After" in error.headers or error.headers.get("X-RateLimit-Remaining") == "0"
    )


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    if value is None:
        reset = headers.get("X-RateLimit-Reset") if headers is not None else None
        return max(0.0, float(reset) - time.time()) if reset and reset.isdigit() else None
    if value.strip().isdigit():
        return float(value)
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _error_message(error: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(error.read() or b"{}")
    except (ValueError, OSError):
        body = {}
    message = body.get("message") if isinstance(body, dict) else None
    return f"{error.reason}: {message}" if message else str(error.reason)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}
