"""Run one scenario against one inventory without pytest, through the same vocabulary.

pytest-bdd runs the suite for CI; this runner exists so a test can run every scenario against its
noncompliant fixture and assert that it fails, at a `Then`, for the right resource.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_bdd.parser import Scenario
from pytest_bdd.parsers import parse

from citygate.bdd.spec import NOSKIP_TAG, Spec, SpecFailure, SpecSkip
from citygate.bdd.vocabulary import VOCABULARY, StepDefinition
from citygate.exceptions import PolicyException
from citygate.model import Inventory

_PARSERS = [(definition, parse(definition.pattern)) for definition in VOCABULARY]


@dataclass
class Outcome:
    status: str  # passed | failed (requirement not met) | skipped (nothing to check) | error (undefined step, crash)
    step: str = ""  # the step that failed, skipped or errored
    message: str = ""
    evidence: list[dict[str, Any]] = field(default_factory=list)


def match(kind: str, text: str) -> tuple[StepDefinition, dict[str, Any]] | None:
    for definition, parser in _PARSERS:
        if definition.kind == kind and parser.is_matching(text):
            return definition, parser.parse_arguments(text)
    return None


def run_scenario(scenario: Scenario, inventory: Inventory, exceptions: Sequence[PolicyException] = ()) -> Outcome:
    noskip = NOSKIP_TAG in scenario.tags | scenario.feature.tags
    spec = Spec(inventory, exceptions=list(exceptions), noskip=noskip)
    for step in scenario.steps:
        text = f"{step.keyword} {step.name}"
        found = match(step.type, step.name)
        if found is None:
            return Outcome("error", text, "no step definition matches", spec.evidence())
        definition, arguments = found
        spec.begin(text)
        try:
            definition.func(spec, **arguments)
        except SpecFailure as failure:
            return Outcome("failed", text, str(failure), spec.evidence())
        except SpecSkip as skipped:
            return Outcome("skipped", text, str(skipped), spec.evidence())
        except Exception as exc:
            return Outcome("error", text, f"{type(exc).__name__}: {exc}", spec.evidence())
    return Outcome("passed", evidence=spec.evidence())
