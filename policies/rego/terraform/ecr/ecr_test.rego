package citygate.ecr_test

import data.citygate.ecr
import data.citygate.testing as t
import rego.v1

test_hardened_repository_passes if {
	repo := t.r("aws_ecr_repository.r", {"image_tag_mutability": "IMMUTABLE", "image_scanning_configuration": {"scan_on_push": true}, "encryption_configuration": {"encryption_type": "KMS"}}, {"encryption_configuration.kms_key": ["aws_kms_key.k"]}, [])
	lifecycle := t.r("aws_ecr_lifecycle_policy.p", {"policy": "{}"}, {"repository": ["aws_ecr_repository.r"]}, [])
	count(ecr.deny) == 0 with input as t.plan([repo, lifecycle])
}

test_default_repository_fails_all if {
	t.ids(ecr.deny) == {"CG_ECR_001", "CG_ECR_002", "CG_ECR_003", "CG_ECR_004"} with input as t.plan([t.resource("aws_ecr_repository.r", {})])
}

test_unknown_key_is_unverifiable if {
	repo := t.r("aws_ecr_repository.r", {"image_tag_mutability": "IMMUTABLE", "image_scanning_configuration": [{"scan_on_push": true}], "encryption_configuration": [{"encryption_type": "KMS"}]}, {}, ["encryption_configuration.0.kms_key"])
	t.unverified(ecr.deny, "CG_ECR_003", "aws_ecr_repository.r") with input as t.plan([repo])
}

test_unknown_tag_mutability_is_unverifiable_unless_unwritten if {
	repo := hardened("aws_ecr_repository.r", "city/api")
	unknown := t.r(repo.address, object.remove(repo.values, ["image_tag_mutability"]), repo.references, ["image_tag_mutability"])
	t.unverified(ecr.deny, "CG_ECR_001", "aws_ecr_repository.r") with input as t.plan([unknown])
	# never written: tags are MUTABLE by default
	unwritten := t.configured(unknown, ["name", "encryption_configuration.0.kms_key"])
	t.flagged(ecr.deny, "CG_ECR_001", "aws_ecr_repository.r") with input as t.plan([unwritten])
	not t.unverified(ecr.deny, "CG_ECR_001", "aws_ecr_repository.r") with input as t.plan([unwritten])
}

test_lifecycle_policy_by_reference_or_name_passes if {
	by_reference := t.r("aws_ecr_lifecycle_policy.p", {"policy": "{}"}, {"repository": ["aws_ecr_repository.r"]}, ["repository"])
	not t.flagged(ecr.deny, "CG_ECR_004", "aws_ecr_repository.r") with input as t.plan([t.resource("aws_ecr_repository.r", {}), by_reference])
	by_name := t.resource("aws_ecr_lifecycle_policy.p", {"repository": "city/api", "policy": "{}"})
	count(ecr.deny) == 0 with input as t.plan([hardened("aws_ecr_repository.r", "city/api"), by_name])
}

test_repository_without_lifecycle_policy_fails if {
	other := t.r("aws_ecr_lifecycle_policy.p", {"policy": "{}"}, {"repository": ["aws_ecr_repository.other"]}, ["repository"])
	inventory := t.plan([hardened("aws_ecr_repository.r", "city/api"), hardened("aws_ecr_repository.other", "city/web"), other])
	t.ids(ecr.deny) == {"CG_ECR_004"} with input as inventory
	t.flagged(ecr.deny, "CG_ECR_004", "aws_ecr_repository.r") with input as inventory
	not t.flagged(ecr.deny, "CG_ECR_004", "aws_ecr_repository.other") with input as inventory
}

test_lifecycle_policy_for_an_unknown_repository_is_unverifiable if {
	unresolved := t.r("aws_ecr_lifecycle_policy.p", {"policy": "{}"}, {}, ["repository"])
	inventory := t.plan([hardened("aws_ecr_repository.r", "city/api"), unresolved])
	t.ids(ecr.deny) == {"CG_ECR_004"} with input as inventory
	t.unverified(ecr.deny, "CG_ECR_004", "aws_ecr_repository.r") with input as inventory
}

hardened(address, name) := t.r(address, {"name": name, "image_tag_mutability": "IMMUTABLE", "image_scanning_configuration": [{"scan_on_push": true}], "encryption_configuration": [{"encryption_type": "KMS"}]}, {"encryption_configuration.0.kms_key": ["aws_kms_key.k"]}, [])
