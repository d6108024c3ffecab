# WAF: every internet-facing ALB is behind a WAFv2 web ACL with AWS managed common rules and a rate limit.
package citygate.waf

import data.citygate.lib
import rego.v1

_public_alb(lb) if {
	lib.get(lb.values, "internal", false) != true
	lib.get(lb.values, "load_balancer_type", "application") == "application"
}

_associated(lb) if count(lib.attached(lb, "aws_wafv2_web_acl_association")) > 0

_associated(lb) if {
	arn := lib.get(lb.values, "arn", "")
	arn != ""
	some a in lib.resources("aws_wafv2_web_acl_association")
	a.values.resource_arn == arn
}

# METADATA
# title: Internet-facing load balancer is associated with a WAFv2 web ACL
# custom:
#   id: CG_WAF_001
#   severity: high
#   controls: [CG-WAF-1]
#   fix: Add aws_wafv2_web_acl_association with resource_arn = the ALB's arn and web_acl_arn = the platform ACL.
deny contains f if {
	some lb in lib.any_of({"aws_lb", "aws_alb"})
	_public_alb(lb)
	not _associated(lb)
	f := lib.finding("CG_WAF_001", lb, "internet-facing load balancer has no WAFv2 web ACL association")
}

_statements(acl) := [st |
	some rule in lib.blocks(lib.get(acl.values, "rule", []))
	some st in lib.blocks(lib.get(rule, "statement", []))
]

_has_common_rule_set(acl) if {
	some st in _statements(acl)
	some m in lib.blocks(lib.get(st, "managed_rule_group_statement", []))
	m.name == "AWSManagedRulesCommonRuleSet"
	m.vendor_name == "AWS"
}

_has_rate_limit(acl) if {
	some st in _statements(acl)
	count(lib.blocks(lib.get(st, "rate_based_statement", []))) > 0
}

_met(acl, "the AWS managed common rule set (AWSManagedRulesCommonRuleSet)") if _has_common_rule_set(acl)

_met(acl, "a rate-based rule") if _has_rate_limit(acl)

_missing(acl) := {m |
	some m in ["the AWS managed common rule set (AWSManagedRulesCommonRuleSet)", "a rate-based rule"]
	not _met(acl, m)
}

# METADATA
# title: The web ACL has the AWS managed common rule set and a rate limit
# custom:
#   id: CG_WAF_002
#   severity: high
#   controls: [CG-WAF-1]
#   fix: Add a rule with managed_rule_group_statement { vendor_name = "AWS", name = "AWSManagedRulesCommonRuleSet" } and a rule with rate_based_statement.
deny contains f if {
	some acl in lib.resources("aws_wafv2_web_acl")
	not lib.unknown(acl, "rule")
	missing := _missing(acl)
	count(missing) > 0
	f := lib.finding("CG_WAF_002", acl, sprintf("web ACL lacks %s", [concat(" and ", sort(missing))]))
}
