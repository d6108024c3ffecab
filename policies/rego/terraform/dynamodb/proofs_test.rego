package citygate.dynamodb_proofs_test

import data.citygate.dynamodb
import data.citygate.testing as t
import rego.v1

key := t.resource("aws_kms_key.features", {})

table(sse, pitr) := t.r("aws_dynamodb_table.t", {"server_side_encryption": [sse], "point_in_time_recovery": [{"enabled": pitr}]}, {"server_side_encryption.0.kms_key_arn": ["aws_kms_key.features"]}, ["server_side_encryption.0.kms_key_arn"])

test_table_with_referenced_key_and_pitr_is_proven if {
	inp := t.plan([key, table({"enabled": true}, true)])
	cmk := {"id": "CG_DDB_001", "resource": "aws_dynamodb_table.t", "evidence": "server_side_encryption.enabled = true, kms_key_arn → aws_kms_key.features (a customer-managed key in this plan)"}
	cmk in dynamodb.proof with input as inp
	pitr := {"id": "CG_DDB_002", "resource": "aws_dynamodb_table.t", "evidence": "point_in_time_recovery.enabled = true"}
	pitr in dynamodb.proof with input as inp
}

test_aws_owned_key_and_no_pitr_are_not_proven if {
	inp := t.plan([key, t.resource("aws_dynamodb_table.t", {"server_side_encryption": [{"enabled": false}], "point_in_time_recovery": [{"enabled": false}]})])
	t.ids(dynamodb.deny) == {"CG_DDB_001", "CG_DDB_002"} with input as inp
	count(dynamodb.proof) == 0 with input as inp
}

test_encryption_switched_off_is_not_proven_despite_a_key_reference if {
	inp := t.plan([key, table({"enabled": false}, true)])
	not t.flagged(dynamodb.proof, "CG_DDB_001", "aws_dynamodb_table.t") with input as inp
}
