package citygate.kms_test

import data.citygate.kms
import data.citygate.testing as t
import rego.v1

test_rotating_key_and_asymmetric_key_pass if {
	inp := t.plan([
		t.resource("aws_kms_key.k", {"enable_key_rotation": true}),
		t.resource("aws_kms_key.sign", {"customer_master_key_spec": "RSA_2048"}),
	])
	count(kms.deny) == 0 with input as inp
}

test_non_rotating_key_fails_and_unknown_is_unverifiable if {
	t.flagged(kms.deny, "CG_KMS_001", "aws_kms_key.k") with input as t.plan([t.resource("aws_kms_key.k", {"enable_key_rotation": false})])
	t.unverified(kms.deny, "CG_KMS_001", "aws_kms_key.k") with input as t.plan([t.r("aws_kms_key.k", {}, {}, ["enable_key_rotation"])])
	# never written: rotation is off by default
	unwritten := t.configured(t.r("aws_kms_key.k", {}, {}, ["enable_key_rotation"]), ["description"])
	t.flagged(kms.deny, "CG_KMS_001", "aws_kms_key.k") with input as t.plan([unwritten])
	not t.unverified(kms.deny, "CG_KMS_001", "aws_kms_key.k") with input as t.plan([unwritten])
}
