# RBAC least privilege: no workload holds cluster-admin, no role grants wildcards.
package citygate.kubernetes

import rego.v1

# METADATA
# title: No workload is bound to cluster-admin
# description: >-
#   cluster-admin can do anything anywhere; binding it to a service account or user turns one
#   compromised pod or credential into a compromised cluster. Only system groups keep it.
# custom:
#   id: CG_K8S_014
#   severity: critical
#   controls: [CG-K8S-11]
#   fix: "Bind a Role or ClusterRole that lists only the verbs and resources the subject needs."
deny contains f if {
	some binding in resources
	binding.type in {"RoleBinding", "ClusterRoleBinding"}
	binding.values.roleRef.name == "cluster-admin"
	some subject in as_array(object.get(binding.values, "subjects", []))
	not startswith(subject.name, "system:")
	f := finding("CG_K8S_014", binding, sprintf("%s %s is bound to cluster-admin", [subject.kind, subject.name]))
}

# METADATA
# title: Roles grant no wildcard verbs, resources or API groups
# description: A `*` grants today's and every future resource or verb, including secrets and escalate/bind.
# custom:
#   id: CG_K8S_015
#   severity: high
#   controls: [CG-K8S-11]
#   fix: "List the API groups, resources and verbs explicitly."
deny contains f if {
	some role in resources
	role.type in {"Role", "ClusterRole"}
	some rule in as_array(object.get(role.values, "rules", []))
	some field in ["verbs", "resources", "apiGroups"]
	"*" in as_array(object.get(rule, field, []))
	f := finding("CG_K8S_015", role, sprintf("a rule grants %s: *", [field]))
}
