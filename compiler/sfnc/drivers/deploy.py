"""`sfnc deploy`, step by step: assets, change set, preview, confirmation, execution.

Each step either moves on or raises DeployError with what to do next. The
view decides how things look; this module decides what happens.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sfnc.api import ASSETS_BUCKET_PARAMETER, Compiled
from sfnc.drivers import changeset
from sfnc.drivers.assets import AssetStore, custom_endpoint, default_bucket_name
from sfnc.drivers.aws import Clients
from sfnc.drivers.follow import (
    DEFAULT_BACKOFF,
    Backoff,
    EventPoller,
    Mark,
    follow,
    latest_mark,
)
from sfnc.drivers.parameters import RESERVED_PREFIX, cfn_parameters, resolve
from sfnc.drivers.progress import View, interrupted_lines
from sfnc.drivers.stack import SUCCEEDED, change_set_type, describe
from sfnc.drivers.tracker import Tracker

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient

# CloudFormation takes a template inline up to this many bytes; beyond, only from S3.
INLINE_TEMPLATE_LIMIT = 51_200
EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130


@dataclass(frozen=True)
class DeployOptions:
    stack_name: str
    parameters: dict[str, str] = field(default_factory=dict)
    assets_bucket: str | None = None
    assume_yes: bool = False
    execute: bool = True
    rollback: bool = True


def change_set_name(now: datetime | None = None) -> str:
    moment = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return f"sfnc-{moment}-{uuid.uuid4().hex[:6]}"  # two deploys in one second stay apart


def size(n: int) -> str:
    return f"{n:,} bytes" if n < 10_000 else f"{n / 1024:,.1f} KiB"


class Deployer:
    def __init__(self, clients: Clients, view: View, *,
                 sleep: Callable[[float], None] = time.sleep,
                 backoff: Backoff = DEFAULT_BACKOFF) -> None:
        self.clients, self.view, self.sleep, self.backoff = clients, view, sleep, backoff

    def run(self, compiled: Compiled, options: DeployOptions) -> int:
        cfn, view = self.clients.cloudformation, self.view
        pipeline, template = compiled.pipeline.name, compiled.template
        account = self.clients.account_id  # first: fails fast on credentials and endpoint
        stack = describe(cfn, options.stack_name)
        kind = change_set_type(stack)
        previous = stack.parameters if stack is not None and kind == "UPDATE" else ()
        placeholders = {a.parameter: "-" for a in compiled.assets}
        placeholders[ASSETS_BUCKET_PARAMETER] = "-"
        # The user's parameters are checked before anything is uploaded.
        resolve(template, options.parameters, placeholders, previous)

        endpoint = custom_endpoint(self.clients.s3)
        view.step(f"Account {account}, region {self.clients.region}"
                  + (f", endpoint {endpoint} (not AWS)" if endpoint else ""))
        store = self._store(account, options.assets_bucket)
        filled = self._publish_assets(store, compiled)
        values = resolve(template, options.parameters, filled, previous)
        source = self._template_source(store, compiled)
        # sfnc's own parameters (bucket, code keys) were shown with the assets above.
        view.parameters([v for v in values if not v.key.startswith(RESERVED_PREFIX)])

        created = changeset.create(
            cfn, stack_name=options.stack_name, name=change_set_name(), kind=kind,
            parameters=cfn_parameters(values), tags={"sfnc:pipeline": pipeline},
            description=f"sfnc deploy of {compiled.pipeline.file}", **source)
        if created is None:
            view.step(f"No changes: stack {options.stack_name} is up to date.")
            return EXIT_OK
        arn = created
        view.step(f"Waiting for change set {arn.split('/')[-2]}…")
        ready = changeset.wait(cfn, arn, kind, sleep=self.sleep)
        if ready is None:
            changeset.delete(cfn, arn)
            view.step(f"No changes: stack {options.stack_name} is up to date.")
            return EXIT_OK
        verb = "create" if kind == "CREATE" else "update"
        view.change_set(ready, f"Change set {ready.name} ({verb} stack {options.stack_name})")
        if not options.execute:
            view.step(f"Not executed (--no-execute). The change set stays for review: "
                      f"{ready.name}\n  {ready.arn}\nExecute it with: aws cloudformation "
                      f"execute-change-set --change-set-name {ready.arn}")
            return EXIT_OK
        if not options.assume_yes:
            answer = self._ask(f"Deploy these changes to stack {options.stack_name}?")
            if answer is not True:
                self._discard(ready, new_stack=stack is None)
                view.step("Cancelled: nothing was deployed, the change set was deleted.")
                return EXIT_INTERRUPTED if answer is None else EXIT_FAILED

        return execute(cfn, view, ready, options.stack_name, rollback=options.rollback,
                       sleep=self.sleep, backoff=self.backoff)

    def _publish_assets(self, store: AssetStore, compiled: Compiled) -> dict[str, str]:
        """Upload the functions' code; the parameters that tell the template where it is."""
        filled = {ASSETS_BUCKET_PARAMETER: store.bucket}
        for asset in compiled.assets:
            package = store.publish(compiled.pipeline.name, asset)
            filled[asset.parameter] = package.key
            state = "uploaded" if package.uploaded else "unchanged, already uploaded"
            self.view.step(f"Function {asset.function}: {state} s3://{store.bucket}/"
                           f"{package.key} ({size(package.size)})")
        return filled

    def _template_source(self, store: AssetStore, compiled: Compiled) -> dict[str, str]:
        """TemplateBody, or TemplateURL for a template too big to send inline."""
        body = compiled.template_minified
        length = len(body.encode())
        if length <= INLINE_TEMPLATE_LIMIT:
            self.view.step(f"Template: {size(length)}, sent inline")
            return {"template_body": body}
        url, uploaded = store.publish_template(compiled.pipeline.name, body)
        self.view.step(f"Template: {size(length)}, over the {INLINE_TEMPLATE_LIMIT:,}-byte "
                       f"inline limit: {'uploaded to' if uploaded else 'already at'} {url}")
        return {"template_url": url}

    def _store(self, account: str, bucket: str | None) -> AssetStore:
        s3, region = self.clients.s3, self.clients.region
        if bucket:
            store = AssetStore(s3, bucket, region)
            store.ensure(create=False)
            return store
        store = AssetStore(s3, default_bucket_name(account, region), region,
                           expected_owner=account)
        if store.ensure(create=True):
            self.view.step(f"Created the assets bucket s3://{store.bucket} (SSE-S3 encryption, "
                           "public access blocked)")
        return store

    def _ask(self, question: str) -> bool | None:
        """True or False from the user; None for Ctrl-C or a closed stdin."""
        try:
            return self.view.confirm(question)
        except (KeyboardInterrupt, EOFError):
            return None

    def _discard(self, ready: changeset.ChangeSet, new_stack: bool) -> None:
        cfn = self.clients.cloudformation
        changeset.delete(cfn, ready.arn)
        if new_stack:
            # The CREATE change set made an empty stack (REVIEW_IN_PROGRESS); leave no trace.
            cfn.delete_stack(StackName=ready.stack_id)


