package citygate.eks_test

import data.citygate.eks
import data.citygate.testing as t
import rego.v1

cluster(values) := t.r("aws_eks_cluster.main", values, {"encryption_config.0.provider.0.key_arn": ["aws_kms_key.k"]}, [])

good := {
	"vpc_config": {"endpoint_private_access": true, "endpoint_public_access": false},
	"encryption_config": [{"resources": ["secrets"], "provider": [{}]}],
	"enabled_cluster_log_types": ["api", "audit", "authenticator", "scheduler"],
}

oidc := t.r("aws_iam_openid_connect_provider.eks", {"client_id_list": ["sts.amazonaws.com"]}, {"url": ["aws_eks_cluster.main"]}, ["url"])

test_hardened_cluster_passes if {
	count(eks.deny) == 0 with input as t.plan([cluster(good), oidc])
}

test_default_cluster_fails_every_rule if {
	t.ids(eks.deny) == {"CG_EKS_001", "CG_EKS_002", "CG_EKS_003", "CG_EKS_004"} with input as t.plan([t.resource("aws_eks_cluster.main", {"vpc_config": [{}]})])
}

test_oidc_provider_of_another_cluster_does_not_count if {
	other := t.r("aws_iam_openid_connect_provider.eks", {"client_id_list": ["sts.amazonaws.com"]}, {"url": ["aws_eks_cluster.other"]}, [])
	t.flagged(eks.deny, "CG_EKS_004", "aws_eks_cluster.main") with input as t.plan([cluster(good), other])
}

test_unknown_encryption_config_is_unverifiable if {
	c := t.r("aws_eks_cluster.main", object.remove(good, ["encryption_config"]), {}, ["encryption_config"])
	t.unverified(eks.deny, "CG_EKS_002", "aws_eks_cluster.main") with input as t.plan([c, oidc])
}

test_unknown_endpoints_and_log_types_are_unverifiable if {
	c := t.r("aws_eks_cluster.main", {"vpc_config": [{}], "encryption_config": good.encryption_config}, cluster(good).references, ["vpc_config.0.endpoint_public_access", "vpc_config.0.endpoint_private_access", "enabled_cluster_log_types"])
	t.unverified(eks.deny, "CG_EKS_001", "aws_eks_cluster.main") with input as t.plan([c, oidc])
	t.unverified(eks.deny, "CG_EKS_003", "aws_eks_cluster.main") with input as t.plan([c, oidc])
	# never written: the endpoint is public, not private, and no control-plane log is kept
	unwritten := t.configured(c, ["name", "vpc_config.0.subnet_ids", "encryption_config.0.resources", "encryption_config.0.provider.0.key_arn"])
	t.ids(eks.deny) == {"CG_EKS_001", "CG_EKS_003"} with input as t.plan([unwritten, oidc])
	not t.unverified(eks.deny, "CG_EKS_001", "aws_eks_cluster.main") with input as t.plan([unwritten, oidc])
	not t.unverified(eks.deny, "CG_EKS_003", "aws_eks_cluster.main") with input as t.plan([unwritten, oidc])
}
