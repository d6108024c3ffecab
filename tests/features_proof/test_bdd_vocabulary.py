"""The step vocabulary's semantics on the cases terraform-compliance users trip over: values known
only after apply, module resources with for_each keys, live accounts without references, and
policy documents inside strings."""

from __future__ import annotations

import json
import re

import pytest

from citygate.bdd.attributes import lookup, refers_to, split_path
from citygate.bdd.excepted import scenario_exceptions
from citygate.bdd.features import expand, load_features, parse_feature
from citygate.bdd.glossary import GLOSSARY
from citygate.bdd.live import recorded_state
from citygate.bdd.runner import match, run_scenario
from citygate.bdd.spec import Spec, SpecFailure
from citygate.bdd.targets import Target, targets_for
from citygate.bdd.vocabulary import (
    each_must_have,
    given_resources,
    must_be,
    must_be_between,
    must_be_set,
    must_equal,
    must_reference,
)
from citygate.errors import CitygateError
from citygate.model import Inventory, Resource
from citygate.paths import FEATURES


def bucket(key: str) -> Resource:
    return Resource(
        f'module.lake.aws_s3_bucket.this["{key}"]', "aws_s3_bucket", "this", {}, module="module.lake", index=key
    )


def versioning(key: str, status: str) -> Resource:
    return Resource(
        f'module.lake.aws_s3_bucket_versioning.this["{key}"]',
        "aws_s3_bucket_versioning",
        "this",
        {"versioning_configuration": [{"status": status}]},
        references={"bucket": ("module.lake.aws_s3_bucket.this",)},  # configuration address: every instance
        module="module.lake",
        index=key,
    )


def spec_of(*resources: Resource, environment: str = "") -> Spec:
    return Spec(Inventory("terraform", "plan", list(resources), environment=environment))


def test_for_each_companions_pair_by_key() -> None:
    spec = spec_of(bucket("raw"), bucket("models"), versioning("raw", "Enabled"), versioning("models", "Suspended"))
    given_resources(spec, "aws_s3_bucket")
    each_must_have(spec, "aws_s3_bucket_versioning", "bucket")
    with pytest.raises(SpecFailure, match=r'versioning.this\["models"\]: Suspended'):
        must_be(spec, "versioning_configuration.status", "Enabled")


def test_value_known_after_apply_is_set_and_referenced_but_not_provably_equal() -> None:
    table = Resource(
        "aws_dynamodb_table.t",
        "aws_dynamodb_table",
        "t",
        {"server_side_encryption": [{"enabled": True}]},
        unknown=("server_side_encryption.0.kms_key_arn",),
        references={"server_side_encryption.0.kms_key_arn": ("aws_kms_key.k",)},
    )
    spec = spec_of(table, Resource("aws_kms_key.k", "aws_kms_key", "k", {}))
    given_resources(spec, "aws_dynamodb_table")
    must_be_set(spec, "server_side_encryption.kms_key_arn")
    must_reference(spec, "server_side_encryption.kms_key_arn", "aws_kms_key")
    with pytest.raises(SpecFailure, match="known after apply"):
        must_be(spec, "server_side_encryption.kms_key_arn", "arn:aws:kms:eu-west-1:1:key/x")


def test_live_resources_join_by_arn_without_references() -> None:
    key = Resource("aws_kms_key.k", "aws_kms_key", "k", {"arn": "arn:aws:kms:r:1:key/k"})
    stream = Resource("aws_kinesis_stream.s", "aws_kinesis_stream", "s", {"kms_key_id": "arn:aws:kms:r:1:key/k"})
    managed = Resource("aws_kinesis_stream.m", "aws_kinesis_stream", "m", {"kms_key_id": "alias/aws/kinesis"})
    spec = spec_of(key, stream, managed)
    given_resources(spec, "aws_kinesis_stream")
    with pytest.raises(SpecFailure, match=r"(?s)1 of 2 .*aws_kinesis_stream.m: alias/aws/kinesis"):
        must_reference(spec, "kms_key_id", "aws_kms_key")


