# Proofs for CG_WAF_001: the web ACL association of an internet-facing load balancer, joined to it by a
# reference to an ARN known only after apply.
package citygate.waf

import data.citygate.evidence
import data.citygate.lib
import rego.v1

proof contains {"id": "CG_WAF_001", "resource": lb.address, "evidence": text} if {
	some lb in lib.any_of({"aws_lb", "aws_alb"})
	_public_alb(lb)
	evidence.upheld(deny, "CG_WAF_001", lb.address)
	some a in lib.attached(lb, "aws_wafv2_web_acl_association")
	acls := sort(lib.refs(a, "web_acl_arn"))
	count(acls) > 0
	text := sprintf("%s (%s) attaches web_acl_arn → %s", [a.address, evidence.joined_by(a, "resource_arn", lb), concat(", ", acls)])
}
