package citygate.logs_test

import data.citygate.logs
import data.citygate.testing as t
import rego.v1

test_cmk_log_group_passes if {
	count(logs.deny) == 0 with input as t.plan([t.r("aws_cloudwatch_log_group.g", {}, {"kms_key_id": ["aws_kms_key.k"]}, ["kms_key_id"])])
}

test_plain_log_group_fails_and_unknown_warns if {
	t.flagged(logs.deny, "CG-LOG-001", "aws_cloudwatch_log_group.g") with input as t.plan([t.resource("aws_cloudwatch_log_group.g", {"kms_key_id": null})])
	t.flagged(logs.warn, "CG-LOG-001", "aws_cloudwatch_log_group.g") with input as t.plan([t.r("aws_cloudwatch_log_group.g", {}, {"kms_key_id": ["var.key"]}, ["kms_key_id"])])
}
