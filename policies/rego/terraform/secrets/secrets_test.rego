package citygate.secrets_test

import data.citygate.secrets
import data.citygate.testing as t
import rego.v1

test_cmk_secret_passes if {
	not t.flagged(secrets.deny, "CG_SM_001", "aws_secretsmanager_secret.s") with input as t.plan([cmk_secret])
}

test_default_key_fails_and_unknown_is_unverifiable if {
	t.flagged(secrets.deny, "CG_SM_001", "aws_secretsmanager_secret.s") with input as t.plan([t.resource("aws_secretsmanager_secret.s", {})])
	t.unverified(secrets.deny, "CG_SM_001", "aws_secretsmanager_secret.s") with input as t.plan([t.r("aws_secretsmanager_secret.s", {}, {}, ["kms_key_id"])])
}

test_rotated_secret_passes_by_reference_or_name if {
	by_reference := t.r("aws_secretsmanager_secret_rotation.r", {"rotation_rules": [{"automatically_after_days": 30}]}, {"secret_id": ["aws_secretsmanager_secret.s"]}, ["secret_id"])
	count(secrets.deny) == 0 with input as t.plan([cmk_secret, by_reference])
	by_name := t.resource("aws_secretsmanager_secret_rotation.r", {"secret_id": "city/db"})
	count(secrets.deny) == 0 with input as t.plan([cmk_secret, by_name])
}

test_secret_without_rotation_fails if {
	other := t.r("aws_secretsmanager_secret_rotation.r", {}, {"secret_id": ["aws_secretsmanager_secret.other"]}, ["secret_id"])
	inventory := t.plan([cmk_secret, other])
	t.ids(secrets.deny) == {"CG_SM_002"} with input as inventory
	t.flagged(secrets.deny, "CG_SM_002", "aws_secretsmanager_secret.s") with input as inventory
}

test_rotation_of_an_unknown_secret_is_unverifiable if {
	unresolved := t.r("aws_secretsmanager_secret_rotation.r", {}, {}, ["secret_id"])
	t.ids(secrets.deny) == {"CG_SM_002"} with input as t.plan([cmk_secret, unresolved])
	t.unverified(secrets.deny, "CG_SM_002", "aws_secretsmanager_secret.s") with input as t.plan([cmk_secret, unresolved])
}

cmk_secret := t.resource("aws_secretsmanager_secret.s", {"name": "city/db", "kms_key_id": "arn:aws:kms:eu-west-1:1:key/k"})
