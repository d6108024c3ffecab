package citygate.logs_test

import data.citygate.logs
import data.citygate.testing as t
import rego.v1

test_cmk_log_group_passes if {
	count(logs.deny) == 0 with input as t.plan([t.r("aws_cloudwatch_log_group.g", {}, {"kms_key_id": ["aws_kms_key.k"]}, ["kms_key_id"])])
}

test_plain_log_group_fails_and_unknown_is_unverifiable if {
	t.flagged(logs.deny, "CG_LOG_001", "aws_cloudwatch_log_group.g") with input as t.plan([t.resource("aws_cloudwatch_log_group.g", {"kms_key_id": null})])
	unresolved := t.configured(t.r("aws_cloudwatch_log_group.g", {}, {}, ["kms_key_id"]), ["name", "kms_key_id"])
	t.unverified(logs.deny, "CG_LOG_001", "aws_cloudwatch_log_group.g") with input as t.plan([unresolved])
}

test_key_looked_up_by_a_data_source_is_judged_by_its_manager if {
	group := t.configured(t.r("aws_cloudwatch_log_group.g", {}, {"kms_key_id": ["data.aws_kms_key.k"]}, ["kms_key_id"]), ["kms_key_id"])
	customer := t.resource("data.aws_kms_key.k", {"key_id": "alias/city-logs", "key_manager": "CUSTOMER"})
	count(logs.deny) == 0 with input as t.plan([group, customer])
	count(logs.deny) == 0 with input as t.plan([group, t.resource("data.aws_kms_key.k", {"key_id": "alias/city-logs"})])
	t.flagged(logs.deny, "CG_LOG_001", "aws_cloudwatch_log_group.g") with input as t.plan([group, t.resource("data.aws_kms_key.k", {"key_id": "alias/aws/logs"})])
	t.flagged(logs.deny, "CG_LOG_001", "aws_cloudwatch_log_group.g") with input as t.plan([group, t.resource("data.aws_kms_key.k", {"key_id": "arn:k", "key_manager": "AWS"})])
	t.unverified(logs.deny, "CG_LOG_001", "aws_cloudwatch_log_group.g") with input as t.plan([group, t.r("data.aws_kms_key.k", {}, {}, ["key_id"])])
}
