package citygate.evidence_test

import data.citygate.evidence
import data.citygate.testing as t
import rego.v1

key := t.resource("aws_kms_key.k", {})

group(references, unknown) := t.r("aws_cloudwatch_log_group.g", {}, references, unknown)

test_a_referenced_key_of_this_plan_is_evidence if {
	g := group({"kms_key_id": ["aws_kms_key.k"]}, ["kms_key_id"])
	text := evidence.customer_managed_key(g, "kms_key_id", null) with input as t.plan([key, g])
	text == "kms_key_id → aws_kms_key.k (a customer-managed key in this plan)"
}

test_a_key_arn_is_evidence_an_aws_managed_alias_is_not if {
	arn := "arn:aws:kms:eu-west-1:111122223333:key/k"
	evidence.customer_managed_key(key, "kms_key_id", arn) == sprintf("kms_key_id = %q (a customer-managed key, not an AWS-managed alias)", [arn])
	not evidence.customer_managed_key(key, "kms_key_id", "alias/aws/logs")
	not evidence.customer_managed_key(key, "kms_key_id", "arn:aws:kms:eu-west-1:111122223333:alias/aws/logs")
	not evidence.customer_managed_key(key, "kms_key_id", "")
}

test_an_unresolved_or_looked_up_key_is_no_evidence if {
	unresolved := group({}, ["kms_key_id"])
	not evidence.customer_managed_key(unresolved, "kms_key_id", null) with input as t.plan([unresolved])
	looked_up := group({"kms_key_id": ["data.aws_kms_key.k"]}, ["kms_key_id"])
	inp := t.plan([t.resource("data.aws_kms_key.k", {"key_id": "alias/aws/logs"}), looked_up])
	not evidence.customer_managed_key(looked_up, "kms_key_id", null) with input as inp
	missing := group({"kms_key_id": ["aws_kms_key.elsewhere"]}, ["kms_key_id"])
	not evidence.customer_managed_key(missing, "kms_key_id", null) with input as t.plan([missing])
}

test_joined_by_names_the_reference_or_the_known_name if {
	bucket := t.resource("aws_s3_bucket.b", {"bucket": "b"})
	by_reference := t.r("aws_s3_bucket_versioning.b", {}, {"bucket": ["aws_s3_bucket.b"]}, ["bucket"])
	evidence.joined_by(by_reference, "bucket", bucket) == "bucket → aws_s3_bucket.b"
	evidence.joined_by(t.resource("aws_s3_bucket_versioning.b", {"bucket": "b"}), "bucket", bucket) == `bucket = "b"`
}

test_literal_writes_values_as_terraform_does if {
	evidence.literal("encryption_type", "KMS") == `encryption_type = "KMS"`
	evidence.literal("enable", true) == "enable = true"
	evidence.attribute("rule.apply_server_side_encryption_by_default.kms_master_key_id") == "kms_master_key_id"
}

test_a_denied_resource_is_not_upheld if {
	deny := {{"id": "CG_X_001", "resource": "aws_x.a", "msg": "bad"}}
	not evidence.upheld(deny, "CG_X_001", "aws_x.a")
	evidence.upheld(deny, "CG_X_001", "aws_x.b")
	evidence.upheld(deny, "CG_X_002", "aws_x.a")
}
