# Aurora/RDS: CMK encryption, no public access, backups, deletion protection in prod, TLS only.
package citygate.rds

import data.citygate.lib
import rego.v1

databases := lib.any_of({"aws_rds_cluster", "aws_db_instance"})

instances := lib.any_of({"aws_db_instance", "aws_rds_cluster_instance"})

_encryption_state(db) := "missing" if {
	lib.get(db.values, "storage_encrypted", null) == false
} else := lib.key_state(db, "kms_key_id", lib.get(db.values, "kms_key_id", null)) if {
	lib.bool_state(db, "storage_encrypted", lib.get(db.values, "storage_encrypted", null)) in {"true", "unknown"}
} else := "missing"

# METADATA
# title: Database storage is encrypted with a customer-managed KMS key
# custom:
#   id: CG_RDS_001
#   severity: high
#   controls: [CG-ENC-2]
#   fix: Set storage_encrypted = true and kms_key_id = aws_kms_key.<key>.arn.
deny contains f if {
	some db in databases
	_encryption_state(db) == "missing"
	f := lib.finding("CG_RDS_001", db, "storage is not encrypted with a customer-managed KMS key")
}

deny contains f if {
	some db in databases
	_encryption_state(db) == "unknown"
	f := lib.unverifiable("CG_RDS_001", db, "the storage encryption key")
}

# METADATA
# title: Database instances are not publicly accessible
# custom:
#   id: CG_RDS_002
#   severity: critical
#   controls: [CG-NET-3]
#   fix: Set publicly_accessible = false and place the instance in private subnets.
deny contains f if {
	some db in instances
	lib.get(db.values, "publicly_accessible", false) == true
	f := lib.finding("CG_RDS_002", db, "database instance is publicly accessible")
}

deny contains f if {
	some db in instances
	lib.unresolved(db, "publicly_accessible")
	f := lib.unverifiable("CG_RDS_002", db, "publicly_accessible")
}

minimum_backup_days := 7

# METADATA
# title: Automated backups are kept for at least 7 days
# custom:
#   id: CG_RDS_003
#   severity: high
#   controls: [CG-DP-4]
#   fix: Set backup_retention_period to 7 or more.
deny contains f if {
	some db in databases
	not lib.unresolved(db, "backup_retention_period")
	days := lib.get(db.values, "backup_retention_period", 1)
	not days >= minimum_backup_days
	f := lib.finding("CG_RDS_003", db, sprintf("backup retention is %v day(s), fewer than %d", [days, minimum_backup_days]))
}

deny contains f if {
	some db in databases
	lib.unresolved(db, "backup_retention_period")
	f := lib.unverifiable("CG_RDS_003", db, "backup_retention_period")
}

# METADATA
# title: Production databases have deletion protection
# custom:
#   id: CG_RDS_004
#   severity: high
#   controls: [CG-DP-4]
#   fix: Set deletion_protection = true (required in prod and when the environment is not known).
deny contains f if {
	lib.production
	some db in databases
	lib.bool_state(db, "deletion_protection", lib.get(db.values, "deletion_protection", null)) in {"false", "missing"}
	f := lib.finding("CG_RDS_004", db, sprintf("deletion protection is off in environment %q", [lib.environment]))
}

_force_ssl_parameter(p) if {
	some param in lib.blocks(lib.get(p.values, "parameter", []))
	param.name == "rds.force_ssl"
	sprintf("%v", [param.value]) == "1"
}

_force_ssl_parameter(p) if {
	some param in lib.blocks(lib.get(p.values, "parameter", []))
	param.name == "require_secure_transport"
	lower(sprintf("%v", [param.value])) in {"on", "1", "true"}
}

_parameter_groups(db) := [p |
	some attr in ["db_cluster_parameter_group_name", "parameter_group_name"]
	some t in lib.refs(db, attr)
	p := lib.by_address[t]
]

_parameter_groups_by_name(db) := [p |
	some [attr, t] in [["db_cluster_parameter_group_name", "aws_rds_cluster_parameter_group"], ["parameter_group_name", "aws_db_parameter_group"]]
	some p in lib.named(t, "name", lib.get(db.values, attr, ""))
]

_forces_ssl(db) if {
	some p in array.concat(_parameter_groups(db), _parameter_groups_by_name(db))
	_force_ssl_parameter(p)
}

# METADATA
# title: Databases require TLS connections
# custom:
#   id: CG_RDS_005
#   severity: medium
#   controls: [CG-TLS-4]
#   fix: Attach a parameter group setting rds.force_ssl = 1 (PostgreSQL) or require_secure_transport = ON (MySQL).
deny contains f if {
	some db in databases
	not _forces_ssl(db)
	f := lib.finding("CG_RDS_005", db, "no parameter group forcing TLS (rds.force_ssl / require_secure_transport) is attached")
}

_insights_enabled(db) if lib.get(db.values, "performance_insights_enabled", false) == true

# METADATA
# title: Performance Insights data is encrypted with a customer-managed KMS key
# custom:
#   id: CG_RDS_006
#   severity: high
#   controls: [CG-ENC-2]
#   fix: Set performance_insights_kms_key_id = aws_kms_key.<key>.arn wherever performance_insights_enabled = true.
deny contains f if {
	some db in instances
	_insights_enabled(db)
	lib.key_state(db, "performance_insights_kms_key_id", lib.get(db.values, "performance_insights_kms_key_id", null)) == "missing"
	f := lib.finding("CG_RDS_006", db, "Performance Insights is on without a customer-managed KMS key (it defaults to aws/rds)")
}

deny contains f if {
	some db in instances
	_insights_enabled(db)
	lib.key_state(db, "performance_insights_kms_key_id", lib.get(db.values, "performance_insights_kms_key_id", null)) == "unknown"
	f := lib.unverifiable("CG_RDS_006", db, "the Performance Insights key")
}
