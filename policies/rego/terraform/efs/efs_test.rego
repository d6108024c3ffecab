package citygate.efs_test

import data.citygate.efs
import data.citygate.testing as t
import rego.v1

cmk := {"encrypted": true, "kms_key_id": "arn:aws:kms:eu-west-1:123456789012:key/k"}

test_a_file_system_on_a_customer_managed_key_passes_and_proves_it if {
	inp := t.plan([t.resource("aws_efs_file_system.shared", cmk)])
	count(efs.deny) == 0 with input as inp
	some p in efs.proof with input as inp
	p.id == "CG_EFS_001"
}

test_encrypted_on_the_aws_managed_key_is_flagged if {
	inp := t.plan([t.resource("aws_efs_file_system.shared", {"encrypted": true})])
	t.flagged(efs.deny, "CG_EFS_001", "aws_efs_file_system.shared") with input as inp
}

test_unencrypted_is_flagged if {
	inp := t.plan([t.resource("aws_efs_file_system.shared", {"encrypted": false, "kms_key_id": cmk.kms_key_id})])
	t.flagged(efs.deny, "CG_EFS_001", "aws_efs_file_system.shared") with input as inp
}

test_a_key_known_only_after_apply_is_judged_by_its_reference if {
	fs := t.r("aws_efs_file_system.shared", {"encrypted": true}, {"kms_key_id": ["aws_kms_key.efs"]}, ["kms_key_id"])
	key := t.resource("aws_kms_key.efs", {"enable_key_rotation": true})
	inp := t.plan([fs, key])
	not t.flagged(efs.deny, "CG_EFS_001", "aws_efs_file_system.shared") with input as inp
}
