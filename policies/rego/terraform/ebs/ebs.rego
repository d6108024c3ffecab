# EBS: volumes, and the volumes launch templates give worker nodes, use a customer-managed key.
package citygate.ebs

import data.citygate.lib
import rego.v1

_volume_state(v) := "missing" if {
	lib.get(v.values, "encrypted", false) != true
	not lib.unresolved(v, "encrypted")
} else := lib.key_state(v, "kms_key_id", lib.get(v.values, "kms_key_id", null))

# METADATA
# title: EBS volumes are encrypted with a customer-managed KMS key
# custom:
#   id: CG_EBS_001
#   severity: medium
#   controls: [CG-ENC-5]
#   fix: Set encrypted = true and kms_key_id = aws_kms_key.<key>.arn (launch templates - in each block_device_mappings.ebs).
deny contains f if {
	some v in lib.resources("aws_ebs_volume")
	_volume_state(v) == "missing"
	f := lib.finding("CG_EBS_001", v, "volume is not encrypted with a customer-managed KMS key")
}

deny contains f if {
	some t in lib.resources("aws_launch_template")
	some i, m in lib.blocks(lib.get(t.values, "block_device_mappings", []))
	ebs := lib.block(m, "ebs")
	_template_volume_state(t, ebs) == "missing"
	f := lib.finding("CG_EBS_001", t, sprintf("block device %v is not encrypted with a customer-managed KMS key", [lib.get(m, "device_name", i)]))
}

deny contains f if {
	some t in lib.resources("aws_launch_template")
	some i, m in lib.blocks(lib.get(t.values, "block_device_mappings", []))
	_template_volume_state(t, lib.block(m, "ebs")) == "unknown"
	f := lib.unverifiable("CG_EBS_001", t, sprintf("the key of block device %v", [lib.get(m, "device_name", i)]))
}

_template_volume_state(t, ebs) := lib.key_state(t, "block_device_mappings.ebs.kms_key_id", lib.get(ebs, "kms_key_id", null)) if {
	sprintf("%v", [lib.get(ebs, "encrypted", false)]) == "true"
} else := "missing"

deny contains f if {
	some v in lib.resources("aws_ebs_volume")
	_volume_state(v) == "unknown"
	f := lib.unverifiable("CG_EBS_001", v, "the volume encryption key")
}
