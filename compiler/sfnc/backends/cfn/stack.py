"""The template being built, and helpers every resource module shares."""

from __future__ import annotations

from typing import Any, TypeVar

from troposphere import AWSObject, Equals, Not, Parameter, Ref, Sub, Template
from troposphere import iam as tiam

from sfnc import model
from sfnc.api import ASSETS_BUCKET_PARAMETER
from sfnc.backends import iam
from sfnc.backends.iam import user_text
from sfnc.naming import function_id
from sfnc.references import REFERENCE

T = TypeVar("T", bound=AWSObject)

LOG_RETENTION_DAYS = 30
IMAGE_BUNDLES = ("ecr:push", "ecr:pull")
TOPIC_BUNDLE = "notifications:publish"


def text(value: str) -> Any:
    """A user string: substituted when it names ${Parameters}, literal otherwise.

    ${!Name} is CloudFormation's escape for a literal ${Name}; without any real
    reference the string is unescaped here rather than sent through Fn::Sub.
    """
    resolved = user_text(value)
    if isinstance(resolved, str):
        return resolved
    return Ref(resolved["Ref"]) if "Ref" in resolved else Sub(value)


class _Template(Template):  # type: ignore[misc]
    def add_resource(self, resource: T) -> T:
        """troposphere raises at 500 resources; sfnc measures the whole template first so
        that it can say how many resources the pipeline needs (SFN501)."""
        added: T = self._update(self.resources, resource)
        return added


def code_parameter(function_name: str) -> str:
    return f"SfncCode{function_id(function_name)}"


class Stack:
    def __init__(self, pipeline: model.Pipeline) -> None:
        self.pipeline = pipeline
        self.template = _Template(Description=self._description())
        self.template.set_version("2010-09-09")
        stages = list(model.leaf_stages(pipeline.stages))
        self.build_stages = [s for s in stages if isinstance(s, model.BuildStage)]
        granted = {b for s in self.build_stages for b in s.permissions} | {
            b for f in pipeline.functions for b in f.permissions}
        self.needs_images = bool(granted & set(IMAGE_BUNDLES))
        self.needs_topic = bool(pipeline.on_failure or pipeline.notify_email
                                or TOPIC_BUNDLE in granted)
        # What the state machine must be allowed to start.
        self.invoked_functions = sorted(
            {s.function for s in stages if isinstance(s, model.FunctionStage)}
            | ({pipeline.on_failure} if pipeline.on_failure else set()))

    def _description(self) -> str:
        p = self.pipeline
        text_ = f"{p.name}: {p.description}" if p.description else p.name
        return f"{text_} (sfnc pipeline; generated from {p.path_in_repo})"[:1024]

    def add(self, resource: T) -> T:
        self.template.add_resource(resource)
        return resource

    def role(self, logical_id: str, service: str, policy: str,
             statements: list[dict[str, Any]]) -> None:
        """A role that ``service`` assumes, with one inline policy of ``statements``."""
        self.add(tiam.Role(
            logical_id,
            AssumeRolePolicyDocument=iam.assume_role(f"{service}.amazonaws.com"),
            Policies=[tiam.Policy(PolicyName=policy, PolicyDocument=iam.document(statements))],
        ))

    def parameters(self) -> None:
        for param in self.pipeline.parameters:
            props: dict[str, Any] = {"Type": "String"}
            if param.description:
                props["Description"] = param.description
            if param.default is not None:
                props["Default"] = param.default
            if param.allowed_values:
                props["AllowedValues"] = list(param.allowed_values)
            if param.no_echo:
                props["NoEcho"] = True
            self.template.add_parameter(Parameter(param.name, **props))
        if self.pipeline.functions:
            self.template.add_parameter(Parameter(
                ASSETS_BUCKET_PARAMETER, Type="String",
                Description="S3 bucket holding the functions' code (filled by sfnc deploy)"))
        for fn in self.pipeline.functions:
            self.template.add_parameter(Parameter(
                code_parameter(fn.name), Type="String",
                Description=f"S3 key of the zipped code of function {fn.name} "
                            "(filled by sfnc deploy)"))

    def condition_if_set(self, name: str, value: str) -> str | None:
        """A condition true when ``value`` (which may be ${Param}) is not empty.

        Returns None when the value is literal: then Python decides, not CloudFormation.
        """
        if not REFERENCE.search(value):
            return None
        self.template.add_condition(name, Not(Equals(Sub(value), "")))
        return name
