package citygate.ecr_test

import data.citygate.ecr
import data.citygate.testing as t
import rego.v1

test_hardened_repository_passes if {
	repo := t.r("aws_ecr_repository.r", {"image_tag_mutability": "IMMUTABLE", "image_scanning_configuration": {"scan_on_push": true}, "encryption_configuration": {"encryption_type": "KMS"}}, {"encryption_configuration.kms_key": ["aws_kms_key.k"]}, [])
	count(ecr.deny) == 0 with input as t.plan([repo])
}

test_default_repository_fails_all if {
	t.ids(ecr.deny) == {"CG-ECR-001", "CG-ECR-002", "CG-ECR-003"} with input as t.plan([t.resource("aws_ecr_repository.r", {})])
}

test_unknown_key_warns if {
	repo := t.r("aws_ecr_repository.r", {"image_tag_mutability": "IMMUTABLE", "image_scanning_configuration": [{"scan_on_push": true}], "encryption_configuration": [{"encryption_type": "KMS"}]}, {}, ["encryption_configuration.0.kms_key"])
	t.flagged(ecr.warn, "CG-ECR-003", "aws_ecr_repository.r") with input as t.plan([repo])
}
