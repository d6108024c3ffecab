# CloudWatch log groups: encrypted with a customer-managed key.
package citygate.logs

import data.citygate.lib
import rego.v1

_state(g) := lib.key_state(g, "kms_key_id", lib.get(g.values, "kms_key_id", null))

# METADATA
# title: CloudWatch log group is encrypted with a customer-managed KMS key
# custom:
#   id: CG_LOG_001
#   severity: medium
#   controls: [CG-ENC-7]
#   fix: Set kms_key_id = aws_kms_key.<key>.arn (the key policy must allow logs.<region>.amazonaws.com).
deny contains f if {
	some g in lib.resources("aws_cloudwatch_log_group")
	_state(g) == "missing"
	f := lib.finding("CG_LOG_001", g, "log group is not encrypted with a customer-managed KMS key")
}

deny contains f if {
	some g in lib.resources("aws_cloudwatch_log_group")
	_state(g) == "unknown"
	f := lib.unverifiable("CG_LOG_001", g, "the log group encryption key")
}
