"""Scenario tags, the controls catalogue and Outline rows agree: a scenario tagged with a control
exercises that control's scope, framework tags repeat the catalogue's ids exactly, numeric bounds a
scenario states for a control are the catalogue's, and every statically enforced control is specified.

A control's scope is the resource types of its cases (Terraform types, manifest kinds) and the types
its Rego rules' files read, found through their METADATA.  A control enforced on the workloads whose
examples and rules are all Terraform gives no kinds to compare a `@workloads` scenario with.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest
import yaml

from citygate.bdd.features import ConcreteScenario, expand, load_features
from citygate.bdd.runner import match
from citygate.controls import Catalogue, Control, load_catalogue
from citygate.engines.rego_modules import metadata_blocks
from citygate.k8s.kinds import POD_SPEC_PATHS
from citygate.paths import FEATURES, ROOT

REGO = ROOT / "policies" / "rego"
TYPE_LITERALS = {"terraform": re.compile(r'"(aws_[a-z0-9_]+)"'), "kubernetes": re.compile(r'"([A-Z][A-Za-z]+)"')}
FRAMEWORK_TAGS = {"FSBP-": "fsbp", "CIS-AWS-": "cis_aws_v3", "CIS-EKS-": "cis_eks_v1_5"}
COMPANION_STEPS = ("each must have", "each must use")

CATALOGUE = load_catalogue()
SCENARIOS = [scenario for feature in load_features(FEATURES) for scenario in expand(feature)]


@cache
def _rego_types() -> dict[str, frozenset[str]]:
    """Control id -> the types quoted in the Rego files whose METADATA names that control."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted(REGO.rglob("*.rego")):
        if path.name.endswith("_test.rego"):
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        literal = TYPE_LITERALS.get(path.relative_to(REGO).parts[0])
        literals = set(literal.findall("\n".join(lines))) if literal else set()
        for block in metadata_blocks(str(path), lines):
            custom = (yaml.safe_load(block.text) or {}).get("custom") or {}
            for control in custom.get("controls", ()):
                found[control] |= literals
    return {control: frozenset(types) for control, types in found.items()}


def control_types(control: Control) -> set[str]:
    """The resource types (or kinds) a control is about; a control on pods covers every workload kind."""
    types = {t for case in control.cases for t in case.terraform}
    types |= {str(m.get("kind")) for case in control.cases for m in case.manifests}
    types |= _rego_types().get(control.id, frozenset())
    if "Pod" in types:
        types |= set(POD_SPEC_PATHS)
    return types


def scenario_types(scenario: ConcreteScenario) -> set[str]:
    """The types a scenario judges: those its Given selects and the companions its Thens move to."""
    types: set[str] = set()
    for step in scenario.scenario.steps:
        found = match(step.type, step.name)
        if found is None:
            continue
        arguments = found[1]
        if step.type == "given" or step.name.startswith(COMPANION_STEPS):
            named = arguments.get("types") or arguments.get("attached_type") or arguments.get("target_type") or ""
            types |= {t.strip() for t in named.split(",") if t.strip()}
    return types


def _controls(scenario: ConcreteScenario) -> list[Control]:
    return [control for tag in sorted(scenario.tags) if (control := CATALOGUE.get(tag))]


def _by_template() -> dict[str, list[ConcreteScenario]]:
    grouped: dict[str, list[ConcreteScenario]] = defaultdict(list)
    for scenario in SCENARIOS:
        grouped[f"{Path(scenario.feature.filename).name}: {scenario.template.name}"].append(scenario)
    return grouped


@pytest.mark.parametrize("template", sorted(_by_template()))
def test_every_control_tag_is_exercised_by_the_scenario(template: str) -> None:
    """For an Outline, at least one Examples row is about a type the control covers."""
    rows = _by_template()[template]
    for control in _controls(rows[0]):
        covered = control_types(control)
        if not covered:  # workflow controls: their cases are whole files, not typed resources
            continue
        if "workloads" in rows[0].tags and not any(t[:1].isupper() for t in covered):
            continue
        exercised = [row.key for row in rows if scenario_types(row) & covered]
        assert exercised, f"{template}: tagged {control.id}, but no row judges any of {sorted(covered)}"


def framework_disagreements(tags: set[str]) -> list[str]:
    """Framework tags (`@FSBP-RDS.3`) that differ from the catalogue's ids for the tagged controls."""
    controls = [control for tag in sorted(tags) if (control := CATALOGUE.get(tag))]
    found = []
    for prefix, framework in FRAMEWORK_TAGS.items():
        tagged = {tag.removeprefix(prefix) for tag in tags if tag.startswith(prefix)}
        catalogued = {fid for control in controls for fid in control.frameworks.get(framework, ())}
        if tagged and tagged != catalogued:
            found.append(f"{prefix}* tags {sorted(tagged)}, catalogue {sorted(catalogued)}")
    return found


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.key for s in SCENARIOS])
def test_framework_tags_equal_the_catalogue(scenario: ConcreteScenario) -> None:
    assert not framework_disagreements(scenario.tags), scenario.key


def test_a_framework_tag_that_leaves_out_a_catalogued_id_is_found() -> None:
    assert framework_disagreements({"CG-ENC-2", "FSBP-RDS.3"})  # the catalogue also names RDS.27 and RDS.4
    assert not framework_disagreements({"CG-ENC-2", "FSBP-RDS.3", "FSBP-RDS.27", "FSBP-RDS.4"})


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.key for s in SCENARIOS])
def test_bounds_a_scenario_states_are_its_controls_parameters(scenario: ConcreteScenario) -> None:
    """`must be between "100" and "10000"` on a control with bounds in the catalogue restates them."""
    bounds = [
        (float(arguments["low"]), float(arguments["high"]))
        for step in scenario.scenario.steps
        if (found := match(step.type, step.name)) and {"low", "high"} <= set(arguments := found[1])
    ]
    for control in _controls(scenario):
        numbers = {
            k: v for k, v in control.parameters.items() if isinstance(v, int | float) and not isinstance(v, bool)
        }
        pairs = {(numbers[k], numbers[k.removesuffix("_min") + "_max"]) for k in numbers if k.endswith("_min")}
        for low, high in bounds if pairs else ():
            assert (low, high) in pairs, f"{scenario.key}: {low:g}..{high:g}, {control.id} parameters {pairs}"


def test_a_tag_on_a_type_outside_the_control_is_found(tmp_path: Path) -> None:
    """The check itself can fail: a scenario about SageMaker tagged with the S3 encryption control."""
    (tmp_path / "x.feature").write_text(
        "@CG-ENC-1\nFeature: x\n  Scenario: y\n"
        '    Given resources of type "aws_sagemaker_endpoint_configuration"\n    Then "kms_key_arn" must be set\n'
    )
    (scenario,) = expand(load_features(tmp_path)[0])
    assert not scenario_types(scenario) & control_types(CATALOGUE.get("CG-ENC-1"))  # type: ignore[arg-type]


def _specified(catalogue: Catalogue) -> set[str]:
    return {tag for scenario in SCENARIOS for tag in scenario.tags if catalogue.get(tag)}


def test_every_statically_enforced_control_has_a_scenario() -> None:
    missing = [c.id for c in CATALOGUE if "static" in c.stages and c.id not in _specified(CATALOGUE)]
    assert not missing, f"controls enforced statically without a scenario: {missing}"
