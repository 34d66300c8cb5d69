"""Tell people that a pipeline run failed, with what they need to act on it.

Called by the state machine's failure route with
``{"context": {...}, "results": {...}, "failure": {"stage", "group", "error"}}``.
Publishes to the SNS topic in SFNC_TOPIC_ARN and, when a ``slack-webhook``
secret is configured, posts to that webhook. It never raises: the execution is
failed by the state machine right after this runs, and an error here would
replace the real failure in the execution's history.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from typing import Any
from urllib.request import Request, urlopen

import boto3

SUBJECT_LIMIT = 99  # SNS rejects subjects of 100 characters or more
CAUSE_LIMIT = 1500
FULL_SHA = re.compile(r"[0-9a-fA-F]{40}")
FAILED_PHASE_STATUSES = {"FAILED", "FAULT", "TIMED_OUT", "STOPPED"}
CONSOLE_HOSTS = {"aws-cn": "console.amazonaws.cn", "aws-us-gov": "console.amazonaws-us-gov.com"}


def log(level: str, message: str, **fields: Any) -> None:
    """One JSON object per line, so CloudWatch Logs Insights can filter on fields."""
    print(json.dumps({"level": level, "message": message, **fields}, default=str), flush=True)


def handler(event: Any, context: Any) -> dict[str, list[str]]:
    event = event if isinstance(event, dict) else {}
    env = os.environ
    subject, body = build_message(event, env)
    log("info", "pipeline failure", subject=subject)
    notified: list[str] = []
    failed: list[str] = []

    topic = env.get("SFNC_TOPIC_ARN")
    if topic:
        try:
            boto3.client("sns").publish(TopicArn=topic, Subject=subject, Message=body)
            notified.append("sns")
        except Exception as error:  # noqa: BLE001 - reporting must not mask the failure
            failed.append("sns")
            log("error", "could not publish to SNS", topic=topic, error=repr(error))

    webhook_ref = env.get("SFNC_SECRET_SLACK_WEBHOOK")
    if webhook_ref:
        webhook = ""
        try:
            webhook = resolve_secret(webhook_ref)
            post_to_webhook(webhook, f"*{subject}*\n{body}")
            notified.append("slack")
        except Exception as error:  # noqa: BLE001 - reporting must not mask the failure
            failed.append("slack")
            # A webhook URL is a credential: anyone holding it can post to the channel.
            log("error", "could not post to the Slack webhook", error=_redact(error, webhook))

    if not notified and not failed:
        log("warning", "no notification channel configured: set notifications in pipeline.yaml")
    return {"notified": notified, "failed": failed}


def build_message(event: Mapping[str, Any], env: Mapping[str, str]) -> tuple[str, str]:
    """Subject and body of the notification, from whatever parts of the event are present."""
    context = _mapping(event.get("context"))
    source = _mapping(context.get("source"))
    failure = _mapping(event.get("failure"))
    error = _mapping(failure.get("error"))

    pipeline = str(context.get("pipeline") or env.get("SFNC_PIPELINE") or "pipeline")
    stage = str(failure.get("stage") or "an unknown stage")
    group = failure.get("group")
    commit = str(source.get("commit") or "")
    branch = str(source.get("branch") or "")
    repository = str(source.get("repository") or env.get("SFNC_REPOSITORY") or "")
    provider = str(source.get("provider") or env.get("SFNC_SOURCE_PROVIDER") or "")
    pull_request = str(source.get("pull_request") or "")
    execution = str(context.get("execution_id") or "")

    # Started without a commit id, the "commit" is the branch name: say it once.
    short = commit[:7] if FULL_SHA.fullmatch(commit) else ("" if commit == branch else commit)
    where = " @ ".join(part for part in (branch, short) if part)
    subject = _subject(f"[{pipeline}] {stage} failed" + (f" on {where}" if where else ""))

    cause, log_link = summarize_cause(error.get("Cause"))
    lines = [
        f"Pipeline {pipeline} failed at stage {stage}"
        + (f" (in group {group})." if group else "."),
        "",
        f"Error:        {error.get('Error') or 'unknown'}",
        f"Cause:        {cause or 'not given'}",
    ]
    if log_link:
        lines.append(f"Build logs:   {log_link}")
    lines += [
        f"Commit:       {commit or 'unknown'}",
        f"Branch:       {branch or 'unknown'}",
        f"Pull request: {('#' + pull_request) if pull_request else 'none'}",
    ]
    if repository:
        lines.append(f"Repository:   {repository}" + (f" ({provider})" if provider else ""))
    web = _github_links(repository, commit, pull_request) if provider == "github" else []
    lines += web
    link = execution_link(execution, env)
    lines.append(f"Execution:    {link or execution or 'unknown'}")
    return subject, "\n".join(lines) + "\n"


def summarize_cause(cause: Any) -> tuple[str, str | None]:
    """A short cause and, for CodeBuild failures, the link to the build's logs."""
    if cause is None:
        return "", None
    text = cause if isinstance(cause, str) else json.dumps(cause)
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        build = parsed.get("Build", parsed.get("build"))
        if isinstance(build, dict):
            return _summarize_build(build)
        if "errorMessage" in parsed:  # a Lambda function's exception
            return _truncate(f"{parsed.get('errorType', 'Error')}: {parsed['errorMessage']}"), None
    return _truncate(text), None


