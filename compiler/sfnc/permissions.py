"""The closed set of permission bundles a stage or function may ask for.

Only names and meanings live here, so validation does not import the IAM back
end (which builds CloudFormation objects). ``sfnc.backends.iam`` expands each
bundle into scoped statements; a test keeps the two in step.
"""

from __future__ import annotations

BUNDLES: dict[str, str] = {
    "ecr:push": "push and pull images of the pipeline's ECR repository",
    "ecr:pull": "pull images of the pipeline's ECR repository",
    "ec2:deploy": "run SSM commands on the deployment target instance and read their results",
    "artifacts:read": "read objects of the pipeline's artifact bucket",
    "artifacts:write": "read and write objects of the pipeline's artifact bucket",
    "notifications:publish": "publish to the pipeline's notification topic",
    "codecommit:pull-requests": "comment on and approve pull requests of the CodeCommit "
                                "source repository",
}
SECRET_PREFIX = "secrets:"  # noqa: S105 - a bundle prefix, not a password


def describe(bundle: str) -> str | None:
    """What a bundle grants, or None for an unknown bundle."""
    if bundle.startswith(SECRET_PREFIX):
        return f"read the secret `{bundle[len(SECRET_PREFIX):]}`"
    return BUNDLES.get(bundle)


def known_names(secret_names: list[str]) -> list[str]:
    return sorted([*BUNDLES, *(SECRET_PREFIX + name for name in secret_names)])
