# Proofs for CG_KIN_001: a stream's key known only after apply, resolved through its reference.
package citygate.kinesis

import data.citygate.evidence
import data.citygate.lib
import rego.v1

proof contains {"id": "CG_KIN_001", "resource": s.address, "evidence": text} if {
	some s in lib.resources("aws_kinesis_stream")
	_state(s) == "cmk"
	evidence.upheld(deny, "CG_KIN_001", s.address)
	key := evidence.customer_managed_key(s, "kms_key_id", lib.get(s.values, "kms_key_id", null))
	text := sprintf("%s, %s", [evidence.literal("encryption_type", "KMS"), key])
}
