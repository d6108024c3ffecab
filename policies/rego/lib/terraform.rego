# Shared helpers for the Terraform policies: resource lookup, joins through references, and
# reading values that may be known only after apply (never crash, never pass silently): such a value
# is judged by what it refers to, or by the provider's default when the author never wrote it; only
# what neither resolves is "unverifiable", and that is a denial too.
package citygate.lib

import rego.v1

# ------------------------------------------------------------------ resources

terraform if input.kind == "terraform"

# _type_index[type]: positions of the managed resources of that type (an index keeps rules linear)
_type_index[r.type] contains i if {
	terraform
	some i, r in input.resources
	r.mode == "managed"
}

# resources(t): managed resources of type t
resources(t) := [input.resources[i] | some i in _type_index[t]]

# any_of(types): managed resources of any type in the set
any_of(types) := [input.resources[i] | some t in types; some i in _type_index[t]]

_position[r.address] := i if {
	terraform
	some i, r in input.resources
}

# by_address[address]: the resource at that address
by_address[address] := input.resources[i] if some address, i in _position

# referrers[address]: addresses of the resources whose attributes refer to `address`
referrers[target] contains r.address if {
	terraform
	some r in input.resources
	some targets in r.references
	some target in targets
}

# attached(target, t): resources of type t referring to `target` (split aws_s3_bucket_* resources,
# associations, flow logs...), or naming it by a known `name_attr` value.
attached(target, t) := [r | some a in referrers[target.address]; r := by_address[a]; r.type == t]

# attributes that name another resource by a value known before apply
_join_attributes := {"bucket", "vpc_id", "resource_arn", "name"}

_name_index[key] contains r.address if {
	terraform
	some r in input.resources
	some attribute in _join_attributes
	value := r.values[attribute]
	is_string(value)
	key := concat("|", [r.type, attribute, value])
}

# named(t, attr, value): resources of type t whose attr is the known string value
named(t, attr, value) := [by_address[a] | is_string(value); some a in _name_index[concat("|", [t, attr, value])]]

attached_by_name(target, t, name_attr, value) := [r |
	some r in named(t, name_attr, value)
	not r.address in referrers[target.address]
]

# joined(target, t, name_attr, target_attr): attached by reference, or by equal known names
joined(target, t, name_attr, target_attr) := array.concat(
	attached(target, t),
	attached_by_name(target, t, name_attr, get(target.values, target_attr, "")),
)

# companion_state(target, companions, attr, target_attr): "present" when one of `companions` (e.g.
# lifecycle policies, secret rotations) names `target` in `attr`, by reference or by the target's
# known `target_attr` value; "unknown" when a companion's `attr` is known only after apply and
# refers to no resource (it may be any target's); else "missing".
companion_state(target, companions, attr, target_attr) := "present" if {
	some c in companions
	_names_target(c, target, attr, target_attr)
} else := "unknown" if {
	some c in companions
	unresolved(c, attr)
	count(refs(c, attr)) == 0
} else := "missing"

_names_target(c, target, attr, _) if target.address in refs(c, attr)

_names_target(c, target, attr, target_attr) if {
	name := get(target.values, target_attr, null)
	is_string(name)
	get(c.values, attr, null) == name
}

# address_type("module.m.aws_kms_key.k[0]") = "aws_kms_key"
address_type(address) := t if {
	parts := [p | some p in split(regex.replace(address, `\[[^\]]*\]`, ""), ".")]
	parts[count(parts) - 3] != "data"
	t := parts[count(parts) - 2]
} else := t if {
	parts := split(regex.replace(address, `\[[^\]]*\]`, ""), ".")
	t := parts[count(parts) - 2]
}

# ------------------------------------------------------------------ values and paths

# get(obj, key, fallback): like object.get, but a JSON null (plans write them) also yields the fallback
get(obj, key, fallback) := v if {
	v := object.get(obj, key, null)
	v != null
} else := fallback

# strip_indices("rule.0.apply.1.x") = "rule.apply.x": synth (objects) and plans (lists) agree
strip_indices(path) := regex.replace(path, `\.[0-9]+(\.|$)`, "$1")

# unknown(r, path): the attribute at path (or its parent/child) is known only after apply
unknown(r, path) if {
	some u in r.unknown
	p := strip_indices(u)
	_related(p, path)
}

_related(p, path) if p == path
_related(p, path) if startswith(p, concat("", [path, "."]))
_related(p, path) if startswith(path, concat("", [p, "."]))

# refs(r, path): addresses referenced by the attribute at path or below it
refs(r, path) := {t |
	some p, targets in r.references
	_under(strip_indices(p), path)
	some t in targets
}

_under(p, path) if p == path
_under(p, path) if startswith(p, concat("", [path, "."]))

# configured(r, path): the configuration writes the attribute at path, something inside it, or the
# expression holding it
configured(r, path) if {
	some p in r.configured
	_related(strip_indices(p), path)
}

# defaulted(r, path): the input carries the resource's configuration and it never writes path, so
# the provider's default applies (e.g. a computed block the author left out)
defaulted(r, path) if {
	is_array(r.configured)
	not configured(r, path)
}

