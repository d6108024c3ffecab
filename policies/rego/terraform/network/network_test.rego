package citygate.network_test

import data.citygate.network
import data.citygate.testing as t
import rego.v1

web(port) := {"from_port": port, "to_port": port, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}

vpc := t.resource("aws_vpc.main", {})

closed := [
	vpc,
	t.r("aws_flow_log.main", {}, {"vpc_id": ["aws_vpc.main"]}, []),
	t.r("aws_default_security_group.main", {"ingress": [], "egress": []}, {"vpc_id": ["aws_vpc.main"]}, []),
]

alb := t.r("aws_lb.public", {"internal": false}, {"security_groups": ["aws_security_group.alb"]}, [])

test_https_to_the_public_alb_passes if {
	count(network.deny) == 0 with input as t.plan(array.concat(closed, [alb, t.resource("aws_security_group.alb", {"ingress": [web(443)]})]))
}

test_ssh_from_anywhere_and_443_off_the_alb_fail if {
	inp := t.plan(array.concat(closed, [
		alb,
		t.resource("aws_security_group.alb", {"ingress": [web(22)]}),
		t.resource("aws_security_group.app", {"ingress": [web(443)]}),
		t.r("aws_vpc_security_group_ingress_rule.any", {"cidr_ipv4": "0.0.0.0/0", "ip_protocol": "-1"}, {"security_group_id": ["aws_security_group.alb"]}, []),
	]))
	t.flagged(network.deny, "CG_NET_001", "aws_security_group.alb") with input as inp
	t.flagged(network.deny, "CG_NET_001", "aws_security_group.app") with input as inp
	t.flagged(network.deny, "CG_NET_001", "aws_vpc_security_group_ingress_rule.any") with input as inp
}

test_vpc_without_flow_log_or_closed_default_sg_fails if {
	t.ids(network.deny) == {"CG_NET_002", "CG_NET_003"} with input as t.plan([vpc])
}
