"""One environment's whole platform as a single Terraform stack (`citygate-<env>`)."""

from __future__ import annotations

from cdktf import LocalBackend, S3Backend, TerraformOutput
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from constructs import Construct

from stacks import config
from stacks.audit import Audit, LogArchive
from stacks.cluster import Cluster
from stacks.config import Environment
from stacks.context import Context
from stacks.data import Data
from stacks.edge import Edge
from stacks.irsa import WorkloadIdentities
from stacks.keys import Keys
from stacks.naming import ReadableIdsStack
from stacks.network import Network
from stacks.registry import Registry
from stacks.runner import Deployer
from stacks.security import Security
from stacks.storage import SharedStorage
from stacks.warehouse import Warehouse

AWS_PROVIDER_VERSION = "5.100.0"


class PlatformStack(ReadableIdsStack):
    """Network, security, cluster, data, registry and edge of one environment."""

    def __init__(self, scope: Construct, env: Environment) -> None:
        super().__init__(scope, env.stack_name)
        self._backend(env)
        AwsProvider(
            self,
            "aws",
            region=env.region,
            default_tags=[
                AwsProviderDefaultTags(
                    tags={"Project": config.PROJECT, "Environment": env.name, "ManagedBy": "terraform"}
                )
            ],
        )
        # Pinned explicitly: the provider mirror (and the policies) are for exactly this version.
        self.add_override(
            "terraform.required_providers.aws", {"source": "hashicorp/aws", "version": AWS_PROVIDER_VERSION}
        )
        account = DataAwsCallerIdentity(self, "current")
        ctx = Context(env=env, account_id=account.account_id)

        keys = Keys(self, "keys", ctx)
        archive = LogArchive(self, "log_archive", ctx, keys)
        Audit(self, "audit", ctx, keys, archive)
        network = Network(self, "network", ctx, keys)
        data = Data(self, "data", ctx, keys, network, archive.access_logs)
        Warehouse(self, "warehouse", ctx, keys, network)
        registry = Registry(self, "registry", ctx, keys)
        cluster = Cluster(self, "cluster", ctx, keys, network)
        security = Security(
            self,
            "security",
            ctx,
            keys,
            network,
            parameters={
                "cluster_name": cluster.name,
                "feature_table": data.feature_table.name,
                "models_bucket": data.lake["models"].name,
                "sensor_stream": data.sensor_stream.name,
            },
        )
        edge = Edge(self, "edge", ctx, network, archive.access_logs, security.web_acl)
        if env.eks_addons:  # the embedded AWS's EKS reports no cluster security group (and runs no pods)
            edge.admit_to_pods(cluster.cluster.vpc_config.cluster_security_group_id)
        storage = SharedStorage(self, "storage", ctx, network)
        identities = WorkloadIdentities(self, "identities", ctx, keys, cluster, data, security, edge)
        cluster.install_addons(ctx, identities.addon_roles())
        if env.in_vpc_deployer:
            deployer = Deployer(self, "deployer", ctx, keys, network, cluster)
            TerraformOutput(self, "deployer_project", value=deployer.name, description="CodeBuild project that deploys")
        self._outputs(network, data, registry, cluster, security, edge, identities, archive, storage)

    def _outputs(
        self,
        network: Network,
        data: Data,
        registry: Registry,
        cluster: Cluster,
        security: Security,
        edge: Edge,
        identities: WorkloadIdentities,
        archive: LogArchive,
        storage: SharedStorage,
    ) -> None:
        """What the workloads, the verifier and the load test need to find in the account."""
        outputs: dict[str, tuple[object, str]] = {
            "vpc_id": (network.vpc.id, "VPC of the platform"),
            "private_subnet_ids": ([s.id for s in network.private_subnets], "EKS node subnets"),
            "cluster_name": (cluster.cluster.name, "EKS cluster name"),
            "oidc_provider_arn": (cluster.oidc_provider.arn, "IAM OIDC provider trusted by the IRSA roles"),
            "irsa_role_arns": (identities.role_arns, "IRSA role ARN per service account (namespace/name)"),
            "container_log_group": (identities.container_logs.name, "Log group Fluent Bit ships to"),
            "waf_acl_arn": (security.web_acl.arn, "WAFv2 web ACL associated with the ALB"),
            "alb_dns_name": (edge.alb.dns_name, "Public ALB DNS name"),
            "alb_target_group_arns": (
                {route: group.arn for route, group in edge.target_groups.items()},
                "Target group per public route, which the pods' TargetGroupBindings register in",
            ),
            "certificate_arn": (edge.certificate.certificate_arn, "Validated ACM certificate of the HTTPS listener"),
            "efs_file_system_id": (storage.file_system.id, "EFS file system of the efs-shared StorageClass"),
            "data_lake_buckets": ({z: b.name for z, b in data.lake.items()}, "Data lake bucket per zone"),
            "access_logs_bucket": (archive.access_logs.name, "Bucket receiving S3 and ALB access logs"),
            "audit_bucket": (archive.audit.name, "Bucket receiving CloudTrail and AWS Config"),
            "feature_table_name": (data.feature_table.name, "DynamoDB feature store"),
            "sensor_stream_name": (data.sensor_stream.name, "Kinesis stream of IoT sensor events"),
            "aurora_endpoint": (data.database.endpoint, "Aurora PostgreSQL writer endpoint"),
            "ecr_repository_urls": (
                {image: repo.repository_url for image, repo in registry.repositories.items()},
                "ECR repository URL per image",
            ),
        }
        for name, (value, description) in outputs.items():
            TerraformOutput(self, name, value=value, description=description)

    def _backend(self, env: Environment) -> None:
        backend = env.backend
        if isinstance(backend, config.S3Backend):
            S3Backend(
                self,
                bucket=backend.bucket,
                key=backend.key,
                region=backend.region,
                dynamodb_table=backend.dynamodb_table,
                encrypt=True,
            )
        else:
            LocalBackend(self, path=backend.path)
