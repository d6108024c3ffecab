package citygate.audit_proofs_test

import data.citygate.audit
import data.citygate.testing as t
import rego.v1

key := t.resource("aws_kms_key.audit", {})

trail(values) := t.r("aws_cloudtrail.main", values, {"kms_key_id": ["aws_kms_key.audit"]}, ["kms_key_id"])

test_hardened_trail_and_detector_are_proven if {
	inp := t.plan([key, trail({"is_multi_region_trail": true, "enable_log_file_validation": true}), t.resource("aws_guardduty_detector.main", {"enable": true})])
	{"id": "CG_CT_001", "resource": "aws_cloudtrail.main", "evidence": "is_multi_region_trail = true"} in audit.proof with input as inp
	{"id": "CG_CT_002", "resource": "aws_cloudtrail.main", "evidence": "enable_log_file_validation = true"} in audit.proof with input as inp
	cmk := "kms_key_id → aws_kms_key.audit (a customer-managed key in this plan)"
	{"id": "CG_CT_003", "resource": "aws_cloudtrail.main", "evidence": cmk} in audit.proof with input as inp
	{"id": "CG_GD_001", "resource": "aws_guardduty_detector.main", "evidence": "enable = true"} in audit.proof with input as inp
}

test_weak_trail_and_disabled_detector_are_not_proven if {
	inp := t.plan([t.resource("aws_cloudtrail.main", {"is_multi_region_trail": false, "enable_log_file_validation": false}), t.resource("aws_guardduty_detector.main", {"enable": false})])
	t.ids(audit.deny) == {"CG_CT_001", "CG_CT_002", "CG_CT_003", "CG_CT_005", "CG_GD_001"} with input as inp
	count(audit.proof) == 0 with input as inp
}

test_cloudwatch_delivery_is_proven_by_its_log_group if {
	to_group := t.r("aws_cloudtrail.main", {}, {"cloud_watch_logs_group_arn": ["aws_cloudwatch_log_group.trail"]}, ["cloud_watch_logs_group_arn"])
	text := "cloud_watch_logs_group_arn → aws_cloudwatch_log_group.trail"
	{"id": "CG_CT_005", "resource": "aws_cloudtrail.main", "evidence": text} in audit.proof with input as t.plan([to_group])
	arn := "arn:aws:logs:eu-west-1:1:log-group:trail:*"
	literal := t.resource("aws_cloudtrail.main", {"cloud_watch_logs_group_arn": arn})
	{"id": "CG_CT_005", "resource": "aws_cloudtrail.main", "evidence": sprintf("cloud_watch_logs_group_arn = %q", [arn])} in audit.proof with input as t.plan([literal])
	count({p | some p in audit.proof; p.id == "CG_CT_005"}) == 0 with input as t.plan([t.resource("aws_cloudtrail.main", {})])
}
