"""The pytest-bdd binding of the vocabulary; a conftest star-imports it and provides `inventory`.

    from citygate.bdd.plugin import *   # step definitions, the `spec` fixture, the hooks

Each scenario run records, as JUnit properties, which scenario and example it is (`scenario`), what
it judged (`target`) and its evidence step by step (`evidence`: addresses checked, values seen); the
living documentation reads them, so even a run skipped before its first step is accounted for.
Feature tags are control ids (`@CG-ENC-1`, `@FSBP-S3.5`): they stay in the cucumber JSON and are not
turned into pytest marks, except the target tags (`live` also marks the run `e2e`: it applies).
A run that checked nothing is reported as a pytest skip with its reason (`SpecSkip`), or fails
under `@noskip`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when
from pytest_bdd.parser import ScenarioTemplate
from pytest_bdd.scenario import scenario_wrapper_template_registry

from citygate.bdd.excepted import scenario_exceptions
from citygate.bdd.spec import NOSKIP_TAG, Spec, SpecSkip
from citygate.bdd.vocabulary import VOCABULARY
from citygate.model import Inventory

SCENARIO_PROPERTY = "scenario"
TARGET_PROPERTY = "target"
EVIDENCE_PROPERTY = "evidence"
TARGET_TAGS = ("config", "live", "workloads", "workflows", "recorded")

_BINDERS: dict[str, Callable[..., Any]] = {"given": given, "when": when, "then": then}
_VOCABULARY_FUNCS = {definition.func for definition in VOCABULARY}

for _definition in VOCABULARY:  # registers one pytest-bdd step fixture per sentence in this module
    _BINDERS[_definition.kind](parsers.parse(_definition.pattern))(_definition.func)


def _template(item: pytest.Item) -> ScenarioTemplate | None:
    return scenario_wrapper_template_registry.get(getattr(item, "function", None))  # type: ignore[arg-type]


@pytest.fixture
def spec(
    inventory: Inventory, request: pytest.FixtureRequest, record_property: Callable[[str, object], None]
) -> Iterator[Spec]:
    template = _template(request.node)
    tags = (template.tags | template.feature.tags) if template else set()
    current = Spec(inventory, exceptions=scenario_exceptions(tags), noskip=NOSKIP_TAG in tags)
    yield current
    record_property(EVIDENCE_PROPERTY, json.dumps(current.evidence()))


def pytest_configure(config: pytest.Config) -> None:
    for tag in TARGET_TAGS:
        config.addinivalue_line("markers", f"{tag}: scenarios judged against the {tag} target")


def pytest_bdd_apply_tag(tag: str, function: Callable[..., object]) -> object:
    if tag in TARGET_TAGS:
        getattr(pytest.mark, tag)(function)
    if tag == "live":
        pytest.mark.e2e(function)
    return True


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    template = _template(item)
    if template is None:
        return
    params: dict[str, Any] = getattr(getattr(item, "callspec", None), "params", {})
    identity = {
        "feature": Path(template.feature.filename).name,
        "line": template.line_number,
        "example": params.get("_pytest_bdd_example", {}),
    }
    item.user_properties.append((SCENARIO_PROPERTY, json.dumps(identity)))
    if "target" in params:
        target = params["target"]
        item.user_properties.append((TARGET_PROPERTY, str(getattr(target, "id", target))))


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, object, object]:
    """A scenario that checked nothing is skipped, not passed (its step shows as skipped in cucumber JSON)."""
    try:
        return (yield)
    except SpecSkip as skipped:
        pytest.skip(str(skipped))


def pytest_bdd_before_step(request: pytest.FixtureRequest, step: Any, step_func: Callable[..., object]) -> None:
    if step_func in _VOCABULARY_FUNCS:
        request.getfixturevalue("spec").begin(f"{step.keyword} {step.name}")


__all__ = [
    "pytest_bdd_apply_tag",
    "pytest_bdd_before_step",
    "pytest_configure",
    "pytest_pyfunc_call",
    "pytest_runtest_setup",
    "spec",
    *(name for name in tuple(globals()) if name.startswith("pytestbdd_stepdef_")),
]
