# Proofs for the database rules: the storage key known only after apply, resolved through its reference,
# and the settings scanners also read as the values (or, for deletion protection, the environment)
# that satisfy them.
package citygate.rds

import data.citygate.evidence
import data.citygate.lib
import rego.v1

proof contains {"id": "CG_RDS_001", "resource": db.address, "evidence": text} if {
	some db in databases
	_encryption_state(db) == "cmk"
	db.values.storage_encrypted == true
	evidence.upheld(deny, "CG_RDS_001", db.address)
	key := evidence.customer_managed_key(db, "kms_key_id", lib.get(db.values, "kms_key_id", null))
	text := sprintf("%s, %s", [evidence.literal("storage_encrypted", true), key])
}

proof contains {"id": "CG_RDS_002", "resource": db.address, "evidence": evidence.literal("publicly_accessible", false)} if {
	some db in instances
	db.values.publicly_accessible == false
	evidence.upheld(deny, "CG_RDS_002", db.address)
}

proof contains {"id": "CG_RDS_003", "resource": db.address, "evidence": text} if {
	some db in databases
	days := db.values.backup_retention_period
	days >= minimum_backup_days
	evidence.upheld(deny, "CG_RDS_003", db.address)
	text := sprintf("%s (at least %d)", [evidence.literal("backup_retention_period", days), minimum_backup_days])
}

proof contains {"id": "CG_RDS_004", "resource": db.address, "evidence": _deletion_evidence(db)} if {
	some db in databases
	evidence.upheld(deny, "CG_RDS_004", db.address)
}

# deletion protection is on, or the control does not ask for it: only production databases need it
_deletion_evidence(db) := evidence.literal("deletion_protection", true) if {
	db.values.deletion_protection == true
} else := sprintf("deletion protection is required in production only; environment %q", [lib.environment]) if {
	not lib.production
}

proof contains {"id": "CG_RDS_006", "resource": db.address, "evidence": key} if {
	some db in instances
	_insights_enabled(db)
	evidence.upheld(deny, "CG_RDS_006", db.address)
	key := evidence.customer_managed_key(db, "performance_insights_kms_key_id", lib.get(db.values, "performance_insights_kms_key_id", null))
}
