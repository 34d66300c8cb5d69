"""Lambda code and large templates, packaged reproducibly and uploaded once.

The same folder always zips to the same bytes (sorted entries, a fixed
timestamp, normalised permissions), so the object key can carry the content
hash: an unchanged function is neither uploaded again nor seen as changed by
CloudFormation, and a changed one gets a new key, which is what makes
CloudFormation update the function.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlparse

from botocore.exceptions import ClientError

from sfnc.api import Asset
from sfnc.drivers.errors import DeployError, error_code

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# The earliest time a zip header can hold; any fixed value would do.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
SKIPPED_DIRS = frozenset({"__pycache__", ".git", ".mypy_cache", ".pytest_cache", ".ruff_cache"})
SKIPPED_SUFFIXES = (".pyc", ".pyo")
KEY_PREFIX = "sfnc"
_NOT_FOUND = {"404", "NoSuchKey", "NoSuchBucket", "NotFound"}


@dataclass(frozen=True)
class Package:
    function: str
    parameter: str
    key: str
    sha256: str
    size: int
    uploaded: bool   # False: an identical object was already there


def _files(source: Path) -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    for folder, dirs, names in os.walk(source):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
        for name in names:
            if not name.endswith(SKIPPED_SUFFIXES):
                path = Path(folder, name)
                found.append((path.relative_to(source).as_posix(), path))
    return sorted(found)


def zip_directory(source: str | Path) -> bytes:
    """The folder as a zip whose bytes depend only on file names, contents and exec bits."""
    folder = Path(source)
    if not folder.is_dir():
        raise DeployError(f"function code folder {folder} does not exist")
    files = _files(folder)
    if not files:
        raise DeployError(f"function code folder {folder} holds no files")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, path in files:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            executable = path.stat().st_mode & stat.S_IXUSR
            info.external_attr = (stat.S_IFREG | (0o755 if executable else 0o644)) << 16
            info.create_system = 3  # Unix, so that Lambda honours the permission bits
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    return buffer.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def asset_key(pipeline: str, function: str, digest: str) -> str:
    return f"{KEY_PREFIX}/{pipeline}/{function}-{digest}.zip"


def template_key(pipeline: str, digest: str) -> str:
    return f"{KEY_PREFIX}/{pipeline}/template-{digest}.json"


def default_bucket_name(account: str, region: str) -> str:
    return f"sfnc-assets-{account}-{region}"


def object_url(bucket: str, key: str, region: str, endpoint_url: str | None) -> str:
    """Where CloudFormation fetches a template from.

    With a custom endpoint (an emulator, a private S3-compatible store) the
    path-style URL on that endpoint is the one form they all serve.
    """
    if endpoint_url:
        return f"{endpoint_url.rstrip('/')}/{bucket}/{quote(key)}"
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://{bucket}.s3.{region}.{suffix}/{quote(key)}"


class AssetStore:
    """One bucket that deploys put code and templates in, keyed by content hash."""

    def __init__(self, s3: S3Client, bucket: str, region: str,
                 expected_owner: str | None = None) -> None:
        self.s3, self.bucket, self.region = s3, bucket, region
        # Guards the default bucket name against someone else's bucket of that name.
        self._owner: dict[str, Any] = ({"ExpectedBucketOwner": expected_owner}
                                       if expected_owner else {})

    def ensure(self, create: bool) -> bool:
        """Make sure the bucket is usable; create it if allowed. True when created."""
        try:
            self.s3.head_bucket(Bucket=self.bucket, **self._owner)
            return False
        except ClientError as exc:
            code = error_code(exc)
            if code in {"403", "AccessDenied"}:
                raise DeployError(
                    f"the assets bucket {self.bucket} answered 403 Forbidden: it belongs to "
                    "another account, or these credentials may not use it (they need "
                    "s3:ListBucket, s3:GetObject and s3:PutObject on it); pass "
                    "--assets-bucket with a bucket you can write to") from exc
            if code not in _NOT_FOUND:
                raise
        if not create:
            raise DeployError(f"the assets bucket {self.bucket} does not exist: create it, or "
                              "leave out --assets-bucket and sfnc creates its own")
        self._create()
        return True

    def _create(self) -> None:
        config: dict[str, Any] = {}
        if self.region != "us-east-1":  # us-east-1 rejects its own name as a constraint
            config["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        try:
            self.s3.create_bucket(Bucket=self.bucket, **config)
        except ClientError as exc:
            if error_code(exc) != "BucketAlreadyOwnedByYou":  # a concurrent deploy won
                raise
        self.s3.put_public_access_block(
            Bucket=self.bucket, **self._owner,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True, "IgnorePublicAcls": True,
                "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
        # SSE-S3, not KMS: CloudFormation and Lambda read the objects without key grants.
        self.s3.put_bucket_encryption(
            Bucket=self.bucket, **self._owner,
            ServerSideEncryptionConfiguration={"Rules": [{
                "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                "BucketKeyEnabled": True}]})

    def exists(self, key: str) -> bool:
        try:
            self.s3.head_object(Bucket=self.bucket, Key=key, **self._owner)
            return True
        except ClientError as exc:
            if error_code(exc) in _NOT_FOUND:
                return False
            raise

    def put_once(self, key: str, body: bytes, content_type: str) -> bool:
        """Upload unless the key is there already (same key, same content). True if uploaded."""
        if self.exists(key):
            return False
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type,
                           **self._owner)
        return True

    def publish(self, pipeline: str, asset: Asset) -> Package:
        body = zip_directory(asset.source_dir)
        digest = sha256(body)
        key = asset_key(pipeline, asset.function, digest)
        uploaded = self.put_once(key, body, "application/zip")
        return Package(asset.function, asset.parameter, key, digest, len(body), uploaded)

    def publish_template(self, pipeline: str, body: str) -> tuple[str, bool]:
        """Upload the template; returns its URL and whether it was uploaded."""
        data = body.encode()
        key = template_key(pipeline, sha256(data))
        uploaded = self.put_once(key, data, "application/json")
        return object_url(self.bucket, key, self.region, custom_endpoint(self.s3)), uploaded


def custom_endpoint(s3: S3Client) -> str | None:
    """The client's endpoint when it is not AWS's own (from --endpoint-url or AWS_ENDPOINT_URL)."""
    endpoint: str = s3.meta.endpoint_url
    host = urlparse(endpoint).hostname or ""
    return None if host.endswith((".amazonaws.com", ".amazonaws.com.cn")) else endpoint
