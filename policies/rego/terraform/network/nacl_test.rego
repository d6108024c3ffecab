package citygate.nacl_test

import data.citygate.nacl
import data.citygate.testing as t
import rego.v1

subnets := [t.r("aws_subnet.data", {"cidr_block": "10.0.20.0/24"}, {"vpc_id": ["aws_vpc.main"]}, ["id"])]

group := t.r("aws_db_subnet_group.aurora", {"name": "aurora"}, {"subnet_ids": ["aws_subnet.data"]}, ["subnet_ids"])

entry(rule_no, cidr) := {"rule_no": rule_no, "action": "allow", "cidr_block": cidr, "ipv6_cidr_block": "", "protocol": "-1", "from_port": 0, "to_port": 0}

acl(ingress) := t.r("aws_network_acl.data", {"ingress": ingress}, {"subnet_ids": ["aws_subnet.data"], "vpc_id": ["aws_vpc.main"]}, ["subnet_ids"])

test_data_acl_admitting_only_the_private_tier_passes if {
	count(nacl.deny) == 0 with input as t.plan(array.concat(subnets, [group, acl([entry(100, "10.0.10.0/24")])]))
}

test_data_acl_admitting_the_internet_fails if {
	t.flagged(nacl.deny, "CG_NET_004", "aws_network_acl.data") with input as t.plan(array.concat(subnets, [group, acl([entry(100, "0.0.0.0/0")])]))
	v6 := object.union(entry(110, ""), {"ipv6_cidr_block": "::/0"})
	t.flagged(nacl.deny, "CG_NET_004", "aws_network_acl.data") with input as t.plan(array.concat(subnets, [group, acl([v6])]))
}

test_a_deny_entry_from_the_internet_passes if {
	deny_all := object.union(entry(90, "0.0.0.0/0"), {"action": "deny"})
	count(nacl.deny) == 0 with input as t.plan(array.concat(subnets, [group, acl([deny_all])]))
}

test_separate_rule_admitting_the_internet_fails if {
	rule := t.r("aws_network_acl_rule.open", {"egress": false, "rule_action": "allow", "cidr_block": "0.0.0.0/0", "protocol": "tcp", "from_port": 5432, "to_port": 5432}, {"network_acl_id": ["aws_network_acl.data"]}, ["network_acl_id"])
	inp := t.plan(array.concat(subnets, [group, acl([]), rule]))
	t.flagged(nacl.deny, "CG_NET_004", "aws_network_acl_rule.open") with input as inp
}

test_acl_through_an_association_is_judged if {
	assoc := t.r("aws_network_acl_association.data", {}, {"subnet_id": ["aws_subnet.data"], "network_acl_id": ["aws_network_acl.shared"]}, [])
	shared := t.resource("aws_network_acl.shared", {"ingress": [entry(100, "0.0.0.0/0")]})
	t.flagged(nacl.deny, "CG_NET_004", "aws_network_acl.shared") with input as t.plan(array.concat(subnets, [group, assoc, shared]))
}

test_database_subnet_on_the_default_acl_fails if {
	t.flagged(nacl.deny, "CG_NET_004", "aws_subnet.data") with input as t.plan(array.concat(subnets, [group]))
}

test_other_tiers_are_not_judged if {
	public := t.r("aws_network_acl.public", {"ingress": [entry(100, "0.0.0.0/0")]}, {"subnet_ids": ["aws_subnet.public"]}, [])
	count(nacl.deny) == 0 with input as t.plan(array.concat(subnets, [group, acl([]), public]))
}
