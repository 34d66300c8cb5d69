"""Runs of the pipeline's state machine, for `sfnc status`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient


@dataclass(frozen=True)
class Execution:
    name: str
    status: str
    started: datetime
    stopped: datetime | None = None

    def took(self, now: datetime) -> float:
        return ((self.stopped or now) - self.started).total_seconds()


def latest_executions(sfn: SFNClient, arn: str, limit: int = 10) -> list[Execution]:
    """The newest first, as Step Functions lists them."""
    answer = sfn.list_executions(stateMachineArn=arn, maxResults=limit)
    return [Execution(e["name"], e["status"], e["startDate"], e.get("stopDate"))
            for e in answer["executions"]]
