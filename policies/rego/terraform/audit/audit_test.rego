package citygate.audit_test

import data.citygate.audit
import data.citygate.testing as t
import rego.v1

baseline := [
	t.r("aws_cloudtrail.main", {"is_multi_region_trail": true, "enable_log_file_validation": true}, {"kms_key_id": ["aws_kms_key.k"], "cloud_watch_logs_group_arn": ["aws_cloudwatch_log_group.trail"]}, ["kms_key_id", "cloud_watch_logs_group_arn"]),
	t.resource("aws_guardduty_detector.main", {"enable": true}),
	t.resource("aws_config_configuration_recorder.main", {"recording_group": [{"all_supported": true}]}),
	t.resource("aws_config_configuration_recorder_status.main", {"is_enabled": true}),
	t.resource("aws_eks_cluster.main", {}),
]

test_full_baseline_passes if {
	count(audit.deny) == 0 with input as t.plan(baseline)
}

test_weak_trail_detector_and_recorder_fail if {
	inp := t.plan([
		t.resource("aws_cloudtrail.main", {}),
		t.resource("aws_guardduty_detector.main", {"enable": false}),
		t.resource("aws_config_configuration_recorder.main", {"recording_group": [{"all_supported": false}]}),
		t.resource("aws_config_configuration_recorder_status.main", {"is_enabled": false}),
	])
	t.ids(audit.deny) == {"CG_CT_001", "CG_CT_002", "CG_CT_003", "CG_CT_005", "CG_GD_001", "CG_CFG_001"} with input as inp
}

test_recorder_switched_on_by_an_unknown_value_is_unverifiable if {
	status := t.r("aws_config_configuration_recorder_status.main", {}, {}, ["is_enabled"])
	inp := t.plan(array.concat([r | some r in baseline; r.type != status.type], [status]))
	t.ids(audit.deny) == {"CG_CFG_001"} with input as inp
	t.unverified(audit.deny, "CG_CFG_001", "aws_config_configuration_recorder_status.main") with input as inp
}

test_platform_without_account_services_is_reported_on_the_cluster if {
	inp := t.plan([t.resource("aws_eks_cluster.main", {})])
	every id in ["CG_CT_004", "CG_GD_001", "CG_CFG_001"] {
		t.flagged(audit.deny, id, "aws_eks_cluster.main") with input as inp
	}
}

trail(refs, values) := t.r("aws_cloudtrail.main", object.union({"is_multi_region_trail": true, "enable_log_file_validation": true, "kms_key_id": "arn:aws:kms:eu-west-1:1:key/k"}, values), refs, [k | some k, _ in refs])

test_a_trail_delivering_to_s3_only_fails if {
	t.flagged(audit.deny, "CG_CT_005", "aws_cloudtrail.main") with input as t.plan([trail({}, {})])
	count({f | some f in audit.deny; f.id == "CG_CT_005"}) == 0 with input as t.plan([trail({}, {"cloud_watch_logs_group_arn": "arn:aws:logs:eu-west-1:1:log-group:trail:*"})])
	count({f | some f in audit.deny; f.id == "CG_CT_005"}) == 0 with input as t.plan([trail({"cloud_watch_logs_group_arn": ["aws_cloudwatch_log_group.trail"]}, {})])
}

test_an_unresolved_log_group_is_unverifiable if {
	unresolved := t.r("aws_cloudtrail.main", {}, {}, ["cloud_watch_logs_group_arn"])
	t.unverified(audit.deny, "CG_CT_005", "aws_cloudtrail.main") with input as t.plan([unresolved])
}
