# Load-balancer listeners: TLS 1.2+ policies on HTTPS/TLS, plain HTTP only as a redirect to HTTPS.
package citygate.alb

import data.citygate.lib
import rego.v1

listeners := lib.any_of({"aws_lb_listener", "aws_alb_listener"})

# ELBSecurityPolicy-TLS13-*, -TLS-1-2-*, -FS-1-2-* allow only TLS 1.2/1.3
modern_policy(p) if regex.match(`^ELBSecurityPolicy-(TLS13-|TLS-1-2-|FS-1-2-)`, p)

# METADATA
# title: HTTPS listeners use a TLS 1.2+ security policy
# custom:
#   id: CG-ALB-001
#   severity: high
#   controls: [CG-TLS-1]
#   fix: Set ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06" (or another TLS13/TLS-1-2/FS-1-2 policy).
deny contains f if {
	some l in listeners
	lib.get(l.values, "protocol", "") in {"HTTPS", "TLS"}
	not lib.unknown(l, "ssl_policy")
	policy := lib.get(l.values, "ssl_policy", "ELBSecurityPolicy-2016-08")
	not modern_policy(policy)
	f := lib.finding("CG-ALB-001", l, sprintf("listener uses %q, which allows TLS older than 1.2", [policy]))
}

_redirects_to_https(action) if {
	action.type == "redirect"
	lib.get(lib.block(action, "redirect"), "protocol", "") == "HTTPS"
}

# METADATA
# title: Plain-HTTP listeners only redirect to HTTPS
# custom:
#   id: CG-ALB-002
#   severity: high
#   controls: [CG-TLS-2]
#   fix: Make the HTTP listener's default_action a redirect { protocol = "HTTPS", port = "443", status_code = "HTTP_301" }.
deny contains f if {
	some l in listeners
	lib.get(l.values, "protocol", "HTTP") == "HTTP"
	some action in lib.blocks(lib.get(l.values, "default_action", []))
	not _redirects_to_https(action)
	f := lib.finding("CG-ALB-002", l, sprintf("HTTP listener does %q instead of redirecting to HTTPS", [lib.get(action, "type", "?")]))
}
