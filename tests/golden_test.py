"""Golden files: each tests/golden/<case>/pipeline.yaml compiles to exactly the template.json
and statemachine.asl.json next to it. `pytest --update-golden` rewrites them; review the diff."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cfnlint.api import lint

from sfnc.api import Compiled, compile_pipeline
from tests.compile.asl_graph import all_state_names, problems

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "pipeline.yaml").exists())


def _compile(case: str) -> Compiled:
    return compile_pipeline(GOLDEN / case / "pipeline.yaml", root=REPO)


@pytest.fixture(scope="module")
def compiled() -> dict[str, Compiled]:
    return {case: _compile(case) for case in CASES}


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 9


@pytest.mark.parametrize("case", CASES)
def test_matches_golden(case: str, compiled: dict[str, Compiled], update_golden: bool) -> None:
    result = compiled[case]
    expected = {"template.json": result.template_json,
                "statemachine.asl.json": result.definition_json}
    for name, text in expected.items():
        path = GOLDEN / case / name
        if update_golden:
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"{path} is missing; run `make golden`"
        assert path.read_text(encoding="utf-8") == text, f"{case}/{name} differs; if the " \
            "change is intended, run `make golden` and review the diff"


@pytest.mark.parametrize("case", CASES)
def test_template_passes_cfn_lint(case: str, compiled: dict[str, Compiled]) -> None:
    matches = lint(compiled[case].template_json, regions=["us-east-1", "eu-west-1"])
    reported = [f"{m.rule.id} {m.message} ({m.linenumber})" for m in matches
                if m.rule.id[0] in "EW"]
    assert reported == []


@pytest.mark.parametrize("case", CASES)
def test_state_machine_graph_is_sound(case: str, compiled: dict[str, Compiled]) -> None:
    definition = compiled[case].definition
    assert problems(definition) == []
    names = all_state_names(definition)
    assert len(names) == len(set(names)), "state names must be unique across branches"
    assert all(len(name) <= 80 for name in names)


@pytest.mark.parametrize("case", CASES)
def test_embedded_definition_is_the_written_one(case: str, compiled: dict[str, Compiled]) -> None:
    machine = compiled[case].template["Resources"]["StateMachine"]["Properties"]
    embedded = json.loads(machine["DefinitionString"])
    assert embedded == compiled[case].definition
    substitutions = set(machine.get("DefinitionSubstitutions", {}))
    used = _tokens(machine["DefinitionString"])
    assert used == substitutions, "every ${Name} in the definition has a substitution"


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"\$\{([A-Za-z0-9]+)\}", text))


def test_seed_template_fits_inline(compiled: dict[str, Compiled]) -> None:
    seed = compiled["flask-webapp"]
    assert len(seed.template_minified.encode()) < 51_200
    assert seed.measures is not None
    assert not seed.measures.needs_s3_upload
