"""The EKS cluster: private API endpoint, KMS-encrypted secrets, all control-plane logs, private nodes.

The VPC CNI add-on runs its network policy agent, so the workloads' NetworkPolicies are enforced.

Nodes come from a launch template whose volumes are encrypted gp3 and whose instance metadata
service requires IMDSv2 with a hop limit of 1, so pods cannot borrow the node's credentials.
"""

from __future__ import annotations

import json

from cdktf import Fn, TerraformLocal
from cdktf_cdktf_provider_aws.eks_addon import EksAddon
from cdktf_cdktf_provider_aws.eks_cluster import EksCluster
from cdktf_cdktf_provider_aws.eks_node_group import EksNodeGroup
from cdktf_cdktf_provider_aws.iam_openid_connect_provider import IamOpenidConnectProvider
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.launch_template import LaunchTemplate, LaunchTemplateBlockDeviceMappings
from constructs import Construct

from stacks.config import PRIVATE_SUBNET_CIDRS
from stacks.context import Context
from stacks.firewall import Rule, security_group
from stacks.keys import Keys
from stacks.logs import log_group
from stacks.naming import ResourceGroup
from stacks.network import Network
from stacks.policy import service_trust
from stacks.roles import AWS_MANAGED_POLICY, role

CONTROL_PLANE_LOGS = ("api", "audit", "authenticator", "controllerManager", "scheduler")
# Root CA thumbprint of the EKS OIDC issuers (IAM no longer checks it for EKS, the API still takes it).
EKS_OIDC_THUMBPRINT = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
CLUSTER_POLICIES = ("AmazonEKSClusterPolicy",)
NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly")
# Add-ons that run pods, so they wait for the node group.
_ADDONS_NEEDING_NODES = ("coredns", "aws-ebs-csi-driver", "aws-efs-csi-driver", "amazon-cloudwatch-observability")
# The VPC CNI enforces NetworkPolicies only with its network policy agent on (off by default).
# Container Insights sends the cluster's and pods' metrics to CloudWatch; container logs stay with Fluent Bit
# (workloads/base/core/fluent-bit.yaml), so the add-on's own log shipper is off.
ADDON_CONFIGURATION: dict[str, dict[str, object]] = {
    "vpc-cni": {"enableNetworkPolicy": "true"},
    "amazon-cloudwatch-observability": {"containerLogs": {"enabled": False}},
}


def _service_role(
    scope: Construct, purpose: str, ctx: Context, service: str, policies: tuple[str, ...]
) -> tuple[ResourceGroup, IamRole]:
    """A group `purpose` holding a role assumed by an AWS service, with AWS managed policies attached.

    The attachments sit beside the group (one id per policy, e.g. `nodes_AmazonEKSWorkerNodePolicy`).
    """
    group = ResourceGroup(scope, purpose)
    created = role(group, name=ctx.name(purpose.replace("_", "-")), trust=service_trust(service))
    for policy in policies:
        IamRolePolicyAttachment(
            scope, f"{purpose}_{policy}", role=created.name, policy_arn=f"{AWS_MANAGED_POLICY}{policy}"
        )
    return group, created


