"""Template parameters at deploy time: what the user gave, what sfnc fills, what is kept.

Checked before anything is uploaded, so a forgotten ``--parameter`` costs a
second, not a change set. NoEcho values are collected for the redactor: they
must never reach the terminal, not even inside an AWS error message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sfnc.drivers.errors import DeployError

if TYPE_CHECKING:
    from mypy_boto3_cloudformation.type_defs import ParameterTypeDef

RESERVED_PREFIX = "Sfnc"  # sfnc's own parameters; the language rejects user ones (SFN311)
MASK = "****"


@dataclass(frozen=True)
class Value:
    key: str
    value: str | None      # None: keep the stack's previous value, or use the default
    use_previous: bool = False
    no_echo: bool = False

    def as_cfn(self) -> ParameterTypeDef:
        if self.use_previous:
            return {"ParameterKey": self.key, "UsePreviousValue": True}
        return {"ParameterKey": self.key, "ParameterValue": self.value or ""}

    def shown(self) -> str:
        """The value as the preview prints it."""
        if self.use_previous:
            return "(previous value)"
        if self.value is None:
            return "(default)"
        return MASK if self.no_echo else self.value


def resolve(template: Mapping[str, Any], given: Mapping[str, str], filled: Mapping[str, str],
            previous: Iterable[str]) -> list[Value]:
    """Every template parameter's value, in template order.

    ``given`` comes from --parameter, ``filled`` from sfnc (the assets bucket and
    code keys), ``previous`` names the parameters the existing stack already has.
    Raises DeployError naming every unknown or missing parameter at once.
    """
    declared: dict[str, Any] = dict(template.get("Parameters", {}))
    kept = set(previous)
    problems: list[str] = []
    unknown = sorted(set(given) - set(declared))
    if unknown:
        takes = ", ".join(k for k in declared if not k.startswith(RESERVED_PREFIX)) or "none"
        problems.append(f"unknown parameter{'s' * (len(unknown) > 1)} {', '.join(unknown)} "
                        f"(the template takes: {takes})")
    reserved = sorted(k for k in given if k.startswith(RESERVED_PREFIX) and k in declared)
    if reserved:
        problems.append(f"{', '.join(reserved)} {'is' if len(reserved) == 1 else 'are'} set by "
                        "sfnc at deploy time and cannot be passed with --parameter")
    values: list[Value] = []
    missing: list[str] = []
    for key, spec in declared.items():
        no_echo = str(spec.get("NoEcho", "false")).lower() == "true"
        if key in filled:
            values.append(Value(key, filled[key], no_echo=no_echo))
        elif key in given:
            values.append(Value(key, given[key], no_echo=no_echo))
        elif key in kept:
            values.append(Value(key, None, use_previous=True, no_echo=no_echo))
        elif "Default" in spec:
            values.append(Value(key, None, no_echo=no_echo))
        elif key.startswith(RESERVED_PREFIX):
            problems.append(f"the template parameter {key} has no value: this is a bug in "
                            "sfnc (the compiled assets and the template disagree)")
        else:
            missing.append(key)
    if missing:
        flags = " ".join(f"--parameter {k}=VALUE" for k in missing)
        problems.append(f"missing parameter{'s' * (len(missing) > 1)} {', '.join(missing)} "
                        f"(no default): pass {flags}")
    if problems:
        raise DeployError("; ".join(problems))
    return values


def cfn_parameters(values: Iterable[Value]) -> list[ParameterTypeDef]:
    """The Parameters argument of CreateChangeSet; defaults are left for CloudFormation."""
    return [v.as_cfn() for v in values if v.use_previous or v.value is not None]


def secrets(template: Mapping[str, Any], given: Mapping[str, str]) -> list[str]:
    """The values of NoEcho parameters given on the command line, for redaction."""
    declared: dict[str, Any] = dict(template.get("Parameters", {}))
    return [value for key, value in given.items()
            if value and str(declared.get(key, {}).get("NoEcho", "false")).lower() == "true"]


class Redactor:
    """Replaces secret values with a mask in anything about to be printed.

    Values shorter than ``MIN_SECRET`` are left to the places that print parameter
    values (they always mask NoEcho ones): searched for in free text, a one-letter
    "secret" would mask every word that contains the letter.
    """

    MIN_SECRET = 4

    def __init__(self, values: Iterable[str] = ()) -> None:
        # Longest first, so a secret that contains another is masked whole.
        self._values = sorted({v for v in values if len(v) >= self.MIN_SECRET}, key=len,
                              reverse=True)

    def __call__(self, text: str) -> str:
        for value in self._values:
            text = text.replace(value, MASK)
        return text
