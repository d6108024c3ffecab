# WAF rate limits within the bounds the catalogue sets on CG-WAF-1 (`parameters`, requests per
# 5 minutes per IP): a rate-based rule whose limit nobody reaches blocks no flood.
package citygate.waf

import data.citygate.lib
import rego.v1

_bounds := data.citygate.parameters["CG-WAF-1"]

_bounds_known if {
	is_number(_bounds.rate_limit_min)
	is_number(_bounds.rate_limit_max)
}

_within_bounds(limit) if {
	is_number(limit)
	limit >= _bounds.rate_limit_min
	limit <= _bounds.rate_limit_max
}

_rate_rules(acl) := [r |
	some st in _statements(acl)
	some r in lib.blocks(lib.get(st, "rate_based_statement", []))
]

_limit_path := "rule.statement.rate_based_statement.limit"

# METADATA
# title: The web ACL's rate limit lies within the catalogue's bounds
# custom:
#   id: CG_WAF_003
#   severity: high
#   controls: [CG-WAF-1]
#   fix: Set rate_based_statement.limit between the CG-WAF-1 parameters rate_limit_min and rate_limit_max (policies/controls/aws.yaml).
deny contains f if {
	some acl in lib.resources("aws_wafv2_web_acl")
	_bounds_known
	not lib.unknown(acl, _limit_path)
	some r in _rate_rules(acl)
	limit := lib.get(r, "limit", "not set")
	not _within_bounds(limit)
	msg := sprintf(
		"rate-based rule limit %v is outside %v..%v requests per 5 minutes per IP",
		[limit, _bounds.rate_limit_min, _bounds.rate_limit_max],
	)
	f := lib.finding("CG_WAF_003", acl, msg)
}

deny contains f if {
	some acl in lib.resources("aws_wafv2_web_acl")
	_bounds_known
	lib.unknown(acl, _limit_path)
	f := lib.unverifiable("CG_WAF_003", acl, "the rate-based rule's limit")
}

deny contains f if {
	some acl in lib.resources("aws_wafv2_web_acl")
	count(_rate_rules(acl)) > 0
	not _bounds_known
	f := lib.finding("CG_WAF_003", acl, "the catalogue sets no numeric rate_limit_min/rate_limit_max on CG-WAF-1: the rate limit cannot be judged")
}
