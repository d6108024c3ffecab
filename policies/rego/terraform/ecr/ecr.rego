# ECR: immutable tags, scan on push, KMS encryption with a customer-managed key, a lifecycle policy.
package citygate.ecr

import data.citygate.lib
import rego.v1

repositories := lib.resources("aws_ecr_repository")

# METADATA
# title: ECR image tags are immutable
# custom:
#   id: CG_ECR_001
#   severity: high
#   controls: [CG-SC-1]
#   fix: Set image_tag_mutability = "IMMUTABLE".
deny contains f if {
	some r in repositories
	lib.get(r.values, "image_tag_mutability", "MUTABLE") != "IMMUTABLE"
	not lib.unresolved(r, "image_tag_mutability")
	f := lib.finding("CG_ECR_001", r, "image tags are mutable")
}

deny contains f if {
	some r in repositories
	lib.unresolved(r, "image_tag_mutability")
	f := lib.unverifiable("CG_ECR_001", r, "image_tag_mutability")
}

# METADATA
# title: ECR scans images on push
# custom:
#   id: CG_ECR_002
#   severity: high
#   controls: [CG-SC-2]
#   fix: Add image_scanning_configuration { scan_on_push = true }.
deny contains f if {
	some r in repositories
	scan := lib.block(r.values, "image_scanning_configuration")
	lib.bool_state(r, "image_scanning_configuration.scan_on_push", lib.get(scan, "scan_on_push", null)) in {"false", "missing"}
	f := lib.finding("CG_ECR_002", r, "images are not scanned on push")
}

_key_state(r) := "missing" if {
	lib.get(lib.block(r.values, "encryption_configuration"), "encryption_type", "AES256") != "KMS"
	not lib.unresolved(r, "encryption_configuration.encryption_type")
} else := lib.key_state(r, "encryption_configuration.kms_key", lib.get(lib.block(r.values, "encryption_configuration"), "kms_key", null))

# METADATA
# title: ECR repository is encrypted with a customer-managed KMS key
# custom:
#   id: CG_ECR_003
#   severity: low
#   controls: [CG-ENC-6]
#   fix: Add encryption_configuration { encryption_type = "KMS", kms_key = aws_kms_key.<key>.arn }.
deny contains f if {
	some r in repositories
	_key_state(r) == "missing"
	f := lib.finding("CG_ECR_003", r, "repository is not encrypted with a customer-managed KMS key")
}

deny contains f if {
	some r in repositories
	_key_state(r) == "unknown"
	f := lib.unverifiable("CG_ECR_003", r, "the repository encryption key")
}

lifecycle_policies := lib.resources("aws_ecr_lifecycle_policy")

# a lifecycle policy names the repository by reference, or by the repository's known name
_lifecycle_state(repo) := lib.companion_state(repo, lifecycle_policies, "repository", "name")

# METADATA
# title: ECR repository expires old images with a lifecycle policy
# custom:
#   id: CG_ECR_004
#   severity: medium
#   controls: [CG-SC-3]
#   fix: Add aws_ecr_lifecycle_policy with repository = aws_ecr_repository.<repo>.name.
deny contains f if {
	some r in repositories
	_lifecycle_state(r) == "missing"
	f := lib.finding("CG_ECR_004", r, "repository has no lifecycle policy")
}

deny contains f if {
	some r in repositories
	_lifecycle_state(r) == "unknown"
	f := lib.unverifiable("CG_ECR_004", r, "the repository's lifecycle policy")
}
