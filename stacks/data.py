"""Data stores: the S3 data lake, Aurora PostgreSQL, the DynamoDB feature store and the Kinesis stream.

Each store is encrypted with its own domain's CMK and keeps its history (versioning, PITR, backups);
deletion protection is off only in the disposable embedded environment.
"""

from __future__ import annotations

from cdktf_cdktf_provider_aws.db_subnet_group import DbSubnetGroup
from cdktf_cdktf_provider_aws.dynamodb_table import DynamodbTable, DynamodbTableAttribute
from cdktf_cdktf_provider_aws.kinesis_stream import KinesisStream
from cdktf_cdktf_provider_aws.rds_cluster import RdsCluster
from cdktf_cdktf_provider_aws.rds_cluster_instance import RdsClusterInstance
from cdktf_cdktf_provider_aws.rds_cluster_parameter_group import (
    RdsClusterParameterGroup,
    RdsClusterParameterGroupParameter,
)
from constructs import Construct

from stacks.buckets import SecureBucket
from stacks.config import PRIVATE_SUBNET_CIDRS
from stacks.context import Context
from stacks.firewall import Rule, security_group
from stacks.keys import Keys
from stacks.naming import ResourceGroup
from stacks.network import Network
from stacks.policy import service_trust
from stacks.roles import role

DATA_LAKE_ZONES = ("raw", "processed", "models", "logs")
POSTGRES_PORT = 5432
AURORA_ENGINE_VERSION = "16.4"
ENHANCED_MONITORING_SECONDS = 60


class Data(Construct):
    """The data lake buckets (`self.lake[zone]`), the database, the feature table and the sensor stream."""

    def __init__(
        self, scope: Construct, id_: str, ctx: Context, keys: Keys, network: Network, access_logs: SecureBucket
    ) -> None:
        super().__init__(scope, id_)
        self.lake = {
            zone: SecureBucket(self, f"data_lake_{zone}", ctx, key=keys.data_lake, logs_to=access_logs)
            for zone in DATA_LAKE_ZONES
        }
        self.database = self._aurora(ctx, keys, network)
        self.feature_table = DynamodbTable(
            self,
            "feature_store",
            name=ctx.name("features"),
            billing_mode="PAY_PER_REQUEST",
            hash_key="entity_id",
            range_key="feature_name",
            attribute=[
                DynamodbTableAttribute(name="entity_id", type="S"),
                DynamodbTableAttribute(name="feature_name", type="S"),
            ],
            server_side_encryption={"enabled": True, "kms_key_arn": keys.feature_store.arn},
            point_in_time_recovery={"enabled": True},
            deletion_protection_enabled=ctx.env.deletion_protection,
        )
        self.sensor_stream = KinesisStream(
            self,
            "iot_sensors",
            name=ctx.name("iot-sensors"),
            shard_count=ctx.env.kinesis_shards,
            retention_period=ctx.env.kinesis_retention_hours,
            encryption_type="KMS",
            kms_key_id=keys.streaming.arn,
            stream_mode_details={"stream_mode": "PROVISIONED"},
        )

    def _aurora(self, ctx: Context, keys: Keys, network: Network) -> RdsCluster:
        env = ctx.env
        group = ResourceGroup(self, "aurora")
        subnets = DbSubnetGroup(
            group, "subnets", name=ctx.name("aurora"), subnet_ids=[s.id for s in network.data_subnets]
        )
        self.database_sg = security_group(
            self,
            "aurora",
            ctx,
            vpc_id=network.vpc.id,
            description="PostgreSQL from the private (EKS node) tier only",
            rules=[
                Rule(
                    "postgres_from_private",
                    "ingress",
                    POSTGRES_PORT,
                    PRIVATE_SUBNET_CIDRS,
                    "PostgreSQL from the private subnets",
                )
            ],
        )
        parameters = RdsClusterParameterGroup(
            group,
            "parameters",
            name=ctx.name("aurora-pg16"),
            family="aurora-postgresql16",
            description="TLS-only connections; connection, schema-change and slow-query logging",
            parameter=[
                RdsClusterParameterGroupParameter(name="rds.force_ssl", value="1"),
                RdsClusterParameterGroupParameter(name="log_connections", value="1"),
                # Statements that change the schema or grants, and those slower than a second: enough
                # to investigate, without writing every query's personal data into the logs.
                RdsClusterParameterGroupParameter(name="log_statement", value="ddl"),
                RdsClusterParameterGroupParameter(name="log_min_duration_statement", value="1000"),
            ],
        )
        cluster = RdsCluster(
            group,
            "cluster",
            cluster_identifier=ctx.name("aurora"),
            engine="aurora-postgresql",
            engine_version=AURORA_ENGINE_VERSION,
            database_name="citygate",
            master_username="citygate_admin",
            manage_master_user_password=True,
            master_user_secret_kms_key_id=keys.secrets.arn,
            storage_encrypted=True,
            kms_key_id=keys.database.arn,
            iam_database_authentication_enabled=True,
            db_subnet_group_name=subnets.name,
            db_cluster_parameter_group_name=parameters.name,
            vpc_security_group_ids=[self.database_sg.id],
            port=POSTGRES_PORT,
            backup_retention_period=env.aurora_backup_days,
            preferred_backup_window="02:00-03:00",
            copy_tags_to_snapshot=True,
            deletion_protection=env.deletion_protection,
            skip_final_snapshot=env.disposable,
            final_snapshot_identifier=None if env.disposable else ctx.name("aurora-final"),
            enabled_cloudwatch_logs_exports=["postgresql"],
        )
        monitoring = role(
            ResourceGroup(self, "aurora_monitoring"),
            name=ctx.name("aurora-monitoring"),
            trust=service_trust("monitoring.rds.amazonaws.com"),
            managed_policy="service-role/AmazonRDSEnhancedMonitoringRole",
        )
        for index in range(env.aurora_instances):
            RdsClusterInstance(
                self,
                f"aurora_{index}",
                identifier=ctx.name(f"aurora-{index}"),
                cluster_identifier=cluster.id,
                engine=cluster.engine,
                engine_version=cluster.engine_version,
                instance_class=env.aurora_instance_class,
                publicly_accessible=False,
                auto_minor_version_upgrade=True,
                performance_insights_enabled=True,
                performance_insights_kms_key_id=keys.database.arn,
                monitoring_interval=ENHANCED_MONITORING_SECONDS,
                monitoring_role_arn=monitoring.arn,
            )
        return cluster
