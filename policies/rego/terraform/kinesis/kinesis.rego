# Kinesis streams carrying sensor data: KMS encryption with a customer-managed key.
package citygate.kinesis

import data.citygate.lib
import rego.v1

_state(s) := "missing" if {
	lib.get(s.values, "encryption_type", "NONE") != "KMS"
	not lib.unresolved(s, "encryption_type")
} else := lib.key_state(s, "kms_key_id", lib.get(s.values, "kms_key_id", null))

# METADATA
# title: Kinesis stream is encrypted with a customer-managed KMS key
# custom:
#   id: CG_KIN_001
#   severity: medium
#   controls: [CG-ENC-4]
#   fix: Set encryption_type = "KMS" and kms_key_id = aws_kms_key.<key>.arn (not alias/aws/kinesis).
deny contains f if {
	some s in lib.resources("aws_kinesis_stream")
	_state(s) == "missing"
	f := lib.finding("CG_KIN_001", s, "stream is not encrypted with a customer-managed KMS key")
}

deny contains f if {
	some s in lib.resources("aws_kinesis_stream")
	_state(s) == "unknown"
	f := lib.unverifiable("CG_KIN_001", s, "the stream encryption key")
}
