package citygate.eks_network_policy_test

import data.citygate.eks_network_policy as eks
import data.citygate.testing as t
import rego.v1

# (a cluster refers to its role, as every planned cluster does)
cluster := t.r("aws_eks_cluster.c", {"name": "city"}, {"role_arn": ["aws_iam_role.cluster"]}, [])

cni(config) := t.r("aws_eks_addon.vpc_cni", {"addon_name": "vpc-cni", "configuration_values": config}, {"cluster_name": ["aws_eks_cluster.c"]}, [])

agent_on := `{"enableNetworkPolicy":"true"}`

test_vpc_cni_with_the_policy_agent_passes if {
	count(eks.deny) == 0 with input as t.plan([cluster, cni(agent_on)])
}

test_vpc_cni_named_by_cluster_name_passes if {
	named := t.resource("aws_eks_addon.vpc_cni", {"addon_name": "vpc-cni", "cluster_name": "city", "configuration_values": agent_on})
	count(eks.deny) == 0 with input as t.plan([cluster, named])
}

test_an_enforcing_cni_chart_passes if {
	count(eks.deny) == 0 with input as t.plan([cluster, t.resource("helm_release.cilium", {"chart": "cilium"})])
}

test_cluster_without_an_addon_fails if {
	t.flagged(eks.deny, "CG_EKS_005", "aws_eks_cluster.c") with input as t.plan([cluster])
}

test_vpc_cni_with_its_default_configuration_fails if {
	default_cni := t.r("aws_eks_addon.vpc_cni", {"addon_name": "vpc-cni"}, {"cluster_name": ["aws_eks_cluster.c"]}, ["configuration_values"])
	t.flagged(eks.deny, "CG_EKS_005", "aws_eks_cluster.c") with input as t.plan([cluster, default_cni])
}

test_vpc_cni_without_the_policy_agent_fails if {
	t.flagged(eks.deny, "CG_EKS_005", "aws_eks_cluster.c") with input as t.plan([cluster, cni(`{"enableNetworkPolicy":"false"}`)])
	t.flagged(eks.deny, "CG_EKS_005", "aws_eks_cluster.c") with input as t.plan([cluster, cni(`{"env":{"ENABLE_PREFIX_DELEGATION":"true"}}`)])
}

test_the_setting_on_another_addon_does_not_count if {
	coredns := t.resource("aws_eks_addon.coredns", {"addon_name": "coredns", "cluster_name": "city", "configuration_values": agent_on})
	t.flagged(eks.deny, "CG_EKS_005", "aws_eks_cluster.c") with input as t.plan([cluster, coredns])
}

test_configuration_from_a_reference_cannot_be_verified if {
	computed := t.r("aws_eks_addon.vpc_cni", {"addon_name": "vpc-cni"}, {"cluster_name": ["aws_eks_cluster.c"], "configuration_values": ["aws_ssm_parameter.cni"]}, ["configuration_values"])
	findings := eks.deny with input as t.plan([cluster, computed])
	some f in findings
	f.id == "CG_EKS_005"
	contains(f.msg, "cannot be verified before apply")
}

test_the_embedded_environment_is_not_judged if {
	count(eks.deny) == 0 with input as object.union(t.plan([cluster]), {"environment": "local"})
	t.flagged(eks.deny, "CG_EKS_005", "aws_eks_cluster.c") with input as object.union(t.plan([cluster]), {"environment": ""})
}

