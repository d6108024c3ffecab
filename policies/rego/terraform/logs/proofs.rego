# Proofs for CG_LOG_001: a log group's key known only after apply, resolved through its reference.
package citygate.logs

import data.citygate.evidence
import data.citygate.lib
import rego.v1

proof contains {"id": "CG_LOG_001", "resource": g.address, "evidence": text} if {
	some g in lib.resources("aws_cloudwatch_log_group")
	_state(g) == "cmk"
	evidence.upheld(deny, "CG_LOG_001", g.address)
	text := evidence.customer_managed_key(g, "kms_key_id", lib.get(g.values, "kms_key_id", null))
}
