package citygate.network_proofs_test

import data.citygate.network
import data.citygate.testing as t
import rego.v1

vpc := t.r("aws_vpc.main", {"cidr_block": "10.0.0.0/16"}, {}, ["id"])

flow_log := t.r("aws_flow_log.main", {"traffic_type": "ALL"}, {"vpc_id": ["aws_vpc.main"]}, ["vpc_id"])

default_group(values) := t.r("aws_default_security_group.main", values, {"vpc_id": ["aws_vpc.main"]}, ["vpc_id"])

test_logged_vpc_with_closed_default_group_is_proven if {
	inp := t.plan([vpc, flow_log, default_group({})])
	logged := `aws_flow_log.main (vpc_id → aws_vpc.main) records traffic_type = "ALL"`
	{"id": "CG_NET_002", "resource": "aws_vpc.main", "evidence": logged} in network.proof with input as inp
	closed := "aws_default_security_group.main (vpc_id → aws_vpc.main) has no ingress and no egress rules"
	every resource in ["aws_vpc.main", "aws_default_security_group.main"] {
		{"id": "CG_NET_003", "resource": resource, "evidence": closed} in network.proof with input as inp
	}
}

test_unlogged_vpc_and_open_default_group_are_not_proven if {
	open := default_group({"egress": [{"cidr_blocks": ["0.0.0.0/0"], "from_port": 0, "to_port": 0, "protocol": "-1"}]})
	inp := t.plan([vpc, open])
	t.flagged(network.deny, "CG_NET_002", "aws_vpc.main") with input as inp
	t.flagged(network.deny, "CG_NET_003", "aws_default_security_group.main") with input as inp
	count(network.proof) == 0 with input as inp
}

test_flow_log_of_another_vpc_is_not_proven if {
	other := t.r("aws_flow_log.main", {"traffic_type": "ALL"}, {"vpc_id": ["aws_vpc.other"]}, ["vpc_id"])
	not t.flagged(network.proof, "CG_NET_002", "aws_vpc.main") with input as t.plan([vpc, other])
}
