# Network ACLs of the data tier: no ingress from the internet to any port, so the databases stay
# unreachable from outside even if a security group is misconfigured. The data tier is every subnet a
# database subnet group places databases in. (A package of its own, as eks_network_policy explains.)
package citygate.nacl

import data.citygate.lib
import rego.v1

world := {"0.0.0.0/0", "::/0"}

database_subnet_groups := {
	"aws_db_subnet_group", "aws_docdb_subnet_group", "aws_neptune_subnet_group", "aws_redshift_subnet_group",
	"aws_elasticache_subnet_group", "aws_memorydb_subnet_group", "aws_dax_subnet_group",
}

# data_subnets: the subnets (as the plan refers to them) of every database subnet group
data_subnets contains s if {
	some g in lib.any_of(database_subnet_groups)
	some s in lib.refs(g, "subnet_ids")
	lib.address_type(s) == "aws_subnet"
}

_acl_types := {"aws_network_acl", "aws_default_network_acl"}

# the ACLs a subnet is associated with: listed in subnet_ids, or through aws_network_acl_association
_acls_of(s) := {a.address | some a in lib.any_of(_acl_types); s in lib.refs(a, "subnet_ids")} | {acl |
	some assoc in lib.resources("aws_network_acl_association")
	s in lib.refs(assoc, "subnet_id")
	some acl in lib.refs(assoc, "network_acl_id")
}

_data_acls contains acl if {
	some s in data_subnets
	some acl in _acls_of(s)
}

_from_world(entry) if lib.get(entry, "cidr_block", "") in world

_from_world(entry) if lib.get(entry, "ipv6_cidr_block", "") in world

_ports(entry) := sprintf("%v-%v/%v", [lib.get(entry, "from_port", "?"), lib.get(entry, "to_port", "?"), lib.get(entry, "protocol", "?")])

# METADATA
# title: The data tier's network ACLs admit nothing from the internet
# custom:
#   id: CG_NET_004
#   severity: high
#   controls: [CG-NET-7]
#   fix: Give the database subnets their own aws_network_acl whose ingress allows only the private subnets' CIDRs.
deny contains f if {
	some acl in _data_acls
	r := lib.by_address[acl]
	some entry in lib.blocks(lib.get(r.values, "ingress", []))
	lib.get(entry, "action", "") == "allow"
	_from_world(entry)
	f := lib.finding("CG_NET_004", r, sprintf("the data tier's network ACL allows ingress from the internet on %s (rule %v)", [_ports(entry), lib.get(entry, "rule_no", "?")]))
}

deny contains f if {
	some rule in lib.resources("aws_network_acl_rule")
	some acl in lib.refs(rule, "network_acl_id")
	acl in _data_acls
	lib.get(rule.values, "egress", false) == false
	lib.get(rule.values, "rule_action", "") == "allow"
	_from_world(rule.values)
	f := lib.finding("CG_NET_004", rule, sprintf("a rule of the data tier's network ACL %s allows ingress from the internet on %s", [acl, _ports(rule.values)]))
}

deny contains f if {
	some s in data_subnets
	count(_acls_of(s)) == 0
	f := lib.finding("CG_NET_004", {"address": s}, "the database subnet has no network ACL of its own: the VPC's default network ACL admits all traffic from anywhere")
}
