package citygate.secrets_proofs_test

import data.citygate.secrets
import data.citygate.testing as t
import rego.v1

key := t.resource("aws_kms_key.secrets", {})

test_referenced_key_is_proven if {
	s := t.r("aws_secretsmanager_secret.s", {"name": "city/db"}, {"kms_key_id": ["aws_kms_key.secrets"]}, ["kms_key_id"])
	expected := {"id": "CG_SM_001", "resource": "aws_secretsmanager_secret.s", "evidence": "kms_key_id → aws_kms_key.secrets (a customer-managed key in this plan)"}
	expected in secrets.proof with input as t.plan([key, s])
}

test_default_or_aws_managed_key_is_not_proven if {
	every s in [
		t.resource("aws_secretsmanager_secret.s", {"name": "city/db"}),
		t.resource("aws_secretsmanager_secret.s", {"kms_key_id": "alias/aws/secretsmanager"}),
	] {
		t.flagged(secrets.deny, "CG_SM_001", "aws_secretsmanager_secret.s") with input as t.plan([key, s])
		not t.flagged(secrets.proof, "CG_SM_001", "aws_secretsmanager_secret.s") with input as t.plan([key, s])
	}
}
