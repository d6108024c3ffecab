package citygate.kms_proofs_test

import data.citygate.kms
import data.citygate.testing as t
import rego.v1

test_rotated_key_is_proven if {
	{"id": "CG_KMS_001", "resource": "aws_kms_key.k", "evidence": "enable_key_rotation = true"} in kms.proof with input as t.plan([t.resource("aws_kms_key.k", {"enable_key_rotation": true})])
}

test_unrotated_key_is_not_proven if {
	inp := t.plan([t.resource("aws_kms_key.k", {"enable_key_rotation": false})])
	t.flagged(kms.deny, "CG_KMS_001", "aws_kms_key.k") with input as inp
	not t.flagged(kms.proof, "CG_KMS_001", "aws_kms_key.k") with input as inp
}