def execute(cfn: CloudFormationClient, view: View, ready: changeset.ChangeSet,
            stack_name: str, *, rollback: bool = True,
            sleep: Callable[[float], None] = time.sleep,
            backoff: Backoff = DEFAULT_BACKOFF) -> int:
    """Execute a change set and follow it to the end: 0 deployed, 1 failed, 130 Ctrl-C."""
    mark = latest_mark(cfn, ready.stack_id)
    cfn.execute_change_set(ChangeSetName=ready.arn, DisableRollback=not rollback)
    tracker = Tracker(ready.stack_id, stack_name, total=len(ready.changes))
    for change in ready.changes:
        tracker.expect(change.logical_id, change.resource_type)
    title = f"{'Creating' if ready.kind == 'CREATE' else 'Updating'} {stack_name}"
    status = follow_operation(cfn, view, tracker, mark, title, sleep=sleep, backoff=backoff)
    if status is None:
        return EXIT_INTERRUPTED
    if status not in SUCCEEDED:
        return EXIT_FAILED
    final = describe(cfn, ready.stack_id)
    view.outputs(final.outputs if final else ())
    return EXIT_OK


def follow_operation(cfn: CloudFormationClient, view: View, tracker: Tracker, mark: Mark,
                     title: str,
                     *, sleep: Callable[[float], None] = time.sleep,
                     backoff: Backoff = DEFAULT_BACKOFF, seen: tuple[str, ...] = (),
                     operation: str = "deployment") -> str | None:
    """Follow the stack live until its operation ends; the final status, or None on Ctrl-C
    (which stops the following, not the operation)."""
    poller = EventPoller(cfn, tracker.stack_id, mark, seen=seen)
    try:
        with view.following(tracker, title) as live:
            status = follow(poller, live.events, live.wait, backoff)
    except KeyboardInterrupt:
        for line in interrupted_lines(tracker.stack_name, operation):
            view.warn(line)
        return None
    view.outcome(tracker, status)
    return status
