"""Shared file storage for the cluster: one EFS file system, encrypted with its own customer-managed key.

Pods mount it through the EFS CSI driver (StorageClass `efs-shared`, workloads/base/core/storage-class.yaml).
Mount targets sit in the private subnets behind a security group that admits NFS from the node subnets only,
and the file system policy refuses clients that do not mount over TLS.
"""

from __future__ import annotations

from cdktf_cdktf_provider_aws.efs_file_system import EfsFileSystem
from cdktf_cdktf_provider_aws.efs_file_system_policy import EfsFileSystemPolicy
from cdktf_cdktf_provider_aws.efs_mount_target import EfsMountTarget
from constructs import Construct

from stacks.config import PRIVATE_SUBNET_CIDRS
from stacks.context import Context
from stacks.firewall import Rule, security_group
from stacks.keys import customer_key
from stacks.naming import ResourceGroup
from stacks.network import Network
from stacks.policy import document

NFS_PORT = 2049


class SharedStorage(Construct):
    """`aws_efs_file_system.shared`, its key, mount targets per private subnet, NFS firewall and TLS-only policy."""

    def __init__(self, scope: Construct, id_: str, ctx: Context, network: Network) -> None:
        super().__init__(scope, id_)
        self.key = customer_key(self, "efs", ctx, "EFS shared file system of the cluster")
        self.security_group = security_group(
            self,
            "efs",
            ctx,
            vpc_id=network.vpc.id,
            description="EFS mount targets: NFS from the EKS node subnets only",
            rules=[Rule("nfs_from_nodes", "ingress", NFS_PORT, PRIVATE_SUBNET_CIDRS, "NFS from the EKS nodes")],
        )
        group = ResourceGroup(self, "shared")
        self.file_system = EfsFileSystem(
            group,
            "file_system",
            creation_token=ctx.name("shared"),
            encrypted=True,
            kms_key_id=self.key.arn,
            performance_mode="generalPurpose",
            throughput_mode="elastic",
            tags={"Name": ctx.name("shared")},
        )
        EfsFileSystemPolicy(
            group,
            "policy",
            file_system_id=self.file_system.id,
            policy=document(
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": {"AWS": "*"},
                    "Action": "*",
                    "Resource": self.file_system.arn,
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ),
        )
        for index, subnet in enumerate(network.private_subnets):
            EfsMountTarget(
                self,
                f"shared_{index}",
                file_system_id=self.file_system.id,
                subnet_id=subnet.id,
                security_groups=[self.security_group.id],
            )
