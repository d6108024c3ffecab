# Secrets Manager: secrets encrypted with a customer-managed key.
package citygate.secrets

import data.citygate.lib
import rego.v1

_state(s) := lib.key_state(s, "kms_key_id", lib.get(s.values, "kms_key_id", null))

# METADATA
# title: Secrets Manager secret is encrypted with a customer-managed KMS key
# custom:
#   id: CG-SM-001
#   severity: medium
#   controls: [CG-ENC-8]
#   fix: Set kms_key_id = aws_kms_key.<key>.arn.
deny contains f if {
	some s in lib.resources("aws_secretsmanager_secret")
	_state(s) == "missing"
	f := lib.finding("CG-SM-001", s, "secret is not encrypted with a customer-managed KMS key")
}

# METADATA
# title: Secrets Manager secret is encrypted with a customer-managed KMS key
# custom:
#   id: CG-SM-001
#   severity: medium
#   controls: [CG-ENC-8]
warn contains f if {
	some s in lib.resources("aws_secretsmanager_secret")
	_state(s) == "unknown"
	f := lib.unverifiable("CG-SM-001", s, "the secret encryption key")
}
