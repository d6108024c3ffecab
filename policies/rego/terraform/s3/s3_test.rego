package citygate.s3_test

import data.citygate.s3
import data.citygate.testing as t
import rego.v1

bucket := t.resource("aws_s3_bucket.raw", {"bucket": "raw"})

tls_only := {
	"Effect": "Deny", "Principal": "*", "Action": "s3:*",
	"Resource": ["arn:aws:s3:::raw", "arn:aws:s3:::raw/*"],
	"Condition": {"Bool": {"aws:SecureTransport": "false"}},
}

policy := json.marshal({"Statement": [tls_only]})

with_policy(statement) := [bucket, t.r("aws_s3_bucket_policy.raw", {"policy": json.marshal({"Statement": [statement]})}, {"bucket": ["aws_s3_bucket.raw"]}, [])]

tls_message(statement) := f.msg if {
	some f in s3.deny with input as t.plan(with_policy(statement))
	f.id == "CG_S3_004"
}

compliant := [
	bucket,
	t.r("aws_s3_bucket_server_side_encryption_configuration.raw", {"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}]}]}, {"bucket": ["aws_s3_bucket.raw"], "rule.0.apply_server_side_encryption_by_default.0.kms_master_key_id": ["aws_kms_key.k"]}, []),
	t.r("aws_s3_bucket_public_access_block.raw", {"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true}, {"bucket": ["aws_s3_bucket.raw"]}, []),
	t.r("aws_s3_bucket_versioning.raw", {"bucket": "raw", "versioning_configuration": {"status": "Enabled"}}, {}, []),
	t.r("aws_s3_bucket_policy.raw", {"policy": policy}, {"bucket": ["aws_s3_bucket.raw"]}, []),
	t.r("aws_s3_bucket_logging.raw", {"bucket": "raw", "target_bucket": "access-logs", "target_prefix": "s3/raw/"}, {}, []),
]

test_compliant_bucket_passes if {
	count(s3.deny) == 0 with input as t.plan(compliant)
}

test_tls_denial_for_everyone_in_any_spelling_passes if {
	every statement in [
		object.union(tls_only, {"Principal": {"AWS": "*"}, "Action": ["s3:*"]}),
		object.union(object.remove(tls_only, ["Condition"]), {"Principal": {"AWS": ["*"]}, "Action": "*", "Condition": {"Bool": {"aws:securetransport": false}}}),
	] {
		not tls_message(statement)
	}
}

test_tls_denial_for_one_role_action_or_resource_fails if {
	contains(tls_message(object.union(tls_only, {"Principal": {"AWS": "arn:aws:iam::123456789012:role/app"}})), `Principal "*"`)
	contains(tls_message(object.union(tls_only, {"Action": "s3:GetObject"})), "Action s3:*")
	contains(tls_message(object.union(tls_only, {"Resource": "arn:aws:s3:::raw/*"})), "both the bucket ARN and bucket/*")
	exempt := {"StringNotEquals": {"aws:PrincipalAccount": "123456789012"}}
	contains(tls_message(object.union(tls_only, {"Condition": exempt})), "only condition")
}

test_tls_denial_from_a_policy_document_data_source_is_judged if {
	doc := t.resource("data.aws_iam_policy_document.tls", {"statement": [{
		"effect": "Deny", "actions": ["s3:*"], "resources": ["arn:aws:s3:::raw", "arn:aws:s3:::raw/*"],
		"principals": [{"type": "*", "identifiers": ["*"]}],
		"condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}],
	}]})
	narrow := t.resource("data.aws_iam_policy_document.tls", {"statement": [{
		"effect": "Deny", "actions": ["s3:PutObject"], "resources": ["arn:aws:s3:::raw", "arn:aws:s3:::raw/*"],
		"principals": [{"type": "*", "identifiers": ["*"]}],
		"condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}],
	}]})
	policy_ref := t.r("aws_s3_bucket_policy.raw", {}, {"bucket": ["aws_s3_bucket.raw"], "policy": ["data.aws_iam_policy_document.tls"]}, ["policy"])
	not t.flagged(s3.deny, "CG_S3_004", "aws_s3_bucket.raw") with input as t.plan([bucket, doc, policy_ref])
	t.flagged(s3.deny, "CG_S3_004", "aws_s3_bucket.raw") with input as t.plan([bucket, narrow, policy_ref])
}

test_bare_bucket_fails_every_rule if {
	t.ids(s3.deny) == {"CG_S3_001", "CG_S3_002", "CG_S3_003", "CG_S3_004", "CG_S3_005"} with input as t.plan([bucket])
}

test_aws_managed_key_fails_and_unknown_policy_is_unverifiable if {
	inp := t.plan([
		bucket,
		t.r("aws_s3_bucket_server_side_encryption_configuration.raw", {"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms", "kms_master_key_id": "alias/aws/s3"}]}]}, {"bucket": ["aws_s3_bucket.raw"]}, []),
		t.r("aws_s3_bucket_policy.raw", {}, {"bucket": ["aws_s3_bucket.raw"]}, ["policy"]),
	])
	t.flagged(s3.deny, "CG_S3_001", "aws_s3_bucket.raw") with input as inp
	t.unverified(s3.deny, "CG_S3_004", "aws_s3_bucket.raw") with input as inp
}

test_unknown_encryption_rule_is_unverifiable if {
	sse := t.r("aws_s3_bucket_server_side_encryption_configuration.raw", {}, {"bucket": ["aws_s3_bucket.raw"]}, ["rule"])
	t.unverified(s3.deny, "CG_S3_001", "aws_s3_bucket.raw") with input as t.plan([bucket, sse])
}

test_access_logs_to_a_referenced_or_inline_target_pass if {
	by_ref := t.r("aws_s3_bucket_logging.raw", {"target_prefix": "s3/raw/"}, {"bucket": ["aws_s3_bucket.raw"], "target_bucket": ["aws_s3_bucket.logs"]}, ["bucket", "target_bucket"])
	not t.flagged(s3.deny, "CG_S3_005", "aws_s3_bucket.raw") with input as t.plan([bucket, by_ref])
	inline := t.resource("aws_s3_bucket.raw", {"bucket": "raw", "logging": [{"target_bucket": "access-logs"}]})
	not t.flagged(s3.deny, "CG_S3_005", "aws_s3_bucket.raw") with input as t.plan([inline])
}

test_access_logs_of_another_bucket_do_not_count_not_even_for_their_target if {
	other := t.r("aws_s3_bucket_logging.other", {"bucket": "other", "target_bucket": "raw"}, {}, [])
	t.flagged(s3.deny, "CG_S3_005", "aws_s3_bucket.raw") with input as t.plan([bucket, other])
	into_raw := t.r("aws_s3_bucket_logging.other", {"bucket": "other"}, {"target_bucket": ["aws_s3_bucket.raw"]}, ["target_bucket"])
	t.flagged(s3.deny, "CG_S3_005", "aws_s3_bucket.raw") with input as t.plan([bucket, into_raw])
}

test_access_logs_of_an_unknown_bucket_are_unverifiable if {
	unknown := t.r("aws_s3_bucket_logging.x", {"target_bucket": "access-logs"}, {}, ["bucket"])
	t.unverified(s3.deny, "CG_S3_005", "aws_s3_bucket.raw") with input as t.plan([bucket, unknown])
}
