package citygate.kinesis_test

import data.citygate.kinesis
import data.citygate.testing as t
import rego.v1

test_cmk_stream_passes if {
	count(kinesis.deny) == 0 with input as t.plan([t.r("aws_kinesis_stream.s", {"encryption_type": "KMS"}, {"kms_key_id": ["aws_kms_key.k"]}, ["kms_key_id"])])
}

test_unencrypted_or_aws_managed_stream_fails if {
	t.flagged(kinesis.deny, "CG_KIN_001", "aws_kinesis_stream.s") with input as t.plan([t.resource("aws_kinesis_stream.s", {"encryption_type": "NONE"})])
	t.flagged(kinesis.deny, "CG_KIN_001", "aws_kinesis_stream.s") with input as t.plan([t.resource("aws_kinesis_stream.s", {"encryption_type": "KMS", "kms_key_id": "alias/aws/kinesis"})])
}

test_unknown_key_is_unverifiable_unless_unwritten if {
	stream := t.r("aws_kinesis_stream.s", {"encryption_type": "KMS"}, {}, ["kms_key_id"])
	t.unverified(kinesis.deny, "CG_KIN_001", "aws_kinesis_stream.s") with input as t.plan([stream])
	# never written: a stream is not encrypted by default
	unwritten := t.configured(t.r("aws_kinesis_stream.s", {}, {}, ["encryption_type", "kms_key_id"]), ["name", "shard_count"])
	t.flagged(kinesis.deny, "CG_KIN_001", "aws_kinesis_stream.s") with input as t.plan([unwritten])
	not t.unverified(kinesis.deny, "CG_KIN_001", "aws_kinesis_stream.s") with input as t.plan([unwritten])
}
