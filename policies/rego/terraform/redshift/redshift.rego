# Redshift: data warehouse clusters encrypted with a customer-managed key, private, audited, VPC-routed.
package citygate.redshift

import data.citygate.evidence
import data.citygate.lib
import rego.v1

clusters := lib.resources("aws_redshift_cluster")

_key_state(c) := "missing" if {
	lib.get(c.values, "encrypted", false) != true
	not lib.unresolved(c, "encrypted")
} else := lib.key_state(c, "kms_key_id", lib.get(c.values, "kms_key_id", null))

# METADATA
# title: Redshift cluster is encrypted with a customer-managed KMS key
# custom:
#   id: CG_RS_001
#   severity: high
#   controls: [CG-ENC-12]
#   fix: Set encrypted = true and kms_key_id = aws_kms_key.<key>.arn.
deny contains f if {
	some c in clusters
	_key_state(c) == "missing"
	f := lib.finding("CG_RS_001", c, "storage is not encrypted with a customer-managed KMS key")
}

deny contains f if {
	some c in clusters
	_key_state(c) == "unknown"
	f := lib.unverifiable("CG_RS_001", c, "the storage encryption key")
}

proof contains {"id": "CG_RS_001", "resource": c.address, "evidence": text} if {
	some c in clusters
	_key_state(c) == "cmk"
	evidence.upheld(deny, "CG_RS_001", c.address)
	key := evidence.customer_managed_key(c, "kms_key_id", lib.get(c.values, "kms_key_id", null))
	text := sprintf("%s, %s", [evidence.literal("encrypted", true), key])
}

# METADATA
# title: Redshift cluster is not publicly accessible
# custom:
#   id: CG_RS_002
#   severity: critical
#   controls: [CG-NET-8]
#   fix: Set publicly_accessible = false and place the cluster in a subnet group of private subnets.
deny contains f if {
	some c in clusters
	lib.get(c.values, "publicly_accessible", false) == true
	f := lib.finding("CG_RS_002", c, "cluster is publicly accessible")
}

deny contains f if {
	some c in clusters
	lib.unresolved(c, "publicly_accessible")
	f := lib.unverifiable("CG_RS_002", c, "publicly_accessible")
}

# the audit logs a cluster must write: connections, users, and the queries they run
audit_logs := {"connectionlog", "userlog", "useractivitylog"}

# _logging(c): the aws_redshift_logging resources naming cluster c
_logging(c) := lib.joined(c, "aws_redshift_logging", "cluster_identifier", "cluster_identifier")

# _audit_problem(c): why cluster c does not write its audit logs; undefined when it does
_audit_problem(c) := "audit logging is off (no aws_redshift_logging and no logging block)" if {
	_audit_state(c) == "missing"
} else := sprintf("audit logs not exported to CloudWatch: %s", [concat(", ", sort(missing))]) if {
	some l in _logging(c)
	l.values.log_destination_type == "cloudwatch"
	missing := audit_logs - {e | some e in lib.get(l.values, "log_exports", [])}
	count(missing) > 0
} else := "audit logs go to S3 without a bucket" if {
	some l in _logging(c)
	lib.get(l.values, "log_destination_type", "s3") == "s3"
	lib.get(l.values, "bucket_name", null) == null
	not lib.unresolved(l, "bucket_name")
}

# _audit_state(c): "present" (a logging resource or an enabled logging block), "unknown" (a logging
# resource names a cluster only after apply, and no reference says which), or "missing"
_audit_state(c) := "present" if {
	count(_logging(c)) > 0
} else := "present" if {
	lib.get(lib.block(c.values, "logging"), "enable", false) == true
} else := lib.companion_state(c, lib.resources("aws_redshift_logging"), "cluster_identifier", "cluster_identifier")

# METADATA
# title: Redshift cluster writes connection, user and user-activity audit logs
# custom:
#   id: CG_RS_003
#   severity: medium
#   controls: [CG-AUD-6]
#   fix: Add an aws_redshift_logging for the cluster with log_destination_type = "cloudwatch" and log_exports = ["connectionlog", "userlog", "useractivitylog"].
deny contains f if {
	some c in clusters
	problem := _audit_problem(c)
	f := lib.finding("CG_RS_003", c, problem)
}

deny contains f if {
	some c in clusters
	_audit_state(c) == "unknown"
	f := lib.unverifiable("CG_RS_003", c, "which cluster aws_redshift_logging logs")
}

# METADATA
# title: Redshift cluster uses enhanced VPC routing
# custom:
#   id: CG_RS_004
#   severity: medium
#   controls: [CG-NET-9]
#   fix: Set enhanced_vpc_routing = true, so COPY and UNLOAD traffic takes the VPC's routes and endpoints.
deny contains f if {
	some c in clusters
	not lib.unresolved(c, "enhanced_vpc_routing")
	lib.get(c.values, "enhanced_vpc_routing", false) != true
	f := lib.finding("CG_RS_004", c, "enhanced VPC routing is off: COPY/UNLOAD traffic leaves the VPC's routes")
}

deny contains f if {
	some c in clusters
	lib.unresolved(c, "enhanced_vpc_routing")
	f := lib.unverifiable("CG_RS_004", c, "enhanced_vpc_routing")
}

proof contains {"id": "CG_RS_002", "resource": c.address, "evidence": evidence.literal("publicly_accessible", false)} if {
	some c in clusters
	c.values.publicly_accessible == false
	evidence.upheld(deny, "CG_RS_002", c.address)
}

proof contains {"id": "CG_RS_003", "resource": c.address, "evidence": text} if {
	some c in clusters
	some l in _logging(c)
	evidence.upheld(deny, "CG_RS_003", c.address)
	text := sprintf("%s writes %s", [evidence.joined_by(l, "cluster_identifier", c), concat(", ", sort(audit_logs))])
}

proof contains {"id": "CG_RS_004", "resource": c.address, "evidence": evidence.literal("enhanced_vpc_routing", true)} if {
	some c in clusters
	c.values.enhanced_vpc_routing == true
	evidence.upheld(deny, "CG_RS_004", c.address)
}
