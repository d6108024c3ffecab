package citygate.s3_proofs_test

import data.citygate.s3
import data.citygate.testing as t
import rego.v1

key := t.resource("aws_kms_key.k", {"enable_key_rotation": true})

bucket := t.resource("aws_s3_bucket.raw", {"bucket": "raw"})

all_blocked := {"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true}

sse(encryption) := t.r("aws_s3_bucket_server_side_encryption_configuration.raw", {"rule": [{"apply_server_side_encryption_by_default": [encryption]}]}, {"bucket": ["aws_s3_bucket.raw"], "rule.0.apply_server_side_encryption_by_default.0.kms_master_key_id": ["aws_kms_key.k"]}, ["bucket", "rule.0.apply_server_side_encryption_by_default.0.kms_master_key_id"])

pab(settings) := t.r("aws_s3_bucket_public_access_block.raw", settings, {"bucket": ["aws_s3_bucket.raw"]}, ["bucket"])

versioning(status) := t.resource("aws_s3_bucket_versioning.raw", {"bucket": "raw", "versioning_configuration": [{"status": status}]})

compliant := t.plan([key, bucket, sse({"sse_algorithm": "aws:kms"}), pab(all_blocked), versioning("Enabled")])

sse_evidence := `aws_s3_bucket_server_side_encryption_configuration.raw (bucket → aws_s3_bucket.raw): sse_algorithm "aws:kms", kms_master_key_id → aws_kms_key.k (a customer-managed key in this plan)`

pab_evidence := "aws_s3_bucket_public_access_block.raw (bucket → aws_s3_bucket.raw) sets block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets = true"

versioning_evidence := `aws_s3_bucket_versioning.raw (bucket = "raw"): versioning_configuration.status = "Enabled"`

test_compliant_bucket_is_proven_on_the_bucket_and_its_settings_resources if {
	every resource in ["aws_s3_bucket.raw", "aws_s3_bucket_server_side_encryption_configuration.raw"] {
		{"id": "CG_S3_001", "resource": resource, "evidence": sse_evidence} in s3.proof with input as compliant
	}
	every resource in ["aws_s3_bucket.raw", "aws_s3_bucket_public_access_block.raw"] {
		{"id": "CG_S3_002", "resource": resource, "evidence": pab_evidence} in s3.proof with input as compliant
	}
	every resource in ["aws_s3_bucket.raw", "aws_s3_bucket_versioning.raw"] {
		{"id": "CG_S3_003", "resource": resource, "evidence": versioning_evidence} in s3.proof with input as compliant
	}
}

test_inline_bucket_settings_are_proven_on_the_bucket if {
	arn := "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	inline := t.resource("aws_s3_bucket.raw", {
		"bucket": "raw",
		"server_side_encryption_configuration": [{"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms", "kms_master_key_id": arn}]}]}],
		"versioning": [{"enabled": true}],
	})
	inp := t.plan([inline])
	text := sprintf(`server_side_encryption_configuration: sse_algorithm "aws:kms", kms_master_key_id = %q (a customer-managed key, not an AWS-managed alias)`, [arn])
	{"id": "CG_S3_001", "resource": "aws_s3_bucket.raw", "evidence": text} in s3.proof with input as inp
	{"id": "CG_S3_003", "resource": "aws_s3_bucket.raw", "evidence": "versioning.enabled = true"} in s3.proof with input as inp
}

test_aws_managed_or_unresolved_key_is_not_proven if {
	aws_managed := t.r("aws_s3_bucket_server_side_encryption_configuration.raw", {"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms", "kms_master_key_id": "alias/aws/s3"}]}]}, {"bucket": ["aws_s3_bucket.raw"]}, [])
	unresolved := t.r("aws_s3_bucket_server_side_encryption_configuration.raw", {"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}]}]}, {"bucket": ["aws_s3_bucket.raw"]}, ["rule.0.apply_server_side_encryption_by_default.0.kms_master_key_id"])
	sse_s3 := t.r("aws_s3_bucket_server_side_encryption_configuration.raw", {"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "AES256"}]}]}, {"bucket": ["aws_s3_bucket.raw"]}, [])
	every config in [aws_managed, unresolved, sse_s3] {
		not t.flagged(s3.proof, "CG_S3_001", "aws_s3_bucket.raw") with input as t.plan([key, bucket, config])
		not t.flagged(s3.proof, "CG_S3_001", config.address) with input as t.plan([key, bucket, config])
	}
}

test_key_found_by_a_data_source_is_no_evidence if {
	looked_up := t.r("aws_s3_bucket_server_side_encryption_configuration.raw", {"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}]}]}, {"bucket": ["aws_s3_bucket.raw"], "rule.0.apply_server_side_encryption_by_default.0.kms_master_key_id": ["data.aws_kms_key.k"]}, ["rule.0.apply_server_side_encryption_by_default.0.kms_master_key_id"])
	not t.flagged(s3.proof, "CG_S3_001", "aws_s3_bucket.raw") with input as t.plan([t.resource("data.aws_kms_key.k", {"key_id": "alias/aws/s3"}), bucket, looked_up])
}

test_incomplete_public_access_block_is_not_proven if {
	inp := t.plan([bucket, pab(object.union(all_blocked, {"ignore_public_acls": false}))])
	t.flagged(s3.deny, "CG_S3_002", "aws_s3_bucket.raw") with input as inp
	not t.flagged(s3.proof, "CG_S3_002", "aws_s3_bucket.raw") with input as inp
	not t.flagged(s3.proof, "CG_S3_002", "aws_s3_bucket_public_access_block.raw") with input as inp
}

test_public_access_block_of_another_bucket_is_not_proven if {
	other := t.r("aws_s3_bucket_public_access_block.raw", all_blocked, {"bucket": ["aws_s3_bucket.other"]}, ["bucket"])
	not t.flagged(s3.proof, "CG_S3_002", "aws_s3_bucket.raw") with input as t.plan([bucket, other])
}

test_suspended_versioning_is_not_proven if {
	inp := t.plan([bucket, versioning("Suspended")])
	not t.flagged(s3.proof, "CG_S3_003", "aws_s3_bucket.raw") with input as inp
	not t.flagged(s3.proof, "CG_S3_003", "aws_s3_bucket_versioning.raw") with input as inp
}

test_access_logs_are_proven_on_the_bucket_and_its_logging_configuration if {
	logging := t.r("aws_s3_bucket_logging.raw", {"target_prefix": "s3/raw/"}, {"bucket": ["aws_s3_bucket.raw"], "target_bucket": ["aws_s3_bucket.logs"]}, ["bucket", "target_bucket"])
	text := "aws_s3_bucket_logging.raw delivers server access logs to target_bucket aws_s3_bucket.logs"
	every resource in ["aws_s3_bucket.raw", "aws_s3_bucket_logging.raw"] {
		{"id": "CG_S3_005", "resource": resource, "evidence": text} in s3.proof with input as t.plan([bucket, logging])
	}
	not t.flagged(s3.proof, "CG_S3_005", "aws_s3_bucket.raw") with input as t.plan([bucket])
}
