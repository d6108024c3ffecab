# Load-balancer listeners: TLS 1.3 offered and nothing older than TLS 1.2 on HTTPS/TLS, plain HTTP
# only as a redirect to HTTPS.
package citygate.alb

import data.citygate.lib
import rego.v1

listeners := lib.any_of({"aws_lb_listener", "aws_alb_listener"})

_tls_listeners := [l | some l in listeners; lib.get(l.values, "protocol", "") in {"HTTPS", "TLS"}]

# TLS 1.3 plus at most TLS 1.2 (TLS13-1-2-*, with its -Res/-Ext/-FIPS/-PQ variants) or TLS 1.3 only
# (TLS13-1-3-*); ELBSecurityPolicy-TLS13-1-0-* and -TLS13-1-1-* still accept TLS 1.0/1.1.
tls13_policy(p) if regex.match(`^ELBSecurityPolicy-TLS13-1-[23]-`, p)

_weakness(p) := "offers no TLS 1.3" if {
	regex.match(`^ELBSecurityPolicy-(TLS-1-2-|FS-1-2-)`, p)
} else := "allows TLS older than 1.2"

# METADATA
# title: HTTPS listeners offer TLS 1.3 and nothing older than TLS 1.2
# custom:
#   id: CG_ALB_001
#   severity: high
#   controls: [CG-TLS-1]
#   fix: Set ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06" (or another ELBSecurityPolicy-TLS13-1-2-* / TLS13-1-3-* policy).
deny contains f if {
	some l in _tls_listeners
	not lib.unknown(l, "ssl_policy")
	policy := lib.get(l.values, "ssl_policy", "ELBSecurityPolicy-2016-08")
	not tls13_policy(policy)
	f := lib.finding("CG_ALB_001", l, sprintf("listener uses %q, which %s", [policy, _weakness(policy)]))
}

deny contains f if {
	some l in _tls_listeners
	lib.unknown(l, "ssl_policy")
	f := lib.unverifiable("CG_ALB_001", l, "the listener's ssl_policy")
}

_redirects_to_https(action) if {
	action.type == "redirect"
	lib.get(lib.block(action, "redirect"), "protocol", "") == "HTTPS"
}

# METADATA
# title: Plain-HTTP listeners only redirect to HTTPS
# custom:
#   id: CG_ALB_002
#   severity: high
#   controls: [CG-TLS-2]
#   fix: Make the HTTP listener's default_action a redirect { protocol = "HTTPS", port = "443", status_code = "HTTP_301" }.
deny contains f if {
	some l in listeners
	lib.get(l.values, "protocol", "HTTP") == "HTTP"
	some action in lib.blocks(lib.get(l.values, "default_action", []))
	not _redirects_to_https(action)
	f := lib.finding("CG_ALB_002", l, sprintf("HTTP listener does %q instead of redirecting to HTTPS", [lib.get(action, "type", "?")]))
}
