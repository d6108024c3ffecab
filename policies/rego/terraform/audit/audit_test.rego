package citygate.audit_test

import data.citygate.audit
import data.citygate.testing as t
import rego.v1

baseline := [
	t.r("aws_cloudtrail.main", {"is_multi_region_trail": true, "enable_log_file_validation": true}, {"kms_key_id": ["aws_kms_key.k"]}, ["kms_key_id"]),
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
	t.ids(audit.deny) == {"CG-CT-001", "CG-CT-002", "CG-CT-003", "CG-GD-001", "CG-CFG-001"} with input as inp
}

test_platform_without_account_services_is_reported_on_the_cluster if {
	inp := t.plan([t.resource("aws_eks_cluster.main", {})])
	every id in ["CG-CT-004", "CG-GD-001", "CG-CFG-001"] {
		t.flagged(audit.deny, id, "aws_eks_cluster.main") with input as inp
	}
}
