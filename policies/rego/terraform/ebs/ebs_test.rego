package citygate.ebs_test

import data.citygate.ebs
import data.citygate.testing as t
import rego.v1

test_encrypted_volume_and_template_pass if {
	inp := t.plan([
		t.r("aws_ebs_volume.v", {"encrypted": true}, {"kms_key_id": ["aws_kms_key.k"]}, []),
		t.r("aws_launch_template.nodes", {"block_device_mappings": [{"device_name": "/dev/xvda", "ebs": [{"encrypted": "true"}]}]}, {"block_device_mappings.0.ebs.0.kms_key_id": ["aws_kms_key.k"]}, []),
	])
	count(ebs.deny) == 0 with input as inp
}

test_unencrypted_volume_and_template_fail if {
	inp := t.plan([
		t.resource("aws_ebs_volume.v", {"encrypted": false}),
		t.resource("aws_launch_template.nodes", {"block_device_mappings": [{"device_name": "/dev/xvda", "ebs": [{"encrypted": "false"}]}]}),
	])
	t.flagged(ebs.deny, "CG_EBS_001", "aws_ebs_volume.v") with input as inp
	t.flagged(ebs.deny, "CG_EBS_001", "aws_launch_template.nodes") with input as inp
}

test_unknown_volume_key_is_unverifiable if {
	t.unverified(ebs.deny, "CG_EBS_001", "aws_ebs_volume.v") with input as t.plan([t.r("aws_ebs_volume.v", {"encrypted": true}, {}, ["kms_key_id"])])
	template := t.r("aws_launch_template.nodes", {"block_device_mappings": [{"device_name": "/dev/xvda", "ebs": [{"encrypted": "true"}]}]}, {}, ["block_device_mappings.0.ebs.0.kms_key_id"])
	t.unverified(ebs.deny, "CG_EBS_001", "aws_launch_template.nodes") with input as t.plan([template])
}

# encrypted without a key written: EBS uses the AWS-managed aws/ebs key
test_unwritten_volume_key_is_aws_managed if {
	volume := t.configured(t.r("aws_ebs_volume.v", {"encrypted": true}, {}, ["kms_key_id"]), ["encrypted", "size"])
	t.flagged(ebs.deny, "CG_EBS_001", "aws_ebs_volume.v") with input as t.plan([volume])
	not t.unverified(ebs.deny, "CG_EBS_001", "aws_ebs_volume.v") with input as t.plan([volume])
}
