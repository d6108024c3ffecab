# Proofs for the network rules: a VPC's flow log and closed default security group, joined to the VPC
# through references to an id known only after apply. Scanners report on the VPC or on the default
# security group, so the CG_NET_003 proof stands on both.
package citygate.network

import data.citygate.evidence
import data.citygate.lib
import rego.v1

proof contains {"id": "CG_NET_002", "resource": vpc.address, "evidence": text} if {
	some vpc in lib.resources("aws_vpc")
	_has_flow_log(vpc)
	evidence.upheld(deny, "CG_NET_002", vpc.address)
	some fl in lib.joined(vpc, "aws_flow_log", "vpc_id", "id")
	text := sprintf("%s (%s) records %s", [fl.address, evidence.joined_by(fl, "vpc_id", vpc), evidence.literal("traffic_type", lib.get(fl.values, "traffic_type", "ALL"))])
}

proof contains {"id": "CG_NET_003", "resource": resource, "evidence": text} if {
	some vpc in lib.resources("aws_vpc")
	evidence.upheld(deny, "CG_NET_003", vpc.address)
	some g in _default_groups(vpc)
	evidence.upheld(deny, "CG_NET_003", g.address)
	text := sprintf("%s (%s) has no ingress and no egress rules", [g.address, evidence.joined_by(g, "vpc_id", vpc)])
	some resource in {vpc.address, g.address}
}