def test_paths_read_json_documents_bracketed_keys_and_selectors() -> None:
    policy = {
        "Statement": [{"Effect": "Deny", "Action": "*"}, {"Effect": "Allow", "Action": ["s3:Get*", "iam:PassRole"]}]
    }
    role = Resource(
        "aws_iam_policy.p",
        "aws_iam_policy",
        "p",
        {"policy": json.dumps(policy), "metadata": {"annotations": {"eks.amazonaws.com/role-arn": "arn"}}},
    )
    assert lookup(role, "policy.Statement[Effect=Allow].Action").values == ("s3:Get*", "iam:PassRole")
    assert lookup(role, 'metadata.annotations["eks.amazonaws.com/role-arn"]').values == ("arn",)
    assert split_path("a.0.b") == ["a", "0", "b"]


def test_a_reference_to_one_instance_names_no_other() -> None:
    policy = Resource("aws_s3_bucket_policy.p", "aws_s3_bucket_policy", "p", {})
    assert refers_to('aws_s3_bucket.b["raw"]', policy, Resource('aws_s3_bucket.b["raw"]', "aws_s3_bucket", "b", {}))
    assert not refers_to('aws_s3_bucket.b["raw"]', policy, Resource('aws_s3_bucket.b["x"]', "aws_s3_bucket", "b", {}))
    assert refers_to("aws_s3_bucket.b.arn", policy, Resource('aws_s3_bucket.b["x"]', "aws_s3_bucket", "b", {}))


def test_given_fails_closed_when_the_platform_lacks_the_resource_type() -> None:
    with pytest.raises(SpecFailure, match="no aws_cloudtrail resources"):
        given_resources(spec_of(), "aws_cloudtrail")


def test_runner_reports_an_undefined_step_as_an_error_not_a_failure(tmp_path) -> None:
    feature_file = tmp_path / "x.feature"
    feature_file.write_text('Feature: x\n  Scenario: y\n    Given resources of type "aws_vpc"\n    Then it is fine\n')
    scenario = next(iter(parse_feature(feature_file).scenarios.values())).render({})
    outcome = run_scenario(scenario, Inventory("terraform", "plan", [Resource("aws_vpc.v", "aws_vpc", "v", {})]))
    assert (outcome.status, outcome.step) == ("error", "Then it is fine")
    assert match("then", '"x" must be "y"') is not None


def test_targets_follow_tags_and_environment_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYGATE_BDD_ENVS", "prod")
    assert targets_for(set()) == [Target("synth", "prod"), Target("plan", "prod")]
    assert targets_for({"workloads"}) == [Target("workloads")]
    assert targets_for({"live"}) == []  # only `local` is applied by default
    monkeypatch.setenv("CITYGATE_BDD_ENVS", "qa")
    with pytest.raises(CitygateError, match="unknown value"):
        targets_for(set())


def test_a_control_exception_turns_an_offender_into_an_excepted_observation(tmp_path) -> None:
    register_file = tmp_path / "exceptions.yaml"
    register_file.write_text(
        "exceptions:\n"
        "  - {id: W-1, control: CG-ENC-1, resource: 'aws_s3_bucket*.access_logs', owner: platform,\n"
        "     approver: security, ticket: SEC-1, created: 2026-01-01,\n"
        "     reason: S3 server access logs cannot be delivered to an SSE-KMS bucket, expires: 2999-01-01}\n"
        "  - {id: W-2, control: CG-ENC-1, resource: '*', owner: platform, approver: security, ticket: SEC-2,\n"
        "     created: 1999-01-01, reason: expired long ago, expires: 2000-01-01}\n"
    )
    exceptions = scenario_exceptions({"CG-ENC-1"}, register_file)
    assert [w.id for w in exceptions] == ["W-1"]
    logs = Resource(
        "aws_s3_bucket_server_side_encryption_configuration.access_logs", "sse", "access_logs", {"a": "AES256"}
    )
    raw = Resource("aws_s3_bucket_server_side_encryption_configuration.raw", "sse", "raw", {"a": "AES256"})
    spec = Spec(Inventory("terraform", "plan", [logs, raw]), exceptions=exceptions)
    given_resources(spec, "sse")
    spec.begin('Then "a" must be "aws:kms"')
    with pytest.raises(SpecFailure) as failure:
        must_be(spec, "a", "aws:kms")
    assert "raw: AES256" in str(failure.value) and "access_logs" not in str(failure.value)
    assert [o.exception for o in spec.records[-1].observations] == ["W-1", ""]


