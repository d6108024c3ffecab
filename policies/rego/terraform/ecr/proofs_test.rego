package citygate.ecr_proofs_test

import data.citygate.ecr
import data.citygate.testing as t
import rego.v1

key := t.resource("aws_kms_key.registry", {})

repository(values) := t.r("aws_ecr_repository.api", values, {"encryption_configuration.0.kms_key": ["aws_kms_key.registry"]}, ["encryption_configuration.0.kms_key"])

hardened := {"image_tag_mutability": "IMMUTABLE", "image_scanning_configuration": [{"scan_on_push": true}], "encryption_configuration": [{"encryption_type": "KMS"}]}

test_hardened_repository_is_proven if {
	inp := t.plan([key, repository(hardened)])
	{"id": "CG_ECR_001", "resource": "aws_ecr_repository.api", "evidence": `image_tag_mutability = "IMMUTABLE"`} in ecr.proof with input as inp
	{"id": "CG_ECR_002", "resource": "aws_ecr_repository.api", "evidence": "image_scanning_configuration.scan_on_push = true"} in ecr.proof with input as inp
	cmk := `encryption_configuration.encryption_type = "KMS", kms_key → aws_kms_key.registry (a customer-managed key in this plan)`
	{"id": "CG_ECR_003", "resource": "aws_ecr_repository.api", "evidence": cmk} in ecr.proof with input as inp
}

test_default_repository_is_not_proven if {
	inp := t.plan([key, repository({"encryption_configuration": [{"encryption_type": "AES256"}]})])
	t.ids(ecr.deny) == {"CG_ECR_001", "CG_ECR_002", "CG_ECR_003", "CG_ECR_004"} with input as inp
	count(ecr.proof) == 0 with input as inp
}
