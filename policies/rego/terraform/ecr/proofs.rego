# Proofs for the ECR rules: the repository key known only after apply, resolved through its reference,
# and the settings scanners also read (tag immutability, scan on push) as the values that satisfy them.
package citygate.ecr

import data.citygate.evidence
import data.citygate.lib
import rego.v1

proof contains {"id": "CG_ECR_001", "resource": r.address, "evidence": evidence.literal("image_tag_mutability", "IMMUTABLE")} if {
	some r in repositories
	lib.get(r.values, "image_tag_mutability", "MUTABLE") == "IMMUTABLE"
	evidence.upheld(deny, "CG_ECR_001", r.address)
}

proof contains {"id": "CG_ECR_002", "resource": r.address, "evidence": evidence.literal("image_scanning_configuration.scan_on_push", true)} if {
	some r in repositories
	lib.get(lib.block(r.values, "image_scanning_configuration"), "scan_on_push", null) == true
	evidence.upheld(deny, "CG_ECR_002", r.address)
}

proof contains {"id": "CG_ECR_003", "resource": r.address, "evidence": text} if {
	some r in repositories
	_key_state(r) == "cmk"
	evidence.upheld(deny, "CG_ECR_003", r.address)
	config := lib.block(r.values, "encryption_configuration")
	config.encryption_type == "KMS"
	key := evidence.customer_managed_key(r, "encryption_configuration.kms_key", lib.get(config, "kms_key", null))
	text := sprintf("%s, %s", [evidence.literal("encryption_configuration.encryption_type", "KMS"), key])
}
