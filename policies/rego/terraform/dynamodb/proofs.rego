# Proofs for the DynamoDB rules: the table key known only after apply, resolved through its reference
# (with server_side_encryption enabled but no key of ours, a table uses an AWS-managed key: no proof).
package citygate.dynamodb

import data.citygate.evidence
import data.citygate.lib
import rego.v1

proof contains {"id": "CG_DDB_001", "resource": t.address, "evidence": text} if {
	some t in tables
	_key_state(t) == "cmk"
	evidence.upheld(deny, "CG_DDB_001", t.address)
	sse := lib.block(t.values, "server_side_encryption")
	sse.enabled == true
	key := evidence.customer_managed_key(t, "server_side_encryption.kms_key_arn", lib.get(sse, "kms_key_arn", null))
	text := sprintf("%s, %s", [evidence.literal("server_side_encryption.enabled", true), key])
}

proof contains {"id": "CG_DDB_002", "resource": t.address, "evidence": evidence.literal("point_in_time_recovery.enabled", true)} if {
	some t in tables
	lib.get(lib.block(t.values, "point_in_time_recovery"), "enabled", null) == true
	evidence.upheld(deny, "CG_DDB_002", t.address)
}
