package citygate.waf_rate_limit_test

import data.citygate.testing as t
import data.citygate.waf
import rego.v1

bounds := {"CG-WAF-1": {"rate_limit_min": 100, "rate_limit_max": 10000}}

acl(limit) := t.plan([t.resource("aws_wafv2_web_acl.edge", {"rule": [{"statement": [{"rate_based_statement": [{"limit": limit}]}]}]})])

test_limits_within_bounds_pass if {
	every limit in [100, 2000, 10000] {
		not t.flagged(waf.deny, "CG_WAF_003", "aws_wafv2_web_acl.edge") with input as acl(limit)
			with data.citygate.parameters as bounds
	}
}

test_limits_outside_bounds_fail if {
	every limit in [99, 10001, 2000000000] {
		t.flagged(waf.deny, "CG_WAF_003", "aws_wafv2_web_acl.edge") with input as acl(limit)
			with data.citygate.parameters as bounds
	}
}

test_unknown_limit_cannot_be_verified if {
	inp := t.plan([t.r("aws_wafv2_web_acl.edge", {"rule": [{"statement": [{"rate_based_statement": [{}]}]}]}, {}, ["rule.0.statement.0.rate_based_statement.0.limit"])])
	some f in waf.deny with input as inp with data.citygate.parameters as bounds
	f.id == "CG_WAF_003"
	contains(f.msg, "cannot be verified before apply")
}

test_missing_bounds_fail_closed if {
	t.flagged(waf.deny, "CG_WAF_003", "aws_wafv2_web_acl.edge") with input as acl(2000) with data.citygate.parameters as {}
}
