# Proofs for CG_KMS_001: the rotation setting scanners also read, as the value that satisfies it.
package citygate.kms

import data.citygate.evidence
import data.citygate.lib
import rego.v1

proof contains {"id": "CG_KMS_001", "resource": k.address, "evidence": evidence.literal("enable_key_rotation", true)} if {
	some k in lib.resources("aws_kms_key")
	k.values.enable_key_rotation == true
	evidence.upheld(deny, "CG_KMS_001", k.address)
}
