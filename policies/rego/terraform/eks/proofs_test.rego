package citygate.eks_proofs_test

import data.citygate.eks
import data.citygate.testing as t
import rego.v1

key := t.resource("aws_kms_key.eks", {})

cluster(values) := t.r("aws_eks_cluster.c", values, {"encryption_config.0.provider.0.key_arn": ["aws_kms_key.eks"]}, ["encryption_config.0.provider.0.key_arn"])

hardened := {
	"vpc_config": [{"endpoint_private_access": true, "endpoint_public_access": false}],
	"encryption_config": [{"resources": ["secrets"], "provider": [{}]}],
	"enabled_cluster_log_types": ["api", "audit", "authenticator"],
}

test_hardened_cluster_is_proven if {
	inp := t.plan([key, cluster(hardened)])
	private := "vpc_config.endpoint_public_access = false, vpc_config.endpoint_private_access = true"
	{"id": "CG_EKS_001", "resource": "aws_eks_cluster.c", "evidence": private} in eks.proof with input as inp
	secrets := `encryption_config.resources = ["secrets"], provider.key_arn → aws_kms_key.eks (a customer-managed key in this plan)`
	{"id": "CG_EKS_002", "resource": "aws_eks_cluster.c", "evidence": secrets} in eks.proof with input as inp
	logs := `enabled_cluster_log_types = ["api","audit","authenticator"]`
	{"id": "CG_EKS_003", "resource": "aws_eks_cluster.c", "evidence": logs} in eks.proof with input as inp
}

test_open_cluster_is_not_proven if {
	inp := t.plan([key, t.resource("aws_eks_cluster.c", {
		"vpc_config": [{"endpoint_private_access": false, "endpoint_public_access": true}],
		"encryption_config": [{"resources": ["configmaps"], "provider": [{}]}],
		"enabled_cluster_log_types": ["api"],
	})])
	every id in ["CG_EKS_001", "CG_EKS_002", "CG_EKS_003"] {
		t.flagged(eks.deny, id, "aws_eks_cluster.c") with input as inp
	}
	count(eks.proof) == 0 with input as inp
}
