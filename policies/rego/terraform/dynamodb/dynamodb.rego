# DynamoDB: encryption with a customer-managed key, point-in-time recovery.
package citygate.dynamodb

import data.citygate.lib
import rego.v1

tables := lib.resources("aws_dynamodb_table")

_key_state(t) := "missing" if {
	lib.get(lib.block(t.values, "server_side_encryption"), "enabled", false) != true
	not lib.unresolved(t, "server_side_encryption")
} else := lib.key_state(t, "server_side_encryption.kms_key_arn", lib.get(lib.block(t.values, "server_side_encryption"), "kms_key_arn", null))

# METADATA
# title: DynamoDB table is encrypted with a customer-managed KMS key
# custom:
#   id: CG_DDB_001
#   severity: medium
#   controls: [CG-ENC-3]
#   fix: Add server_side_encryption { enabled = true, kms_key_arn = aws_kms_key.<key>.arn }.
deny contains f if {
	some t in tables
	_key_state(t) == "missing"
	f := lib.finding("CG_DDB_001", t, "table is not encrypted with a customer-managed KMS key")
}

deny contains f if {
	some t in tables
	_key_state(t) == "unknown"
	f := lib.unverifiable("CG_DDB_001", t, "the table encryption key")
}

# METADATA
# title: DynamoDB table has point-in-time recovery
# custom:
#   id: CG_DDB_002
#   severity: medium
#   controls: [CG-DP-3]
#   fix: Add point_in_time_recovery { enabled = true }.
deny contains f if {
	some t in tables
	pitr := lib.block(t.values, "point_in_time_recovery")
	lib.bool_state(t, "point_in_time_recovery.enabled", lib.get(pitr, "enabled", null)) in {"false", "missing"}
	f := lib.finding("CG_DDB_002", t, "point-in-time recovery is not enabled")
}