# unresolved(r, path): known only after apply, and written (or not known to be unwritten): nothing
# before apply tells its value
unresolved(r, path) if {
	unknown(r, path)
	not defaulted(r, path)
}

# blocks(x): a nested block as a list, whether it came as a list (plans) or an object (synth)
blocks(x) := x if is_array(x)
else := [x] if is_object(x)
else := []

# block(values, name): the first block called name, {} if absent
block(values, name) := b if {
	some b in blocks(get(values, name, []))
} else := {}

# ------------------------------------------------------------------ verdicts on values

# bool_state(r, path, v): "true" | "false" | "unknown" (unresolved) | "missing" (unset: the provider's default)
bool_state(r, path, v) := "true" if v == true
else := "false" if v == false
else := "unknown" if unresolved(r, path)
else := "missing"

# key_state(r, path, v): is a customer-managed KMS key set at path?
#   "cmk"      a key we create or look up as customer-managed (referenced), or a key id/ARN given
#   "unknown"  only apply will tell: written, and no reference shows which key
#   "missing"  unset (the service then uses a key AWS owns or manages), or an AWS-managed key
key_state(r, path, v) := "cmk" if {
	some t in refs(r, path)
	_key_reference(t) == "cmk"
} else := "missing" if {
	some t in refs(r, path)
	_key_reference(t) == "missing"
} else := "missing" if {
	_aws_managed_alias(v)
} else := "cmk" if {
	is_string(v)
	v != ""
} else := "unknown" if {
	unresolved(r, path)
} else := "missing"

_kms_key_types := {"aws_kms_key", "aws_kms_replica_key", "aws_kms_alias", "aws_kms_external_key", "aws_kms_replica_external_key"}

_aws_managed_alias(v) if {
	is_string(v)
	startswith(v, "alias/aws/")
}

# a key this configuration creates
_key_reference(t) := "cmk" if {
	not regex.match(`(^|\.)data\.`, t)
	address_type(t) in _kms_key_types
}

# a key looked up by a data source: its key_manager once read, else the alias or id it is looked up by
_key_reference(t) := state if {
	regex.match(`(^|\.)data\.`, t)
	address_type(t) in {"aws_kms_key", "aws_kms_alias"}
	state := _looked_up_key(by_address[t].values)
}

_looked_up_key(values) := "cmk" if values.key_manager == "CUSTOMER"
else := "missing" if values.key_manager == "AWS"
else := "missing" if _aws_managed_alias(get(values, "key_id", get(values, "name", null)))
else := "cmk" if is_string(get(values, "key_id", get(values, "name", null)))

# ------------------------------------------------------------------ IAM policy documents

# statements(r, attr): normalized statements of a JSON policy attribute, or of the
# aws_iam_policy_document data sources it refers to when the JSON is known only after apply
statements(r, attr) := stmts if {
	doc := r.values[attr]
	is_string(doc)
	stmts := json_statements(doc)
} else := [s |
	some t in refs(r, attr)
	d := by_address[t]
	d.type == "aws_iam_policy_document"
	some s in document_statements(d)
]

json_statements(doc) := [normalize_json(s) | some s in _as_list(get(json.unmarshal(doc), "Statement", []))] if {
	json.is_valid(doc)
} else := []

document_statements(d) := [normalize_block(s) | some s in blocks(get(d.values, "statement", []))]

normalize_json(s) := {
	"effect": get(s, "Effect", "Allow"),
	"actions": _as_list(get(s, "Action", [])),
	"not_actions": _as_list(get(s, "NotAction", [])),
	"resources": _as_list(get(s, "Resource", [])),
	"principals": _principals_json(get(s, "Principal", {})),
	"conditions": [{"test": test, "variable": variable, "values": _as_list(values)} |
		some test, by_var in get(s, "Condition", {})
		some variable, values in by_var
	],
}

normalize_block(s) := {
	"effect": get(s, "effect", "Allow"),
	"actions": _as_list(get(s, "actions", [])),
	"not_actions": _as_list(get(s, "not_actions", [])),
	"resources": _as_list(get(s, "resources", [])),
	"principals": [{"type": get(p, "type", ""), "identifiers": _as_list(get(p, "identifiers", []))} |
		some p in blocks(get(s, "principals", []))
	],
	"conditions": [{"test": get(c, "test", ""), "variable": get(c, "variable", ""), "values": _as_list(get(c, "values", []))} |
		some c in blocks(get(s, "condition", []))
	],
}

_principals_json(p) := [{"type": "*", "identifiers": ["*"]}] if p == "*"
else := [{"type": k, "identifiers": _as_list(v)} | some k, v in p] if is_object(p)
else := []

_as_list(x) := x if is_array(x)
else := [x] if not is_null(x)
else := []

# ------------------------------------------------------------------ findings

finding(id, r, msg) := {"id": id, "resource": r.address, "msg": msg}

unverifiable(id, r, what) := finding(id, r, sprintf("%s cannot be verified before apply (known only after apply)", [what]))

environment := get(input, "environment", "")

# production unless the input says otherwise (fail closed when the environment is unknown)
production if not environment in {"local", "dev", "staging"}
