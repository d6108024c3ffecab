# Namespaces: Pod Security Admission `restricted` in every mode, and a default-deny NetworkPolicy.
package citygate.kubernetes

import rego.v1

psa_modes := ["enforce", "audit", "warn"]

# METADATA
# title: Namespaces enforce, audit and warn on the restricted Pod Security Standard
# description: >-
#   Pod Security Admission rejects (enforce), records (audit) and reports (warn) any pod that breaks
#   the restricted standard, so a weakened manifest is refused by the cluster too, not only by the gate.
# custom:
#   id: CG_K8S_001
#   severity: high
#   controls: [CG-K8S-1]
#   fix: "Label the namespace pod-security.kubernetes.io/{enforce,audit,warn}: restricted."
deny contains f if {
	some ns in objects("Namespace")
	missing := [mode |
		some mode in psa_modes
		object.get(labels(ns), sprintf("pod-security.kubernetes.io/%s", [mode]), "") != "restricted"
	]
	count(missing) > 0
	f := finding("CG_K8S_001", ns, sprintf("Pod Security Admission is not restricted for: %s", [concat(", ", missing)]))
}

selects_all(policy) if count(as_object(object.get(policy.values.spec, "podSelector", {}))) == 0

selects_all(policy) if {
	selector := as_object(policy.values.spec.podSelector)
	count(as_object(object.get(selector, "matchLabels", {}))) == 0
	count(as_array(object.get(selector, "matchExpressions", []))) == 0
}

default_deny(policy) if {
	selects_all(policy)
	types := as_array(object.get(policy.values.spec, "policyTypes", []))
	"Ingress" in types
	"Egress" in types
	count(as_array(object.get(policy.values.spec, "ingress", []))) == 0
	count(as_array(object.get(policy.values.spec, "egress", []))) == 0
}

# METADATA
# title: Every namespace starts from default-deny ingress and egress
# description: >-
#   A NetworkPolicy selecting every pod with no allow rules in either direction means a new workload
#   can talk to nothing until a policy says so; the allows are then reviewed one by one.
# custom:
#   id: CG_K8S_016
#   severity: high
#   controls: [CG-K8S-12]
#   fix: "Add a NetworkPolicy with podSelector: {}, policyTypes: [Ingress, Egress] and no rules."
deny contains f if {
	some ns in objects("Namespace")
	not namespace_default_deny(ns)
	f := finding("CG_K8S_016", ns, "no default-deny NetworkPolicy for ingress and egress")
}

namespace_default_deny(ns) if {
	some policy in objects("NetworkPolicy")
	policy.module == ns.module
	namespace(policy) == ns.name
	default_deny(policy)
}
