# EKS: the cluster's network plugin enforces Kubernetes NetworkPolicies. The workloads' isolation (a
# default-deny policy in every namespace) exists only on paper unless the CNI enforces it: the VPC CNI
# does so only with its network policy agent switched on. A package of its own: regorus drops the
# `deny` definitions of a second file of one package when a test evaluates it `with` an input.
package citygate.eks_network_policy

import data.citygate.eks
import data.citygate.lib
import rego.v1

# Helm charts of network plugins that enforce NetworkPolicy as installed (chained to or replacing the VPC CNI).
enforcing_cni_charts := {"cilium", "tigera-operator", "calico"}

_vpc_cni_addons(c) := [a |
	some a in lib.resources("aws_eks_addon")
	lib.get(a.values, "addon_name", "") == "vpc-cni"
	_of_cluster(a, c)
]

_of_cluster(a, c) if c.address in lib.refs(a, "cluster_name")

_of_cluster(a, c) if {
	name := lib.get(c.values, "name", null)
	is_string(name)
	lib.get(a.values, "cluster_name", null) == name
}

# _policy_agent(a): "on" | "unverifiable" | "off". configuration_values the author never wrote is
# known only after apply and refers to nothing: the add-on's default, which leaves the agent off.
_policy_agent(a) := "on" if {
	config := lib.get(a.values, "configuration_values", "")
	json.is_valid(config)
	sprintf("%v", [object.get(json.unmarshal(config), "enableNetworkPolicy", "")]) == "true"
} else := "unverifiable" if {
	lib.unknown(a, "configuration_values")
	count(lib.refs(a, "configuration_values")) > 0
} else := "off"

_enforcing_chart if {
	some r in lib.resources("helm_release")
	lib.get(r.values, "chart", "") in enforcing_cni_charts
}

_enforces(c) if {
	some a in _vpc_cni_addons(c)
	_policy_agent(a) == "on"
}

_enforces(_) if _enforcing_chart

_gap(c) := lib.unverifiable("CG_EKS_005", c, "the vpc-cni add-on's configuration_values").msg if {
	some a in _vpc_cni_addons(c)
	_policy_agent(a) == "unverifiable"
} else := "the vpc-cni add-on does not set enableNetworkPolicy to \"true\": NetworkPolicies would be ignored" if {
	count(_vpc_cni_addons(c)) > 0
} else := "no vpc-cni add-on with enableNetworkPolicy \"true\" and no other enforcing CNI: NetworkPolicies would be ignored"

# METADATA
# title: The cluster's network plugin enforces Kubernetes NetworkPolicies
# custom:
#   id: CG_EKS_005
#   severity: high
#   controls: [CG-NET-6]
#   fix: Install the vpc-cni add-on (aws_eks_addon) with configuration_values = jsonencode({enableNetworkPolicy = "true"}).
deny contains f if {
	some c in eks.clusters
	not _enforces(c)
	# The embedded AWS (`local`) has no EKS add-on API and runs no pods: no plugin to enable, nothing to
	# enforce. Every other environment, and a plan whose environment is not known, is judged.
	lib.environment != "local"
	f := lib.finding("CG_EKS_005", c, _gap(c))
}