def _summarize_build(build: Mapping[str, Any]) -> tuple[str, str | None]:
    # Step Functions hands the Build object over in PascalCase, the CodeBuild API in camelCase.
    status = _field(build, "BuildStatus") or "UNKNOWN"
    summary = f"CodeBuild build {_field(build, 'Id') or 'unknown'} finished {status}"
    for phase in _field(build, "Phases") or []:
        if isinstance(phase, dict) and _field(phase, "PhaseStatus") in FAILED_PHASE_STATUSES:
            summary += f" in phase {_field(phase, 'PhaseType')}"
            reasons = [
                ": ".join(str(x) for x in (_field(c, "StatusCode"), _field(c, "Message")) if x)
                for c in _field(phase, "Contexts") or []
                if isinstance(c, dict)
            ]
            if any(reasons):
                summary += " - " + "; ".join(r for r in reasons if r)
            break
    logs = _field(build, "Logs")
    link = _field(logs, "DeepLink") if isinstance(logs, dict) else None
    return _truncate(summary), str(link) if link else None


def execution_link(execution_arn: str, env: Mapping[str, str]) -> str | None:
    """The Step Functions console page of the execution, in the execution's own region."""
    parts = execution_arn.split(":")
    if len(parts) < 8 or parts[0] != "arn" or parts[5] != "execution":
        return None
    partition = parts[1]
    region = parts[3] or env.get("SFNC_CONSOLE_REGION") or env.get("AWS_REGION") or "us-east-1"
    host = CONSOLE_HOSTS.get(partition, f"{region}.console.aws.amazon.com")
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
    raise ValueError(
        f"unsupported secret reference {reference!r}: use secretsmanager:<id> or ssm:<name>"
    )


def post_to_webhook(url: str, text: str) -> None:
    if not url.startswith(("https://", "http://")):
        raise ValueError("the webhook secret does not hold an http(s) URL")
    # The scheme was checked above; the URL comes from the pipeline's own secret.
    request = Request(  # nosec B310  # noqa: S310
        url,
        data=json.dumps({"text": text}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    timeout = float(os.environ.get("SFNC_HTTP_TIMEOUT_SECONDS", "5"))
    with urlopen(request, timeout=timeout):  # nosec B310  # noqa: S310
        pass


def _github_links(repository: str, commit: str, pull_request: str) -> list[str]:
    if repository.count("/") != 1:
        return []
    base = f"https://github.com/{repository}"
    links = [f"Commit page:  {base}/commit/{commit}"] if FULL_SHA.fullmatch(commit) else []
    if pull_request:
        links.append(f"PR page:      {base}/pull/{pull_request}")
    return links


def _subject(text: str) -> str:
    # SNS takes printable ASCII only, on one line.
    clean = "".join(c if " " <= c <= "~" else "?" for c in " ".join(text.split()))
    return clean if len(clean) <= SUBJECT_LIMIT else clean[: SUBJECT_LIMIT - 3] + "..."


def _truncate(text: str) -> str:
    text = text.strip()
    return text if len(text) <= CAUSE_LIMIT else text[: CAUSE_LIMIT - 15] + " ...(truncated)"


def _field(data: Any, name: str) -> Any:
    if not isinstance(data, dict):
        return None
    return data.get(name, data.get(name[0].lower() + name[1:]))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _redact(error: Exception, secret: str) -> str:
    text = f"{type(error).__name__}: {error}"
    return text.replace(secret, "***") if secret else text
