"""The controls catalogue: valid, complete, and consistent with the Rego rules and fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citygate.controls import load_catalogue, load_file
from citygate.engines.policyset import load_policy_set
from citygate.errors import CitygateError
from citygate.paths import CONTROLS_DIR, REGO_DIR
from tests.fixtures.plans.generate import expected


def test_catalogue_merges_every_file_and_each_control_has_rules() -> None:
    catalogue = load_catalogue()
    assert len(catalogue) >= 30
    assert all(control.rules for control in catalogue)
    assert catalogue.controls_for_rule("CKV_AWS_145") == ["CG-ENC-1"]


def test_every_terraform_rego_rule_names_existing_controls() -> None:
    catalogue = load_catalogue()
    metadata = load_policy_set(REGO_DIR / "terraform").metadata
    for rule_id, meta in metadata.items():
        assert meta.controls, rule_id
        for control in meta.controls:
            assert catalogue.get(control) is not None, f"{rule_id} names unknown control {control}"
            assert rule_id in catalogue.controls[control].rules, f"{control} does not list {rule_id}"


def test_every_aws_control_has_a_noncompliant_fixture() -> None:
    """A generated fixture plan (tests/fixtures/plans/generate.py) or a noncompliant catalogue case."""
    aws = {c.id for c in load_catalogue() if c.file.endswith("aws.yaml") and c.stages != ("recorded",)}
    fixtures = {entry["control"] for entry in expected().values()}
    cases = {c.id for c in load_catalogue() if any(not case.compliant for case in c.cases)}
    assert fixtures <= aws
    assert aws - fixtures - cases == set()


@pytest.mark.parametrize(
    "text",
    [
        "controls: []",
        "controls: [{id: CG-X-1}]",
        "controls: [{id: bad, title: t, description: d, severity: high, frameworks: {}, rules: [], stages: []}]",
        "not: [valid",
    ],
)
def test_invalid_catalogue_files_fail_closed(tmp_path: Path, text: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    schema = json.loads((CONTROLS_DIR / "schema.json").read_text())
    with pytest.raises(CitygateError):
        load_file(bad, schema)


def test_a_control_without_rules_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "schema.json").write_text((CONTROLS_DIR / "schema.json").read_text())
    (tmp_path / "x.yaml").write_text(
        "controls:\n- id: CG-X-1\n  title: A title\n  description: A description long enough.\n  severity: low\n"
        "  frameworks: {fsbp: [], cis_aws_v3: [], cis_eks_v1_5: [], nist_800_53: []}\n  rules: []\n  stages: [static]\n"
    )
    with pytest.raises(CitygateError, match="rules"):
        load_catalogue(tmp_path)


CONTROL_YAML = (
    "controls:\n- id: CG-X-1\n  title: A title\n  description: A description long enough.\n  severity: low\n"
    "  frameworks: {fsbp: [], cis_aws_v3: [], cis_eks_v1_5: [], nist_800_53: []}\n  rules: [CKV_X_1]\n"
    "  stages: [static]\n"
)


def _catalogue_dir(tmp_path: Path, **files: str) -> Path:
    (tmp_path / "schema.json").write_text((CONTROLS_DIR / "schema.json").read_text())
    for name, text in files.items():
        (tmp_path / f"{name}.yaml").write_text(text)
    return tmp_path


def test_a_rule_declared_not_applicable_gives_its_reason(tmp_path: Path) -> None:
    text = CONTROL_YAML + "not_applicable:\n- rules: [CKV_X_2, AWS-9999]\n  reason: >\n    No such thing\n    here.\n"
    catalogue = load_catalogue(_catalogue_dir(tmp_path, x=text))
    assert catalogue.not_applicable("CKV_X_2") == catalogue.not_applicable("AWS-9999") == "No such thing here."
    assert catalogue.not_applicable("CKV_X_1") is None
    assert catalogue.not_applicable("CKV_X_3") is None


@pytest.mark.parametrize(
    ("files", "error"),
    [
        ({"x": CONTROL_YAML + "not_applicable:\n- {rules: [CKV_X_1], reason: r}\n"}, "CG-X-1 enforces it"),
        (
            {
                "x": CONTROL_YAML,
                "y": CONTROL_YAML.replace("X-1", "Y-1").replace("CKV_X_1", "CKV_Y_1")
                + "not_applicable:\n- {rules: [CKV_X_1], reason: r}\n",
            },
            "CG-X-1 enforces it",
        ),
        (
            {
                "x": CONTROL_YAML + "not_applicable:\n- {rules: [CKV_X_2], reason: r}\n",
                "y": CONTROL_YAML.replace("X-1", "Y-1").replace("CKV_X_1", "CKV_Y_1")
                + "not_applicable:\n- {rules: [CKV_X_2], reason: s}\n",
            },
            "declared not applicable twice",
        ),
        ({"x": CONTROL_YAML + "not_applicable:\n- {rules: [], reason: r}\n"}, "not_applicable/0/rules"),
        ({"x": CONTROL_YAML + "not_applicable:\n- {rules: [CKV_X_2], reason: '  '}\n"}, "not_applicable/0/reason"),
        ({"x": CONTROL_YAML + "not_applicable:\n- {rules: [CKV_X_2]}\n"}, "reason"),
    ],
    ids=[
        "mapped-and-not-applicable",
        "mapped-in-another-file",
        "declared-twice",
        "no-rules",
        "blank-reason",
        "no-reason",
    ],
)
def test_contradictory_or_incomplete_not_applicable_declarations_fail_closed(
    tmp_path: Path, files: dict[str, str], error: str
) -> None:
    with pytest.raises(CitygateError, match=error):
        load_catalogue(_catalogue_dir(tmp_path, **files))
