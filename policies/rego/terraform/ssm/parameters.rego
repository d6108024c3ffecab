# SSM parameters: every parameter is a SecureString encrypted with a customer-managed key, except plain
# configuration published under a `config` path segment (`/citygate-prod/config/cluster-name`), and
# nothing whose name or description speaks of a secret is ever plain, wherever it lives.
package citygate.ssm

import data.citygate.evidence
import data.citygate.lib
import rego.v1

parameters := lib.resources("aws_ssm_parameter")

# the words that mark a value as a secret (matched in lower case, in the name or the description) and
# the explicit namespace of plain, non-secret configuration: the catalogue's parameters of CG-ENC-11
secret_marker := data.citygate.parameters["CG-ENC-11"].secret_marker

plain_path := data.citygate.parameters["CG-ENC-11"].plain_path

_secure(p) if lib.get(p.values, "type", "String") == "SecureString"

_marked_secret(p) if {
	some attr in ["name", "description"]
	regex.match(secret_marker, lower(lib.get(p.values, attr, "")))
}

_plain_allowed(p) if {
	regex.match(plain_path, lib.get(p.values, "name", ""))
	not _marked_secret(p)
}

# key_id: "cmk" | "unverifiable" | "missing". A key_id the author never wrote is known only after
# apply and refers to nothing: SSM's default, the AWS-managed alias/aws/ssm.
_key(p) := "unverifiable" if {
	lib.key_state(p, "key_id", lib.get(p.values, "key_id", null)) == "unknown"
	count(lib.refs(p, "key_id")) > 0
} else := "cmk" if {
	lib.key_state(p, "key_id", lib.get(p.values, "key_id", null)) == "cmk"
} else := "missing"

# METADATA
# title: SSM parameters are SecureStrings encrypted with a customer-managed KMS key
# custom:
#   id: CG_SSM_001
#   severity: high
#   controls: [CG-ENC-11]
#   fix: Set type = "SecureString" and key_id = aws_kms_key.<key>.arn, or publish non-secret configuration under a /config/ path.
deny contains f if {
	some p in parameters
	not _secure(p)
	not _plain_allowed(p)
	f := lib.finding("CG_SSM_001", p, _plain_gap(p))
}

_plain_gap(p) := sprintf("a %s parameter whose name or description marks a secret", [lib.get(p.values, "type", "String")]) if {
	_marked_secret(p)
} else := sprintf("a %s parameter outside the plain configuration namespace (a /config/ path segment)", [lib.get(p.values, "type", "String")])

deny contains f if {
	some p in parameters
	_secure(p)
	_key(p) == "missing"
	f := lib.finding("CG_SSM_001", p, "the SecureString is encrypted with the AWS-managed key (alias/aws/ssm), not a customer-managed key")
}

deny contains f if {
	some p in parameters
	_secure(p)
	_key(p) == "unverifiable"
	f := lib.unverifiable("CG_SSM_001", p, "the SecureString's key_id")
}

proof contains {"id": "CG_SSM_001", "resource": p.address, "evidence": text} if {
	some p in parameters
	evidence.upheld(deny, "CG_SSM_001", p.address)
	text := _why(p)
}

_why(p) := sprintf("%s, %s", [evidence.literal("type", "SecureString"), evidence.customer_managed_key(p, "key_id", lib.get(p.values, "key_id", null))]) if {
	_secure(p)
} else := sprintf("%s: plain configuration under a /config/ path, no secret marker in its name or description", [evidence.literal("name", p.values.name)])
