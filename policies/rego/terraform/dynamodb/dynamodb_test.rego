package citygate.dynamodb_test

import data.citygate.dynamodb
import data.citygate.testing as t
import rego.v1

test_cmk_and_pitr_pass if {
	table := t.r("aws_dynamodb_table.e", {"server_side_encryption": [{"enabled": true}], "point_in_time_recovery": [{"enabled": true}]}, {"server_side_encryption.0.kms_key_arn": ["aws_kms_key.k"]}, [])
	count(dynamodb.deny) == 0 with input as t.plan([table])
}

test_default_table_fails_both if {
	t.ids(dynamodb.deny) == {"CG_DDB_001", "CG_DDB_002"} with input as t.plan([t.resource("aws_dynamodb_table.e", {"server_side_encryption": [], "point_in_time_recovery": null})])
}

test_unknown_key_without_configuration_is_unverifiable if {
	table := t.r("aws_dynamodb_table.e", {"server_side_encryption": [{"enabled": true}], "point_in_time_recovery": [{"enabled": true}]}, {}, ["server_side_encryption.0.kms_key_arn"])
	t.unverified(dynamodb.deny, "CG_DDB_001", "aws_dynamodb_table.e") with input as t.plan([table])
	written := t.configured(table, ["server_side_encryption.0.enabled", "server_side_encryption.0.kms_key_arn"])
	t.unverified(dynamodb.deny, "CG_DDB_001", "aws_dynamodb_table.e") with input as t.plan([written])
}

# never written: DynamoDB encrypts with an AWS-owned key and keeps no point-in-time backups
test_unwritten_settings_take_the_provider_defaults if {
	table := t.configured(t.r("aws_dynamodb_table.e", {}, {}, ["server_side_encryption", "point_in_time_recovery"]), ["name", "hash_key"])
	t.ids(dynamodb.deny) == {"CG_DDB_001", "CG_DDB_002"} with input as t.plan([table])
	not t.unverified(dynamodb.deny, "CG_DDB_001", "aws_dynamodb_table.e") with input as t.plan([table])
	aws_managed := t.configured(t.r("aws_dynamodb_table.e", {"server_side_encryption": [{"enabled": true}], "point_in_time_recovery": [{"enabled": true}]}, {}, ["server_side_encryption.0.kms_key_arn"]), ["server_side_encryption.0.enabled"])
	t.flagged(dynamodb.deny, "CG_DDB_001", "aws_dynamodb_table.e") with input as t.plan([aws_managed])
	not t.unverified(dynamodb.deny, "CG_DDB_001", "aws_dynamodb_table.e") with input as t.plan([aws_managed])
}