def test_a_recorded_state_is_judged_as_the_live_account(tmp_path) -> None:
    key = {"mode": "managed", "type": "aws_kms_key", "name": "k", "instances": [{"attributes": {"arn": "arn:k"}}]}
    stream = {
        "mode": "managed",
        "type": "aws_kinesis_stream",
        "name": "s",
        "instances": [{"index_key": "a", "attributes": {"kms_key_id": "arn:k"}}],
    }
    state = tmp_path / "terraform.tfstate"
    state.write_text(json.dumps({"version": 4, "resources": [key, stream]}))
    inventory = recorded_state(state, "local")
    assert (inventory.source, [r.address for r in inventory.resources]) == (
        "live",
        ["aws_kms_key.k", 'aws_kinesis_stream.s["a"]'],
    )
    spec = Spec(inventory)
    given_resources(spec, "aws_kinesis_stream")
    must_reference(spec, "kms_key_id", "aws_kms_key")


def test_bounds_hold_both_ways_and_name_the_attribute_read() -> None:
    def acl(name: str, limit: int) -> Resource:
        rule = {"statement": [{"rate_based_statement": [{"limit": limit}]}]}
        return Resource(f"aws_wafv2_web_acl.{name}", "aws_wafv2_web_acl", name, {"rule": [rule]})

    spec = spec_of(acl("edge", 2000), acl("unreachable", 2_000_000_000), acl("hair_trigger", 2))
    given_resources(spec, "aws_wafv2_web_acl")
    spec.begin('Then "rate limit per 5 minutes" must be between "100" and "10000"')
    with pytest.raises(SpecFailure) as failure:
        must_be_between(spec, "rate limit per 5 minutes", "100", "10000")
    assert "unreachable: 2000000000" in str(failure.value) and "hair_trigger: 2" in str(failure.value)
    assert "edge" not in str(failure.value)
    assert spec.records[-1].to_json()["attributes"] == {
        "aws_wafv2_web_acl": "rule.statement.rate_based_statement.limit"
    }


def test_a_port_range_is_not_a_single_port() -> None:
    def rule(name: str, low: int, high: int) -> Resource:
        values = {"cidr_ipv4": "0.0.0.0/0", "from_port": low, "to_port": high}
        return Resource(
            f"aws_vpc_security_group_ingress_rule.{name}", "aws_vpc_security_group_ingress_rule", name, values
        )

    spec = spec_of(rule("https", 443, 443), rule("web_range", 80, 443))
    given_resources(spec, "aws_vpc_security_group_ingress_rule")
    with pytest.raises(SpecFailure, match=r"web_range: last port 443, first port 80"):
        must_equal(spec, "last port", "first port")


def test_a_glossary_name_on_a_type_it_does_not_describe_is_an_error() -> None:
    spec = spec_of(Resource("aws_lb_listener.l", "aws_lb_listener", "l", {"protocol": "HTTPS"}))
    given_resources(spec, "aws_lb_listener")
    with pytest.raises(CitygateError, match='"first port" describes'):
        must_be(spec, "first port", "443")


ATTRIBUTE_ARGUMENTS = ("path", "other", "attribute")
PLAIN = re.compile(r"[a-z_]+(\.[a-z_]+)*")


def test_terraform_scenarios_name_attributes_not_paths() -> None:
    """A reviewer reads `"trusted audience"`, not `assume_role_policy.Statement[...]...*:aud`: a path that
    selects list items, globs keys or reads inside a policy document is named in the glossary, which
    records the path in the evidence; a plain attribute (`storage_encrypted`, `a.b`) may be named as is."""
    raw = []
    for feature in load_features(FEATURES):
        for scenario in expand(feature):
            if scenario.tags & {"workloads", "workflows"}:
                continue
            for step in scenario.scenario.steps:
                found = match(step.type, step.name)
                named = [found[1][k] for k in ATTRIBUTE_ARGUMENTS if found and k in found[1]]
                raw += [
                    f"{scenario.key}: {name}" for name in named if name not in GLOSSARY and not PLAIN.fullmatch(name)
                ]
    assert not raw, "\n".join(raw)
