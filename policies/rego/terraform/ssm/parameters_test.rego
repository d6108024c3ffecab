package citygate.ssm_test

import data.citygate.ssm
import data.citygate.testing as t
import rego.v1

key := t.r("aws_kms_key.secrets", {"enable_key_rotation": true}, {"policy": ["data.aws_iam_policy_document.key"]}, ["arn"])

secure(address, values) := t.r(address, object.union({"type": "SecureString"}, values), {"key_id": ["aws_kms_key.secrets"]}, ["key_id"])

test_secure_string_with_our_key_and_plain_config_pass if {
	inp := t.plan([
		key,
		secure("aws_ssm_parameter.db_password", {"name": "/city/db-password"}),
		t.r("aws_ssm_parameter.cluster", {"name": "/city/config/cluster-name", "type": "String"}, {}, ["key_id"]),
	])
	count(ssm.deny) == 0 with input as inp
	proofs := {p.resource | some p in ssm.proof} with input as inp
	proofs == {"aws_ssm_parameter.db_password", "aws_ssm_parameter.cluster"}
}

test_plain_parameter_outside_the_config_path_fails if {
	inp := t.plan([t.r("aws_ssm_parameter.endpoint", {"name": "/city/db-endpoint", "type": "String"}, {}, ["key_id"])])
	t.flagged(ssm.deny, "CG_SSM_001", "aws_ssm_parameter.endpoint") with input as inp
}

test_secret_marked_plain_parameter_fails_even_under_config if {
	by_name := t.resource("aws_ssm_parameter.token", {"name": "/city/config/api-token", "type": "String"})
	t.flagged(ssm.deny, "CG_SSM_001", "aws_ssm_parameter.token") with input as t.plan([by_name])
	by_description := t.resource("aws_ssm_parameter.conn", {"name": "/city/config/conn", "type": "StringList", "description": "Database Password"})
	t.flagged(ssm.deny, "CG_SSM_001", "aws_ssm_parameter.conn") with input as t.plan([by_description])
}

test_secure_string_with_the_aws_managed_key_fails if {
	default_key := t.r("aws_ssm_parameter.p", {"name": "/city/secret", "type": "SecureString"}, {}, ["key_id"])
	t.flagged(ssm.deny, "CG_SSM_001", "aws_ssm_parameter.p") with input as t.plan([default_key])
	aws_alias := t.resource("aws_ssm_parameter.p", {"name": "/city/secret", "type": "SecureString", "key_id": "alias/aws/ssm"})
	t.flagged(ssm.deny, "CG_SSM_001", "aws_ssm_parameter.p") with input as t.plan([aws_alias])
}

test_key_from_an_unresolved_reference_cannot_be_verified if {
	other := t.r("aws_ssm_parameter.p", {"name": "/city/secret", "type": "SecureString"}, {"key_id": ["aws_ssm_parameter.key_name"]}, ["key_id"])
	findings := ssm.deny with input as t.plan([other])
	some f in findings
	contains(f.msg, "cannot be verified before apply")
}
