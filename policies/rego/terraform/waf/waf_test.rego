package citygate.waf_test

import data.citygate.testing as t
import data.citygate.waf
import rego.v1

acl(rules) := t.resource("aws_wafv2_web_acl.edge", {"rule": rules})

common := {"name": "common", "statement": {"managed_rule_group_statement": {"name": "AWSManagedRulesCommonRuleSet", "vendor_name": "AWS"}}}

rate := {"name": "rate", "statement": [{"rate_based_statement": [{"limit": 1000}]}]}

test_associated_alb_with_full_acl_passes if {
	inp := t.plan([
		t.resource("aws_lb.public", {"internal": false}),
		t.resource("aws_lb.private", {"internal": true}),
		acl([common, rate]),
		t.r("aws_wafv2_web_acl_association.a", {}, {"resource_arn": ["aws_lb.public"]}, []),
	])
	count(waf.deny) == 0 with input as inp with data.citygate.parameters as {"CG-WAF-1": {"rate_limit_min": 100, "rate_limit_max": 10000}}
}

test_unprotected_alb_and_thin_acl_fail if {
	inp := t.plan([t.resource("aws_lb.public", {}), acl([common])])
	t.flagged(waf.deny, "CG_WAF_001", "aws_lb.public") with input as inp
	t.flagged(waf.deny, "CG_WAF_002", "aws_wafv2_web_acl.edge") with input as inp
}
