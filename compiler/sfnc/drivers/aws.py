"""Sessions and clients, built once per command from the connection options.

Every client a command uses comes from ``Clients``, so ``--endpoint-url``,
``--region``, ``--profile`` and the retry policy reach all of them alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import boto3
from botocore.config import Config

from sfnc import __version__
from sfnc.drivers.errors import DeployError

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_stepfunctions import SFNClient
    from mypy_boto3_sts import STSClient

RetryMode = Literal["standard", "adaptive"]


@dataclass(frozen=True)
class Connection:
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    retry_mode: RetryMode = "standard"
    # Deploys poll for minutes; a throttled poll should wait and retry, not fail the run.
    max_attempts: int = 8  # in all, the first try included


class Clients:
    """Lazily created clients that share one session, region, endpoint and retry policy."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        # boto3 raises ProfileNotFound here, which the commands explain.
        self.session = boto3.session.Session(profile_name=connection.profile,
                                             region_name=connection.region)
        region = self.session.region_name
        if not region:
            raise DeployError("no AWS region: pass --region or set AWS_REGION")
        self.region: str = region
        self.config = Config(
            region_name=region,
            retries={"mode": connection.retry_mode,
                     "total_max_attempts": connection.max_attempts},
            connect_timeout=10,
            read_timeout=60,
            user_agent_extra=f"sfnc/{__version__}",
        )

    @property
    def endpoint_url(self) -> str | None:
        return self.connection.endpoint_url

    @cached_property
    def cloudformation(self) -> CloudFormationClient:
        return self.session.client("cloudformation", config=self.config,
                                   endpoint_url=self.endpoint_url)

    @cached_property
    def s3(self) -> S3Client:
        return self.session.client("s3", config=self.config, endpoint_url=self.endpoint_url)

    @cached_property
    def stepfunctions(self) -> SFNClient:
        return self.session.client("stepfunctions", config=self.config,
                                   endpoint_url=self.endpoint_url)

    @cached_property
    def account_id(self) -> str:
        """The caller's account. Commands call this first, through a client that retries
        once only: a wrong endpoint or missing credentials should fail in seconds, not
        after the minute of backoff that throttling deserves."""
        quick = self.config.merge(Config(retries={"mode": self.connection.retry_mode,
                                                  "total_max_attempts": 2}, connect_timeout=5))
        sts: STSClient = self.session.client("sts", config=quick, endpoint_url=self.endpoint_url)
        return sts.get_caller_identity()["Account"]
