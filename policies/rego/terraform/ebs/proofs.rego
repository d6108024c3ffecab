# Proofs for CG_EBS_001: the keys of volumes and of launch-template block devices, known only after
# apply, resolved through their references (a template is proven only when every device is).
package citygate.ebs

import data.citygate.evidence
import data.citygate.lib
import rego.v1

_template_key_path := "block_device_mappings.ebs.kms_key_id"

proof contains {"id": "CG_EBS_001", "resource": v.address, "evidence": text} if {
	some v in lib.resources("aws_ebs_volume")
	v.values.encrypted == true
	_volume_state(v) == "cmk"
	evidence.upheld(deny, "CG_EBS_001", v.address)
	key := evidence.customer_managed_key(v, "kms_key_id", lib.get(v.values, "kms_key_id", null))
	text := sprintf("%s, %s", [evidence.literal("encrypted", true), key])
}

proof contains {"id": "CG_EBS_001", "resource": t.address, "evidence": concat("; ", devices)} if {
	some t in lib.resources("aws_launch_template")
	mappings := lib.blocks(lib.get(t.values, "block_device_mappings", []))
	count(mappings) > 0
	evidence.upheld(deny, "CG_EBS_001", t.address)
	devices := [text |
		some i, m in mappings
		text := _device_evidence(t, i, m)
	]
	count(devices) == count(mappings)
}

_device_evidence(t, i, m) := sprintf("%v: encrypted, %s", [lib.get(m, "device_name", i), key]) if {
	ebs := lib.block(m, "ebs")
	sprintf("%v", [lib.get(ebs, "encrypted", false)]) == "true"
	key := evidence.customer_managed_key(t, _template_key_path, lib.get(ebs, "kms_key_id", null))
}
