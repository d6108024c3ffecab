# EFS: file systems are encrypted at rest with a customer-managed KMS key.
package citygate.efs

import data.citygate.evidence
import data.citygate.lib
import rego.v1

file_systems := lib.resources("aws_efs_file_system")

# "missing" | "cmk" | "unknown": unencrypted or on the AWS managed key, a customer-managed key, or a key
# reference nothing resolves before apply. Without kms_key_id an encrypted file system uses aws/elasticfilesystem.
_key_state(fs) := "missing" if {
	lib.get(fs.values, "encrypted", false) != true
	not lib.unresolved(fs, "encrypted")
} else := lib.key_state(fs, "kms_key_id", lib.get(fs.values, "kms_key_id", null))

# METADATA
# title: EFS file system is encrypted with a customer-managed KMS key
# custom:
#   id: CG_EFS_001
#   severity: high
#   controls: [CG-ENC-13]
#   fix: Set encrypted = true and kms_key_id = aws_kms_key.<key>.arn.
deny contains f if {
	some fs in file_systems
	_key_state(fs) == "missing"
	f := lib.finding("CG_EFS_001", fs, "file system is not encrypted with a customer-managed KMS key")
}

deny contains f if {
	some fs in file_systems
	_key_state(fs) == "unknown"
	f := lib.unverifiable("CG_EFS_001", fs, "the file system's encryption key")
}

proof contains {"id": "CG_EFS_001", "resource": fs.address, "evidence": text} if {
	some fs in file_systems
	_key_state(fs) == "cmk"
	evidence.upheld(deny, "CG_EFS_001", fs.address)
	key := evidence.customer_managed_key(fs, "kms_key_id", lib.get(fs.values, "kms_key_id", null))
	text := sprintf("%s, %s", [evidence.literal("encrypted", true), key])
}
