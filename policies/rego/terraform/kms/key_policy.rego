# KMS key policies: no Allow to a wildcard principal unless a condition pins the caller to an account
# or organization; otherwise any principal of any AWS account may use (or administer) the key.
package citygate.kms

import data.citygate.lib
import rego.v1

_policy_holders := lib.any_of({
	"aws_kms_key", "aws_kms_replica_key", "aws_kms_external_key", "aws_kms_replica_external_key",
	"aws_kms_key_policy",
})

# condition keys (lower case: IAM ignores their case) naming the caller's or source's account/organization
_caller_keys := {
	"kms:calleraccount", "aws:principalaccount", "aws:principalarn", "aws:principalorgid",
	"aws:principalorgpaths", "aws:sourceaccount", "aws:sourcearn", "aws:sourceowner",
	"aws:sourceorgid", "aws:sourceorgpaths",
}

# a positive match on such a key, never "*": IfExists and ForAllValues pass when the key is absent
_pins_caller(c) if {
	regex.match(`^(ForAnyValue:)?(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$`, c.test)
	lower(c.variable) in _caller_keys
	count(c.values) > 0
	every v in c.values {
		is_string(v)
		v != "*"
	}
}

_wildcard_principal(s) if {
	some p in s.principals
	p.type in {"*", "AWS"}
	"*" in p.identifiers
}

_open_to_anyone(s) if {
	s.effect == "Allow"
	_wildcard_principal(s)
	not _pinned(s)
}

_pinned(s) if {
	some c in s.conditions
	_pins_caller(c)
}

_open_grants(k) := [concat(", ", s.actions) | some s in lib.statements(k, "policy"); _open_to_anyone(s)]

# METADATA
# title: KMS key policies grant nothing to an unconditioned wildcard principal
# custom:
#   id: CG_KMS_002
#   severity: critical
#   controls: [CG-IAM-6]
#   fix: Name the principals (account root, roles, services), or add a condition such as StringEquals kms:CallerAccount = <account id> or aws:PrincipalOrgID = <org id>.
deny contains f if {
	some k in _policy_holders
	grants := _open_grants(k)
	count(grants) > 0
	msg := sprintf("key policy allows %s to Principal \"*\" with no condition pinning the caller's account or organization", [concat(", ", grants)])
	f := lib.finding("CG_KMS_002", k, msg)
}

deny contains f if {
	some k in _policy_holders
	lib.unknown(k, "policy")
	count(lib.statements(k, "policy")) == 0
	f := lib.unverifiable("CG_KMS_002", k, "the key policy")
}
