package citygate.logs_proofs_test

import data.citygate.logs
import data.citygate.testing as t
import rego.v1

key := t.resource("aws_kms_key.logs", {})

test_referenced_key_is_proven if {
	g := t.r("aws_cloudwatch_log_group.app", {"name": "/app"}, {"kms_key_id": ["aws_kms_key.logs"]}, ["kms_key_id"])
	expected := {"id": "CG_LOG_001", "resource": "aws_cloudwatch_log_group.app", "evidence": "kms_key_id → aws_kms_key.logs (a customer-managed key in this plan)"}
	expected in logs.proof with input as t.plan([key, g])
}

test_group_without_a_key_of_ours_is_not_proven if {
	every g in [
		t.resource("aws_cloudwatch_log_group.app", {"name": "/app"}),
		t.resource("aws_cloudwatch_log_group.app", {"kms_key_id": "alias/aws/logs"}),
		t.r("aws_cloudwatch_log_group.app", {}, {}, ["kms_key_id"]),
	] {
		not t.flagged(logs.proof, "CG_LOG_001", "aws_cloudwatch_log_group.app") with input as t.plan([key, g])
	}
}
