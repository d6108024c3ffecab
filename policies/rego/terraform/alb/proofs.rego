# Proofs for the listener rules: the TLS policy and the HTTP redirect scanners also read, as the values
# that satisfy them.
package citygate.alb

import data.citygate.evidence
import data.citygate.lib
import rego.v1

proof contains {"id": "CG_ALB_001", "resource": l.address, "evidence": evidence.literal("ssl_policy", policy)} if {
	some l in listeners
	lib.get(l.values, "protocol", "") in {"HTTPS", "TLS"}
	policy := l.values.ssl_policy
	is_string(policy)
	evidence.upheld(deny, "CG_ALB_001", l.address)
}

proof contains {"id": "CG_ALB_002", "resource": l.address, "evidence": text} if {
	some l in listeners
	lib.get(l.values, "protocol", "HTTP") == "HTTP"
	actions := lib.blocks(lib.get(l.values, "default_action", []))
	count(actions) > 0
	every action in actions {
		_redirects_to_https(action)
	}
	evidence.upheld(deny, "CG_ALB_002", l.address)
	text := sprintf("default_action redirects to %s", [evidence.literal("protocol", "HTTPS")])
}
