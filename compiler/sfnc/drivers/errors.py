"""One-line explanations for everything that can go wrong while talking to AWS.

Commands print ``explain(exc)`` instead of a traceback: a user with a missing
profile, an expired token or an unreachable endpoint needs the next step, not
botocore's internals.
"""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOError,
    TokenRetrievalError,
)


class DeployError(Exception):
    """A failure sfnc understands: its message is the whole story, no traceback needed."""


_ACCESS_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
                  "UnrecognizedClientException", "AuthorizationError"}
_BAD_CREDENTIALS = {"InvalidClientTokenId", "SignatureDoesNotMatch", "InvalidAccessKeyId",
                    "IncompleteSignature"}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired"}


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def error_message(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message", "")).strip()


def explain(exc: BaseException) -> str:
    """A one-line description of an AWS or connection failure, with the way out."""
    if isinstance(exc, DeployError):
        return str(exc)
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return ("no AWS credentials found: set AWS_PROFILE (or pass --profile), or "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
    if isinstance(exc, ProfileNotFound):
        return f"{exc}: check the name, or list profiles with `aws configure list-profiles`"
    if isinstance(exc, NoRegionError):
        return "no AWS region: pass --region or set AWS_REGION"
    if isinstance(exc, SSOError | TokenRetrievalError):
        return f"AWS SSO login needed ({exc}): run `aws sso login` for the profile"
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError):
        url = getattr(exc, "kwargs", {}).get("endpoint_url", "")
        return (f"cannot reach the AWS endpoint {url}".rstrip() +
                ": check --endpoint-url, --region and your network")
    if isinstance(exc, ReadTimeoutError):
        return f"AWS did not answer in time: {exc}"
    if isinstance(exc, ClientError):
        return _explain_client_error(exc)
    if isinstance(exc, BotoCoreError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _explain_client_error(exc: ClientError) -> str:
    code, message = error_code(exc), error_message(exc)
    operation = getattr(exc, "operation_name", "") or "the AWS call"
    if code in _ACCESS_DENIED:
        return f"access denied to {operation}: {message or code}"
    if code in _BAD_CREDENTIALS:
        return f"AWS rejected the credentials ({code}): {message}".rstrip(": ")
    if code in _EXPIRED:
        return f"the AWS credentials have expired ({code}): refresh them and try again"
    return f"{operation} failed: {code}: {message}".rstrip(": ")
