package citygate.ebs_proofs_test

import data.citygate.ebs
import data.citygate.testing as t
import rego.v1

key := t.resource("aws_kms_key.ebs", {})

volume(values) := t.r("aws_ebs_volume.v", values, {"kms_key_id": ["aws_kms_key.ebs"]}, ["kms_key_id"])

device(name, encrypted) := {"device_name": name, "ebs": [{"encrypted": encrypted}]}

template(devices) := t.r("aws_launch_template.nodes", {"block_device_mappings": devices}, {"block_device_mappings.0.ebs.0.kms_key_id": ["aws_kms_key.ebs"], "block_device_mappings.1.ebs.0.kms_key_id": ["aws_kms_key.ebs"]}, ["block_device_mappings.0.ebs.0.kms_key_id"])

cmk := "kms_key_id → aws_kms_key.ebs (a customer-managed key in this plan)"

test_volume_and_template_with_referenced_keys_are_proven if {
	inp := t.plan([key, volume({"encrypted": true}), template([device("/dev/xvda", "true"), device("/dev/xvdb", "true")])])
	{"id": "CG_EBS_001", "resource": "aws_ebs_volume.v", "evidence": sprintf("encrypted = true, %s", [cmk])} in ebs.proof with input as inp
	devices := sprintf("/dev/xvda: encrypted, %s; /dev/xvdb: encrypted, %s", [cmk, cmk])
	{"id": "CG_EBS_001", "resource": "aws_launch_template.nodes", "evidence": devices} in ebs.proof with input as inp
}

test_unencrypted_volume_and_template_with_one_plain_device_are_not_proven if {
	inp := t.plan([key, volume({"encrypted": false}), template([device("/dev/xvda", "true"), device("/dev/xvdb", "false")])])
	t.flagged(ebs.deny, "CG_EBS_001", "aws_ebs_volume.v") with input as inp
	count(ebs.proof) == 0 with input as inp
}

test_template_device_with_an_unresolved_key_is_not_proven if {
	unresolved := t.r("aws_launch_template.nodes", {"block_device_mappings": [device("/dev/xvda", "true")]}, {}, ["block_device_mappings.0.ebs.0.kms_key_id"])
	not t.flagged(ebs.proof, "CG_EBS_001", "aws_launch_template.nodes") with input as t.plan([key, unresolved])
}
