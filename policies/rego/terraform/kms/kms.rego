# KMS: customer-managed symmetric keys rotate automatically.
package citygate.kms

import data.citygate.lib
import rego.v1

_symmetric(k) if lib.get(k.values, "customer_master_key_spec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"

# METADATA
# title: KMS key rotation is enabled
# custom:
#   id: CG_KMS_001
#   severity: medium
#   controls: [CG-ENC-10]
#   fix: Set enable_key_rotation = true.
deny contains f if {
	some k in lib.resources("aws_kms_key")
	_symmetric(k)
	lib.bool_state(k, "enable_key_rotation", lib.get(k.values, "enable_key_rotation", null)) in {"false", "missing"}
	f := lib.finding("CG_KMS_001", k, "automatic key rotation is not enabled")
}

deny contains f if {
	some k in lib.resources("aws_kms_key")
	lib.bool_state(k, "enable_key_rotation", lib.get(k.values, "enable_key_rotation", null)) == "unknown"
	f := lib.unverifiable("CG_KMS_001", k, "enable_key_rotation")
}
