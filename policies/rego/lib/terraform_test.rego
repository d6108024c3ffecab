package citygate.lib_test

import data.citygate.lib
import data.citygate.testing as t
import rego.v1

test_key_state_reference_value_unknown_and_missing if {
	lib.key_state(t.r("a_b.c", {}, {"kms_key_id": ["aws_kms_key.k"]}, []), "kms_key_id", null) == "cmk"
	lib.key_state(t.r("a_b.c", {}, {}, []), "kms_key_id", "arn:aws:kms:eu-west-1:1:key/x") == "cmk"
	lib.key_state(t.r("a_b.c", {}, {}, []), "kms_key_id", "alias/aws/s3") == "missing"
	lib.key_state(t.r("a_b.c", {}, {}, ["kms_key_id"]), "kms_key_id", null) == "unknown"
	lib.key_state(t.r("a_b.c", {}, {}, []), "kms_key_id", null) == "missing"
}

test_unknown_matches_indexed_paths_and_parents if {
	lib.unknown(t.r("a_b.c", {}, {}, ["rule.0.x.1.key"]), "rule.x.key")
	lib.unknown(t.r("a_b.c", {}, {}, ["encryption_config"]), "encryption_config.provider.key_arn")
	not lib.unknown(t.r("a_b.c", {}, {}, ["other"]), "rule")
}

test_address_type_in_modules_and_data if {
	lib.address_type("module.m[0].aws_kms_key.k[\"a\"]") == "aws_kms_key"
	lib.address_type("data.aws_iam_policy_document.p") == "aws_iam_policy_document"
}

test_blocks_and_get_accept_both_shapes_and_null if {
	lib.blocks({"a": 1}) == [{"a": 1}]
	lib.blocks([{"a": 1}]) == [{"a": 1}]
	lib.blocks(null) == []
	lib.get({"a": null}, "a", 5) == 5
}

test_statements_from_json_and_policy_documents if {
	doc := t.r("data.aws_iam_policy_document.p", {"statement": [{"effect": "Deny", "actions": ["s3:*"]}]}, {}, [])
	role := t.r("aws_iam_role.r", {}, {"policy": ["data.aws_iam_policy_document.p"]}, ["policy"])
	inp := t.plan([doc, role])
	[s] := lib.statements(role, "policy") with input as inp
	s.effect == "Deny"
	[j] := lib.statements(t.resource("aws_iam_policy.p", {"policy": "{\"Statement\": {\"Action\": \"*\", \"Resource\": \"*\"}}"}), "policy")
	j.actions == ["*"]
}

test_production_unless_said_otherwise if {
	lib.production with input as {"environment": ""}
	not lib.production with input as {"environment": "dev"}
}
