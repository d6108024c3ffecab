"""Plan and synth loaders: one normalized model, addresses, unknowns, references, fail closed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citygate.errors import CitygateError
from citygate.inputs import load_plan, load_synth
from tests.corpus import PLANS as CORPUS
from tests.gate.core.conftest import CONFIGURATION_PLAN

corpus_plans = sorted(CORPUS.glob("*.json"))


@pytest.mark.parametrize("plan", corpus_plans, ids=[p.stem for p in corpus_plans])
def test_every_corpus_plan_loads_with_addresses_matching_the_plan(plan: Path) -> None:
    document = json.loads(plan.read_text())
    inventory = load_plan(plan)
    changed = {c["address"] for c in document.get("resource_changes", []) if c["change"]["actions"] != ["delete"]}
    addresses = {r.address for r in inventory.resources}
    assert changed <= addresses
    for resource in inventory.resources:
        assert resource.address.endswith(
            f"{resource.type}.{resource.name}"
            + (f"[{json.dumps(resource.index)}]" if resource.index is not None else "")
        )
        assert (
            resource.address.startswith(resource.module)
            if resource.module
            else not resource.address.startswith("module.")
        )


def test_module_count_and_for_each_instances_are_addressed() -> None:
    inventory = load_plan(CORPUS / "terraform-compliance__cli__issue456-modules-foreach.json")
    addresses = {r.address for r in inventory.resources}
    assert 'module.ecr_repository_with_for["repository_1"].aws_ecr_repository.ecr_repository' in addresses
    assert "module.ecr_repository_with_count[2].aws_ecr_repository.ecr_repository" in addresses
    instance = next(r for r in inventory.resources if r.address == "aws_instance.server[1]")
    assert (instance.index, instance.module) == (1, "")


def test_references_are_resolved_within_the_module_instance() -> None:
    inventory = load_plan(CORPUS / "terraform-compliance__cli__issue456-modules-foreach.json")
    server = next(
        r for r in inventory.resources if r.address == "module.ecr_repository_with_count[1].aws_instance.ecr_repository"
    )
    assert server.references["ami"] == ("module.ecr_repository_with_count[1].data.aws_ami.ubuntu",)


def test_delete_only_changes_are_not_judged_but_replacements_are() -> None:
    inventory = load_plan(CORPUS / "hieven__terraform-visual__aws-s3-create-delete-replace.json")
    assert {r.address for r in inventory.resources} == {
        "aws_s3_bucket.s3_bucket_create",
        "aws_s3_bucket.s3_bucket_update",
    }


def test_after_unknown_paths_and_nested_references(compliant_plan: Path) -> None:
    inventory = load_plan(compliant_plan)
    sse = next(r for r in inventory.resources if r.type == "aws_s3_bucket_server_side_encryption_configuration")
    path = "rule.0.apply_server_side_encryption_by_default.0.kms_master_key_id"
    assert path in sse.unknown
    assert sse.references[path] == ("aws_kms_key.data",)
    assert sse.references["bucket"] == ("aws_s3_bucket.raw",)


CONFIGURATION = CONFIGURATION_PLAN


def test_configuration_tells_which_attributes_the_author_wrote() -> None:
    by_address = {r.address: r for r in load_plan(CONFIGURATION).resources}
    unwritten = by_address["aws_dynamodb_table.unwritten"]
    assert "server_side_encryption" in unwritten.unknown
    assert unwritten.configured is not None
    assert not any(p.startswith("server_side_encryption") for p in unwritten.configured)
    assert "point_in_time_recovery.0.enabled" in unwritten.configured
    assert "server_side_encryption.0.kms_key_arn" in by_address["aws_dynamodb_table.by_reference"].configured
    assert all(
        r.configured is None
        for r in load_plan(CORPUS / "hieven__terraform-visual__aws-s3-create-delete-replace.json").resources
    )


def test_references_are_followed_through_module_variables_and_outputs() -> None:
    by_address = {r.address: r for r in load_plan(CONFIGURATION).resources}
    table = by_address["aws_dynamodb_table.by_reference"]
    assert table.references["server_side_encryption.0.kms_key_arn"] == ("aws_kms_key.data",)
    assert by_address["module.keys.aws_kms_alias.upstream"].references["target_key_id"] == ("aws_kms_key.data",)


def test_json_syntax_policy_templates_are_kept_as_values_like_synth() -> None:
    by_address = {r.address: r for r in load_plan(CONFIGURATION).resources}
    template = by_address["aws_iam_role.template"]
    assert "assume_role_policy" not in template.unknown
    statement = json.loads(template.values["assume_role_policy"])["Statement"][0]
    assert statement["Principal"] == {"Federated": "${aws_iam_openid_connect_provider.eks.arn}"}
    assert template.references["assume_role_policy"] == ("aws_iam_openid_connect_provider.eks",)
    encoded = by_address["aws_iam_role.encoded"]  # jsonencode(): no text in the configuration
    assert "assume_role_policy" in encoded.unknown
    assert "assume_role_policy" not in encoded.values


def test_blocks_the_configuration_does_not_spell_out_count_as_written() -> None:
    """`dynamic` blocks (here a security group's rules) are absent from the configuration's expressions."""
    plan = CORPUS / "Andr1yK__aws_devops_task_3_configure_network__configure-network.json"
    group = next(r for r in load_plan(plan).resources if r.address == "aws_security_group.sg")
    assert group.configured is not None
    assert {"ingress", "egress", "name", "vpc_id"} <= set(group.configured)


def test_synth_tokens_become_unknown_paths_and_references(tmp_path: Path) -> None:
    stack = tmp_path / "stacks" / "citygate-dev" / "cdk.tf.json"
    stack.parent.mkdir(parents=True)
    stack.write_text(
        json.dumps(
            {
                "resource": {
                    "aws_kms_key": {"data": {"enable_key_rotation": True, "//": {"metadata": {}}}},
                    "aws_cloudwatch_log_group": {"app": {"name": "/app", "kms_key_id": "${aws_kms_key.data.arn}"}},
                    "aws_iam_role": {"r": {"assume_role_policy": "${data.aws_iam_policy_document.trust.json}"}},
                },
                "data": {"aws_iam_policy_document": {"trust": {"statement": [{"actions": ["sts:AssumeRole"]}]}}},
            }
        )
    )
    inventory = load_synth(tmp_path)
    by_address = {r.address: r for r in inventory.resources}
    group = by_address["aws_cloudwatch_log_group.app"]
    assert (group.values, group.unknown, group.references) == (
        {"name": "/app"},
        ("kms_key_id",),
        {"kms_key_id": ("aws_kms_key.data",)},
    )
    assert by_address["aws_iam_role.r"].references["assume_role_policy"] == ("data.aws_iam_policy_document.trust",)
    assert by_address["data.aws_iam_policy_document.trust"].mode == "data"
    assert "//" not in by_address["aws_kms_key.data"].values
    assert inventory.environment == "dev"


@pytest.mark.parametrize(
    "content",
    [
        "",
        "   ",
        "not json",
        "[]",
        "42",
        '{"format_version": "1.2"}',
        '{"format_version": "9.0", "resource_changes": []}',
        '{"format_version": "1.2", "resource_changes": []}',
        '{"format_version": "1.2", "resource_changes": {"a": 1}}',
        '{"format_version": "1.2", "resource_changes": [{"address": 5, "type": "x", "change": {}}]}',
        '{"format_version": "1.2", "resource_changes": [{"address": "a.b", "type": "a", "change": {"actions": "create"}}]}',
    ],
)
def test_malformed_plans_fail_closed(tmp_path: Path, content: str) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(content)
    with pytest.raises(CitygateError):
        load_plan(plan)


def test_a_folder_of_several_stacks_names_them_instead_of_merging_their_addresses(tmp_path: Path) -> None:
    for env in ("dev", "prod"):
        stack = tmp_path / "stacks" / f"citygate-{env}"
        stack.mkdir(parents=True)
        (stack / "cdk.tf.json").write_text(json.dumps({"resource": {"aws_kms_key": {"data": {}}}}))
    with pytest.raises(CitygateError, match=r"2 stacks \(citygate-dev, citygate-prod\)"):
        load_synth(tmp_path)
    assert load_synth(tmp_path / "stacks" / "citygate-dev").environment == "dev"


def test_missing_plan_and_empty_synth_fail_closed(tmp_path: Path) -> None:
    with pytest.raises(CitygateError):
        load_plan(tmp_path / "absent.json")
    with pytest.raises(CitygateError):
        load_synth(tmp_path)
