# Proofs for the audit rules: the trail's key known only after apply, resolved through its reference,
# and the trail and detector settings scanners also read, as the values that satisfy them.
package citygate.audit

import data.citygate.evidence
import data.citygate.lib
import rego.v1

_trail_settings := {"CG_CT_001": "is_multi_region_trail", "CG_CT_002": "enable_log_file_validation"}

proof contains {"id": id, "resource": t.address, "evidence": evidence.literal(setting, true)} if {
	some t in trails
	some id, setting in _trail_settings
	t.values[setting] == true
	evidence.upheld(deny, id, t.address)
}

proof contains {"id": "CG_CT_003", "resource": t.address, "evidence": text} if {
	some t in trails
	lib.key_state(t, "kms_key_id", lib.get(t.values, "kms_key_id", null)) == "cmk"
	evidence.upheld(deny, "CG_CT_003", t.address)
	text := evidence.customer_managed_key(t, "kms_key_id", lib.get(t.values, "kms_key_id", null))
}

proof contains {"id": "CG_GD_001", "resource": d.address, "evidence": evidence.literal("enable", true)} if {
	some d in lib.resources("aws_guardduty_detector")
	d.values.enable == true
	evidence.upheld(deny, "CG_GD_001", d.address)
}

proof contains {"id": "CG_CT_005", "resource": t.address, "evidence": text} if {
	some t in trails
	_delivery_state(t) == "set"
	evidence.upheld(deny, "CG_CT_005", t.address)
	groups := [g | some g in lib.refs(t, "cloud_watch_logs_group_arn"); lib.address_type(g) == "aws_cloudwatch_log_group"]
	text := _delivery_evidence(t, groups)
}

_delivery_evidence(_, groups) := sprintf("cloud_watch_logs_group_arn → %s", [concat(", ", groups)]) if count(groups) > 0

_delivery_evidence(t, groups) := evidence.literal("cloud_watch_logs_group_arn", t.values.cloud_watch_logs_group_arn) if count(groups) == 0
