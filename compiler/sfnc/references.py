"""${Name} references in pipeline strings: what the front end checks and the back
ends substitute. Shared here so that neither side imports the other."""

from __future__ import annotations

import re

# ${!Literal} is CloudFormation's escape for a literal ${Literal}, not a reference.
REFERENCE = re.compile(r"\$\{(?!!)([^}]*)\}")
PSEUDO_PARAMETERS = frozenset({
    "AWS::AccountId", "AWS::NotificationARNs", "AWS::Partition", "AWS::Region",
    "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
})
