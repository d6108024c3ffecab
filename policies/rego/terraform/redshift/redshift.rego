# Redshift: data warehouse clusters encrypted with a customer-managed key.
package citygate.redshift

import data.citygate.evidence
import data.citygate.lib
import rego.v1

clusters := lib.resources("aws_redshift_cluster")

_key_state(c) := "missing" if {
	lib.get(c.values, "encrypted", false) != true
	not lib.unresolved(c, "encrypted")
} else := lib.key_state(c, "kms_key_id", lib.get(c.values, "kms_key_id", null))

# METADATA
# title: Redshift cluster is encrypted with a customer-managed KMS key
# custom:
#   id: CG_RS_001
#   severity: high
#   controls: [CG-ENC-12]
#   fix: Set encrypted = true and kms_key_id = aws_kms_key.<key>.arn.
deny contains f if {
	some c in clusters
	_key_state(c) == "missing"
	f := lib.finding("CG_RS_001", c, "storage is not encrypted with a customer-managed KMS key")
}

deny contains f if {
	some c in clusters
	_key_state(c) == "unknown"
	f := lib.unverifiable("CG_RS_001", c, "the storage encryption key")
}

proof contains {"id": "CG_RS_001", "resource": c.address, "evidence": text} if {
	some c in clusters
	_key_state(c) == "cmk"
	evidence.upheld(deny, "CG_RS_001", c.address)
	key := evidence.customer_managed_key(c, "kms_key_id", lib.get(c.values, "kms_key_id", null))
	text := sprintf("%s, %s", [evidence.literal("encrypted", true), key])
}
