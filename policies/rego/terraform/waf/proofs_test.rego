package citygate.waf_proofs_test

import data.citygate.testing as t
import data.citygate.waf
import rego.v1

association(target) := t.r("aws_wafv2_web_acl_association.a", {}, {"resource_arn": [target], "web_acl_arn": ["aws_wafv2_web_acl.edge"]}, ["resource_arn", "web_acl_arn"])

test_associated_public_alb_is_proven if {
	inp := t.plan([t.resource("aws_lb.public", {"internal": false}), association("aws_lb.public")])
	text := "aws_wafv2_web_acl_association.a (resource_arn → aws_lb.public) attaches web_acl_arn → aws_wafv2_web_acl.edge"
	{"id": "CG_WAF_001", "resource": "aws_lb.public", "evidence": text} in waf.proof with input as inp
}

test_alb_without_its_own_association_is_not_proven if {
	inp := t.plan([t.resource("aws_lb.public", {"internal": false}), association("aws_lb.other")])
	t.flagged(waf.deny, "CG_WAF_001", "aws_lb.public") with input as inp
	not t.flagged(waf.proof, "CG_WAF_001", "aws_lb.public") with input as inp
}
