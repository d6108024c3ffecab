package citygate.kinesis_proofs_test

import data.citygate.kinesis
import data.citygate.testing as t
import rego.v1

key := t.resource("aws_kms_key.streaming", {})

stream(values) := t.r("aws_kinesis_stream.s", values, {"kms_key_id": ["aws_kms_key.streaming"]}, ["kms_key_id"])

test_kms_stream_with_referenced_key_is_proven if {
	expected := {"id": "CG_KIN_001", "resource": "aws_kinesis_stream.s", "evidence": `encryption_type = "KMS", kms_key_id → aws_kms_key.streaming (a customer-managed key in this plan)`}
	expected in kinesis.proof with input as t.plan([key, stream({"encryption_type": "KMS"})])
}

test_unencrypted_or_aws_managed_stream_is_not_proven if {
	every s in [
		stream({"encryption_type": "NONE"}),
		t.resource("aws_kinesis_stream.s", {"encryption_type": "KMS", "kms_key_id": "alias/aws/kinesis"}),
	] {
		t.flagged(kinesis.deny, "CG_KIN_001", "aws_kinesis_stream.s") with input as t.plan([key, s])
		not t.flagged(kinesis.proof, "CG_KIN_001", "aws_kinesis_stream.s") with input as t.plan([key, s])
	}
}
