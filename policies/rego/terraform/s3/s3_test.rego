package citygate.s3_test

import data.citygate.s3
import data.citygate.testing as t
import rego.v1

bucket := t.resource("aws_s3_bucket.raw", {"bucket": "raw"})

policy := json.marshal({"Statement": [{"Effect": "Deny", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})

compliant := [
	bucket,
	t.r("aws_s3_bucket_server_side_encryption_configuration.raw", {"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}]}]}, {"bucket": ["aws_s3_bucket.raw"], "rule.0.apply_server_side_encryption_by_default.0.kms_master_key_id": ["aws_kms_key.k"]}, []),
	t.r("aws_s3_bucket_public_access_block.raw", {"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true}, {"bucket": ["aws_s3_bucket.raw"]}, []),
	t.r("aws_s3_bucket_versioning.raw", {"bucket": "raw", "versioning_configuration": {"status": "Enabled"}}, {}, []),
	t.r("aws_s3_bucket_policy.raw", {"policy": policy}, {"bucket": ["aws_s3_bucket.raw"]}, []),
]

test_compliant_bucket_passes if {
	count(s3.deny) == 0 with input as t.plan(compliant)
	count(s3.warn) == 0 with input as t.plan(compliant)
}

test_bare_bucket_fails_every_rule if {
	t.ids(s3.deny) == {"CG-S3-001", "CG-S3-002", "CG-S3-003", "CG-S3-004"} with input as t.plan([bucket])
}

test_aws_managed_key_fails_and_unknown_policy_warns if {
	inp := t.plan([
		bucket,
		t.r("aws_s3_bucket_server_side_encryption_configuration.raw", {"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms", "kms_master_key_id": "alias/aws/s3"}]}]}, {"bucket": ["aws_s3_bucket.raw"]}, []),
		t.r("aws_s3_bucket_policy.raw", {}, {"bucket": ["aws_s3_bucket.raw"]}, ["policy"]),
	])
	t.flagged(s3.deny, "CG-S3-001", "aws_s3_bucket.raw") with input as inp
	t.flagged(s3.warn, "CG-S3-004", "aws_s3_bucket.raw") with input as inp
}
