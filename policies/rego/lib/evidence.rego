# Evidence for proofs. A proof says "rule <id> judged <address> compliant, because <evidence>"; the gate
# dismisses a scanner finding of the same control on that address with it, so the evidence must name
# what a reviewer can check in the plan: the reference that resolves a value known only after apply
# (`kms_key_id → aws_kms_key.logs`), or the literal value that satisfies the rule.
package citygate.evidence

import data.citygate.lib
import rego.v1

_key_types := {"aws_kms_key", "aws_kms_replica_key", "aws_kms_external_key", "aws_kms_alias"}

# upheld(deny, id, address): the package's deny set holds no finding of rule id on address (a proof
# never stands beside a failure of its own rule)
upheld(deny, id, address) if {
	not _denied(deny, id, address)
}

_denied(deny, id, address) if {
	some f in deny
	f.id == id
	f.resource == address
}

# attribute("rule.apply_server_side_encryption_by_default.kms_master_key_id") = "kms_master_key_id"
attribute(path) := a if {
	parts := split(path, ".")
	a := parts[count(parts) - 1]
}

# customer_managed_key(r, path, v): why the KMS key at path is customer-managed. Undefined (no
# evidence, so no proof) unless the attribute refers to a KMS key or alias this plan manages (AWS-owned
# aliases cannot be created), or holds a key id/ARN that is not an AWS-managed alias.
customer_managed_key(r, path, v) := sprintf("%s → %s (a customer-managed key in this plan)", [attribute(path), concat(", ", keys)]) if {
	keys := sort([t | some t in lib.refs(r, path); _managed_key(t)])
	count(keys) > 0
} else := sprintf("%s = %q (a customer-managed key, not an AWS-managed alias)", [attribute(path), v]) if {
	is_string(v)
	v != ""
	not regex.match(`(^|:)alias/aws/`, v)
}

_managed_key(address) if {
	k := lib.by_address[address]
	k.mode == "managed"
	k.type in _key_types
}

# joined_by(c, attr, target): how companion c names target: by reference, or by the target's known name
joined_by(c, attr, target) := sprintf("%s → %s", [attr, target.address]) if {
	target.address in lib.refs(c, attr)
} else := sprintf("%s = %q", [attr, lib.get(c.values, attr, "")])

# literal(path, v): `path = v`, v as it is written in Terraform (strings quoted, booleans and numbers bare)
literal(path, v) := sprintf("%s = %s", [path, json.marshal(v)])
