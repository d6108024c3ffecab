# EC2 instance metadata: node launch templates require IMDSv2 session tokens with a hop limit of at
# most 2, so neither a server-side request forgery nor a pod can read the node role's credentials.
# An EKS node group without a launch template of this plan gets EKS's own template, which the plan cannot show.
package citygate.ec2

import data.citygate.evidence
import data.citygate.lib
import rego.v1

maximum_hop_limit := 2

templates := lib.resources("aws_launch_template")

_options(t) := lib.block(t.values, "metadata_options")

_imds_off(t) if lib.get(_options(t), "http_endpoint", "enabled") == "disabled"

# a hop limit the author never wrote is known only after apply and refers to nothing: the API default, 1
_hop_limit(t) := lib.get(_options(t), "http_put_response_hop_limit", 1)

_gap(t) := "metadata_options is not set: the instance metadata service accepts IMDSv1 (http_tokens defaults to \"optional\")" if {
	_options(t) == {}
} else := sprintf("metadata_options.http_tokens is %q, not \"required\": IMDSv1 stays open", [lib.get(_options(t), "http_tokens", "optional")]) if {
	lib.get(_options(t), "http_tokens", "optional") != "required"
} else := sprintf("metadata_options.http_put_response_hop_limit is %v, more than %d: containers behind extra hops reach the node's credentials", [_hop_limit(t), maximum_hop_limit]) if {
	_hop_limit(t) > maximum_hop_limit
}

# METADATA
# title: Node launch templates require IMDSv2 with a hop limit of at most 2
# custom:
#   id: CG_EC2_001
#   severity: high
#   controls: [CG-IAM-7]
#   fix: Set metadata_options { http_tokens = "required", http_put_response_hop_limit = 1 } (2 at most).
deny contains f if {
	some t in templates
	not _imds_off(t)
	f := lib.finding("CG_EC2_001", t, _gap(t))
}

_template_of(g) := [t |
	some t in templates
	some attr in ["launch_template.id", "launch_template.name"]
	t.address in lib.refs(g, attr)
] if {
	count(lib.refs(g, "launch_template")) > 0
} else := [t |
	name := lib.get(lib.block(g.values, "launch_template"), "name", null)
	some t in lib.named("aws_launch_template", "name", name)
]

deny contains f if {
	some g in lib.resources("aws_eks_node_group")
	count(_template_of(g)) == 0
	f := lib.finding("CG_EC2_001", g, "the node group uses no launch template of this plan: its instance metadata options cannot be verified")
}

proof contains {"id": "CG_EC2_001", "resource": t.address, "evidence": text} if {
	some t in templates
	evidence.upheld(deny, "CG_EC2_001", t.address)
	text := _why(t)
}

_why(t) := evidence.literal("metadata_options.http_endpoint", "disabled") if _imds_off(t)
else := sprintf("%s, http_put_response_hop_limit = %v", [evidence.literal("metadata_options.http_tokens", "required"), _hop_limit(t)])
