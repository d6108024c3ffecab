# Proofs for CG_SM_001: a secret's key known only after apply, resolved through its reference.
package citygate.secrets

import data.citygate.evidence
import data.citygate.lib
import rego.v1

proof contains {"id": "CG_SM_001", "resource": s.address, "evidence": text} if {
	some s in secrets
	_state(s) == "cmk"
	evidence.upheld(deny, "CG_SM_001", s.address)
	text := evidence.customer_managed_key(s, "kms_key_id", lib.get(s.values, "kms_key_id", null))
}
