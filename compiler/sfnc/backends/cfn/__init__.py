"""The CloudFormation back end: the model and its ASL definition → one troposphere Template.

One module per family of resources; each adds its resources to the shared
``Stack`` and reads the logical IDs of the others from ``sfnc.naming`` and
``sfnc.backends.iam.RESOURCES``, so no module needs another's objects.
"""

from __future__ import annotations

from typing import Any

from troposphere import Template

from sfnc import model
from sfnc.backends.cfn import builds, functions, outputs, statemachine, storage, target, trigger
from sfnc.backends.cfn.stack import Stack


def build_template(pipeline: model.Pipeline, definition: dict[str, Any]) -> Template:
    stack = Stack(pipeline)
    stack.parameters()
    storage.add(stack)
    builds.add(stack)
    functions.add(stack)
    target.add(stack)
    statemachine.add(stack, definition)
    trigger.add(stack)
    outputs.add(stack)
    return stack.template