class Cluster(Construct):
    """EKS control plane, OIDC provider for IRSA, the managed node group and the EKS add-ons."""

    def __init__(self, scope: Construct, id_: str, ctx: Context, keys: Keys, network: Network) -> None:
        super().__init__(scope, id_)
        env = ctx.env
        self.name = env.cluster_name
        group = ResourceGroup(self, "eks")
        _, cluster_role = _service_role(self, "eks_cluster", ctx, "eks.amazonaws.com", CLUSTER_POLICIES)
        logs = log_group(group, "log_group", ctx, f"/aws/eks/{self.name}/cluster", keys.logs)
        self.security_group = security_group(
            self,
            "eks",
            ctx,
            vpc_id=network.vpc.id,
            description="Extra rules for the EKS control plane: HTTPS from the private tier only",
            rules=[
                Rule(
                    "api_from_private", "ingress", 443, PRIVATE_SUBNET_CIDRS, "Kubernetes API from the private subnets"
                )
            ],
        )
        self.cluster = EksCluster(
            group,
            "cluster",
            name=self.name,
            version=env.eks_version,
            role_arn=cluster_role.arn,
            vpc_config={
                "subnet_ids": [s.id for s in network.private_subnets],
                "security_group_ids": [self.security_group.id],
                "endpoint_private_access": True,
                "endpoint_public_access": False,
            },
            encryption_config={"resources": ["secrets"], "provider": {"key_arn": keys.eks_secrets.arn}},
            enabled_cluster_log_types=list(CONTROL_PLANE_LOGS),
            # Access entries (the in-VPC deployer's, stacks/runner.py) need the API authentication mode.
            access_config={"authentication_mode": "API_AND_CONFIG_MAP"} if env.in_vpc_deployer else None,
            depends_on=[logs],
        )
        issuer = self.cluster.identity.get(0).oidc.get(0).issuer
        self.oidc_provider = IamOpenidConnectProvider(
            group,
            "oidc",
            url=issuer,
            client_id_list=["sts.amazonaws.com"],
            thumbprint_list=[EKS_OIDC_THUMBPRINT],
        )
        # The issuer without its scheme: the prefix of the `:sub` and `:aud` condition keys of IRSA trusts.
        self.oidc_issuer_host = TerraformLocal(self, "eks_oidc_issuer_host", Fn.replace(issuer, "https://", ""))
        self.node_group = self._nodes(ctx, keys, network)

    def install_addons(self, ctx: Context, service_account_roles: dict[str, str]) -> None:
        """The environment's EKS add-ons; `service_account_roles` maps an add-on to its IRSA role ARN."""
        for addon in ctx.env.eks_addons:
            EksAddon(
                self,
                addon.replace("-", "_"),
                cluster_name=self.cluster.name,
                addon_name=addon,
                configuration_values=json.dumps(ADDON_CONFIGURATION[addon]) if addon in ADDON_CONFIGURATION else None,
                service_account_role_arn=service_account_roles.get(addon),
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="OVERWRITE",
                depends_on=[self.node_group] if addon in _ADDONS_NEEDING_NODES else None,
            )

    def _nodes(self, ctx: Context, keys: Keys, network: Network) -> EksNodeGroup:
        env = ctx.env
        group, role = _service_role(self, "nodes", ctx, "ec2.amazonaws.com", NODE_POLICIES)
        template = LaunchTemplate(
            group,
            "template",
            name=ctx.name("eks-nodes"),
            description="EKS nodes: encrypted gp3 root volume, IMDSv2 only with hop limit 1",
            update_default_version=True,
            block_device_mappings=[
                LaunchTemplateBlockDeviceMappings(
                    device_name="/dev/xvda",
                    ebs={
                        "volume_size": env.node_volume_gb,
                        "volume_type": "gp3",
                        "encrypted": "true",
                        "kms_key_id": keys.ebs.arn,
                        "delete_on_termination": "true",
                    },
                )
            ],
            metadata_options={
                "http_endpoint": "enabled",
                "http_tokens": "required",
                "http_put_response_hop_limit": 1,
                "instance_metadata_tags": "disabled",
            },
            monitoring={"enabled": True},
        )
        return EksNodeGroup(
            group,
            "group",
            cluster_name=self.cluster.name,
            node_group_name=ctx.name("default"),
            node_role_arn=role.arn,
            subnet_ids=[s.id for s in network.private_subnets],
            instance_types=list(env.node_instance_types),
            ami_type="AL2023_x86_64_STANDARD",
            capacity_type="ON_DEMAND",
            scaling_config={"min_size": env.node_min, "desired_size": env.node_desired, "max_size": env.node_max},
            update_config={"max_unavailable": 1},
            launch_template={"id": template.id, "version": Fn.tostring(template.latest_version)},
        )
