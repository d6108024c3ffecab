package citygate.secrets_test

import data.citygate.secrets
import data.citygate.testing as t
import rego.v1

test_cmk_secret_passes if {
	count(secrets.deny) == 0 with input as t.plan([t.resource("aws_secretsmanager_secret.s", {"kms_key_id": "arn:aws:kms:eu-west-1:1:key/k"})])
}

test_default_key_fails_and_unknown_warns if {
	t.flagged(secrets.deny, "CG-SM-001", "aws_secretsmanager_secret.s") with input as t.plan([t.resource("aws_secretsmanager_secret.s", {})])
	t.flagged(secrets.warn, "CG-SM-001", "aws_secretsmanager_secret.s") with input as t.plan([t.r("aws_secretsmanager_secret.s", {}, {}, ["kms_key_id"])])
}
