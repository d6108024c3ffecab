# Secrets Manager: secrets encrypted with a customer-managed key and rotated automatically.
package citygate.secrets

import data.citygate.lib
import rego.v1

secrets := lib.resources("aws_secretsmanager_secret")

_state(s) := lib.key_state(s, "kms_key_id", lib.get(s.values, "kms_key_id", null))

# METADATA
# title: Secrets Manager secret is encrypted with a customer-managed KMS key
# custom:
#   id: CG_SM_001
#   severity: medium
#   controls: [CG-ENC-8]
#   fix: Set kms_key_id = aws_kms_key.<key>.arn.
deny contains f if {
	some s in secrets
	_state(s) == "missing"
	f := lib.finding("CG_SM_001", s, "secret is not encrypted with a customer-managed KMS key")
}

deny contains f if {
	some s in secrets
	_state(s) == "unknown"
	f := lib.unverifiable("CG_SM_001", s, "the secret encryption key")
}

rotations := lib.resources("aws_secretsmanager_secret_rotation")

# a rotation names the secret by reference, or by the secret's known name (secret_id takes a name or an ARN)
_rotation_state(s) := lib.companion_state(s, rotations, "secret_id", "name")

# METADATA
# title: Secrets Manager secret rotates automatically
# custom:
#   id: CG_SM_002
#   severity: medium
#   controls: [CG-IAM-5]
#   fix: Add aws_secretsmanager_secret_rotation with secret_id = aws_secretsmanager_secret.<secret>.id, a rotation_lambda_arn and rotation_rules.
deny contains f if {
	some s in secrets
	_rotation_state(s) == "missing"
	f := lib.finding("CG_SM_002", s, "secret has no automatic rotation")
}

deny contains f if {
	some s in secrets
	_rotation_state(s) == "unknown"
	f := lib.unverifiable("CG_SM_002", s, "the secret's rotation")
}
