# Audit: CloudTrail (multi-region, validated, KMS), GuardDuty and AWS Config on. A plan that builds the
# platform (an EKS cluster) without these account-level services is reported on the cluster.
package citygate.audit

import data.citygate.lib
import rego.v1

trails := lib.resources("aws_cloudtrail")

platforms := lib.resources("aws_eks_cluster")

# METADATA
# title: CloudTrail records all regions
# custom:
#   id: CG_CT_001
#   severity: high
#   controls: [CG-AUD-1]
#   fix: Set is_multi_region_trail = true.
deny contains f if {
	some t in trails
	lib.bool_state(t, "is_multi_region_trail", lib.get(t.values, "is_multi_region_trail", null)) in {"false", "missing"}
	f := lib.finding("CG_CT_001", t, "trail is not multi-region")
}

# METADATA
# title: CloudTrail log file validation is on
# custom:
#   id: CG_CT_002
#   severity: high
#   controls: [CG-AUD-1]
#   fix: Set enable_log_file_validation = true.
deny contains f if {
	some t in trails
	lib.bool_state(t, "enable_log_file_validation", lib.get(t.values, "enable_log_file_validation", null)) in {"false", "missing"}
	f := lib.finding("CG_CT_002", t, "log file validation is off")
}

# METADATA
# title: CloudTrail logs are encrypted with a customer-managed KMS key
# custom:
#   id: CG_CT_003
#   severity: high
#   controls: [CG-AUD-1]
#   fix: Set kms_key_id = aws_kms_key.<key>.arn.
deny contains f if {
	some t in trails
	lib.key_state(t, "kms_key_id", lib.get(t.values, "kms_key_id", null)) == "missing"
	f := lib.finding("CG_CT_003", t, "trail logs are not encrypted with a customer-managed KMS key")
}

# METADATA
# title: The platform account has a CloudTrail trail
# custom:
#   id: CG_CT_004
#   severity: high
#   controls: [CG-AUD-1]
#   fix: Add a multi-region aws_cloudtrail with log file validation and KMS encryption.
deny contains f if {
	count(trails) == 0
	some c in platforms
	f := lib.finding("CG_CT_004", c, "the platform is built without a CloudTrail trail")
}

# _delivery_state(t): "set" when the trail names a log group (a value, or a reference to a log group
# in this plan), "unknown" when only apply will tell, "missing" when it delivers to S3 alone
_delivery_state(t) := "set" if {
	some g in lib.refs(t, "cloud_watch_logs_group_arn")
	lib.address_type(g) == "aws_cloudwatch_log_group"
} else := "set" if {
	arn := lib.get(t.values, "cloud_watch_logs_group_arn", "")
	is_string(arn)
	startswith(arn, "arn:")
} else := "unknown" if {
	lib.unresolved(t, "cloud_watch_logs_group_arn")
} else := "missing"

# METADATA
# title: CloudTrail also delivers to CloudWatch Logs
# custom:
#   id: CG_CT_005
#   severity: medium
#   controls: [CG-AUD-1]
#   fix: Set cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.<trail>.arn}:*" and cloud_watch_logs_role_arn.
deny contains f if {
	some t in trails
	_delivery_state(t) == "missing"
	f := lib.finding("CG_CT_005", t, "the trail delivers to S3 only: no CloudWatch Logs group for alarms and metric filters")
}

deny contains f if {
	some t in trails
	_delivery_state(t) == "unknown"
	f := lib.unverifiable("CG_CT_005", t, "the trail's CloudWatch Logs group")
}

# METADATA
# title: GuardDuty is enabled
# custom:
#   id: CG_GD_001
#   severity: high
#   controls: [CG-AUD-2]
#   fix: Add aws_guardduty_detector with enable = true.
deny contains f if {
	some d in lib.resources("aws_guardduty_detector")
	lib.get(d.values, "enable", true) == false
	f := lib.finding("CG_GD_001", d, "GuardDuty detector is disabled")
}

deny contains f if {
	count(lib.resources("aws_guardduty_detector")) == 0
	some c in platforms
	f := lib.finding("CG_GD_001", c, "the platform is built without a GuardDuty detector")
}

# METADATA
# title: AWS Config records all resources
# custom:
#   id: CG_CFG_001
#   severity: medium
#   controls: [CG-AUD-3]
#   fix: Add aws_config_configuration_recorder with recording_group { all_supported = true } and aws_config_configuration_recorder_status with is_enabled = true.
deny contains f if {
	some r in lib.resources("aws_config_configuration_recorder")
	lib.get(lib.block(r.values, "recording_group"), "all_supported", true) == false
	f := lib.finding("CG_CFG_001", r, "the recorder does not record all supported resource types")
}

deny contains f if {
	some s in lib.resources("aws_config_configuration_recorder_status")
	lib.get(s.values, "is_enabled", false) != true
	not lib.unresolved(s, "is_enabled")
	f := lib.finding("CG_CFG_001", s, "the configuration recorder is not switched on")
}

deny contains f if {
	some s in lib.resources("aws_config_configuration_recorder_status")
	lib.unresolved(s, "is_enabled")
	f := lib.unverifiable("CG_CFG_001", s, "is_enabled")
}

deny contains f if {
	some c in platforms
	count(lib.resources("aws_config_configuration_recorder_status")) == 0
	f := lib.finding("CG_CFG_001", c, "the platform is built without a switched-on AWS Config recorder")
}
