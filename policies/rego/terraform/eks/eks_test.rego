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
	t.ids(eks.deny) == {"CG-EKS-001", "CG-EKS-002", "CG-EKS-003", "CG-EKS-004"} with input as t.plan([t.resource("aws_eks_cluster.main", {"vpc_config": [{}]})])
}

test_oidc_provider_of_another_cluster_does_not_count if {
	other := t.r("aws_iam_openid_connect_provider.eks", {"client_id_list": ["sts.amazonaws.com"]}, {"url": ["aws_eks_cluster.other"]}, [])
	t.flagged(eks.deny, "CG-EKS-004", "aws_eks_cluster.main") with input as t.plan([cluster(good), other])
}

test_unknown_encryption_config_warns if {
	c := t.r("aws_eks_cluster.main", object.remove(good, ["encryption_config"]), {}, ["encryption_config"])
	t.flagged(eks.warn, "CG-EKS-002", "aws_eks_cluster.main") with input as t.plan([c, oidc])
}
