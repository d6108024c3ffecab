# Network: no internet ingress except 443/80 to the public load balancer, flow logs, closed default SG.
package citygate.network

import data.citygate.lib
import rego.v1

world := {"0.0.0.0/0", "::/0"}

public_ports := {80, 443}

load_balancers := lib.any_of({"aws_lb", "aws_alb"})

internet_facing(lb) if lib.get(lb.values, "internal", false) != true

# security groups attached to an internet-facing load balancer
public_lb_groups contains g if {
	some lb in load_balancers
	internet_facing(lb)
	some g in lib.refs(lb, "security_groups")
}

# ingress entries: (holder resource, security group address, rule values)
_ingress contains [g, g.address, rule] if {
	some g in lib.resources("aws_security_group")
	some rule in lib.blocks(lib.get(g.values, "ingress", []))
}

_ingress contains [r, sg, r.values] if {
	some r in lib.resources("aws_security_group_rule")
	lib.get(r.values, "type", "") == "ingress"
	some sg in _group_of(r)
}

_ingress contains [r, sg, rule] if {
	some r in lib.resources("aws_vpc_security_group_ingress_rule")
	some sg in _group_of(r)
	rule := {
		"cidr_blocks": [c | some c in [lib.get(r.values, "cidr_ipv4", null)]; c != null],
		"ipv6_cidr_blocks": [c | some c in [lib.get(r.values, "cidr_ipv6", null)]; c != null],
		"from_port": lib.get(r.values, "from_port", -1),
		"to_port": lib.get(r.values, "to_port", -1),
		"protocol": lib.get(r.values, "ip_protocol", "-1"),
	}
}

_group_of(r) := g if {
	g := lib.refs(r, "security_group_id")
	count(g) > 0
} else := {""}

_open_to_world(rule) if {
	some cidr in array.concat(lib.get(rule, "cidr_blocks", []), lib.get(rule, "ipv6_cidr_blocks", []))
	cidr in world
}

_web_port_only(rule) if {
	lib.get(rule, "protocol", "tcp") in {"tcp", "6"}
	rule.from_port == rule.to_port
	rule.from_port in public_ports
}

# METADATA
# title: No internet ingress except HTTPS/HTTP to the public load balancer
# custom:
#   id: CG_NET_001
#   severity: critical
#   controls: [CG-NET-1]
#   fix: Remove the 0.0.0.0/0 (::/0) rule, or limit it to port 443/80 on the internet-facing load balancer's security group.
deny contains f if {
	some [holder, sg, rule] in _ingress
	_open_to_world(rule)
	not _allowed_public(sg, rule)
	ports := sprintf("%v-%v/%v", [lib.get(rule, "from_port", "?"), lib.get(rule, "to_port", "?"), lib.get(rule, "protocol", "?")])
	f := lib.finding("CG_NET_001", holder, sprintf("ingress from the internet on %s", [ports]))
}

_allowed_public(sg, rule) if {
	sg in public_lb_groups
	_web_port_only(rule)
}

_has_flow_log(vpc) if count(lib.joined(vpc, "aws_flow_log", "vpc_id", "id")) > 0

# METADATA
# title: VPC flow logs are enabled
# custom:
#   id: CG_NET_002
#   severity: medium
#   controls: [CG-NET-4]
#   fix: Add aws_flow_log with vpc_id = aws_vpc.<vpc>.id and traffic_type = "ALL".
deny contains f if {
	some vpc in lib.resources("aws_vpc")
	not _has_flow_log(vpc)
	f := lib.finding("CG_NET_002", vpc, "VPC has no flow log")
}

_default_groups(vpc) := lib.joined(vpc, "aws_default_security_group", "vpc_id", "id")

# METADATA
# title: The default security group is closed
# custom:
#   id: CG_NET_003
#   severity: medium
#   controls: [CG-NET-5]
#   fix: Manage aws_default_security_group for the VPC with no ingress and no egress blocks.
deny contains f if {
	some vpc in lib.resources("aws_vpc")
	count(_default_groups(vpc)) == 0
	f := lib.finding("CG_NET_003", vpc, "the VPC's default security group is not managed closed (aws_default_security_group)")
}

deny contains f if {
	some g in lib.resources("aws_default_security_group")
	count(array.concat(lib.blocks(lib.get(g.values, "ingress", [])), lib.blocks(lib.get(g.values, "egress", [])))) > 0
	f := lib.finding("CG_NET_003", g, "the default security group has ingress or egress rules")
}
