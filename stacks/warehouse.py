"""The data warehouse: one Redshift cluster for the analysts' SQL over the processed data.

Private by construction: no public address, in the data subnets, reachable on its port from the EKS
node subnets only, and with enhanced VPC routing, so its COPY/UNLOAD traffic to S3 stays on the VPC's
routes (and its endpoints and flow logs) instead of the internet.  Its storage is encrypted with the
data lake's CMK (the warehouse holds the lake's processed data), its admin password lives in Secrets
Manager under the secrets CMK, TLS is required, and connection, user and user-activity logs go to
CloudWatch log groups created here with the logs CMK and the environment's retention (Redshift would
otherwise create them unencrypted).  Provisioned rather than Serverless: the embedded AWS applies and
reads back a cluster, and has no Redshift Serverless API.
"""

from __future__ import annotations

from cdktf_cdktf_provider_aws.redshift_cluster import RedshiftCluster
from cdktf_cdktf_provider_aws.redshift_logging import RedshiftLogging
from cdktf_cdktf_provider_aws.redshift_parameter_group import (
    RedshiftParameterGroup,
    RedshiftParameterGroupParameter,
)
from cdktf_cdktf_provider_aws.redshift_subnet_group import RedshiftSubnetGroup
from constructs import Construct

from stacks.config import PRIVATE_SUBNET_CIDRS
from stacks.context import Context
from stacks.firewall import Rule, security_group
from stacks.keys import Keys
from stacks.logs import log_group
from stacks.naming import ResourceGroup
from stacks.network import Network

REDSHIFT_PORT = 5439
NODE_TYPE = "ra3.xlplus"
AUDIT_LOGS = ("connectionlog", "userlog", "useractivitylog")
SNAPSHOT_RETENTION_DAYS = 7


class Warehouse(Construct):
    """`self.cluster`: the Redshift cluster; `self.database`: the database the pipeline loads."""

    database = "citywarehouse"

    def __init__(self, scope: Construct, id_: str, ctx: Context, keys: Keys, network: Network) -> None:
        super().__init__(scope, id_)
        group = ResourceGroup(self, "warehouse")
        identifier = ctx.name("warehouse")
        subnets = RedshiftSubnetGroup(
            group,
            "subnets",
            name=ctx.name("warehouse"),
            description="Redshift in the data subnets",
            subnet_ids=[s.id for s in network.data_subnets],
        )
        firewall = security_group(
            self,
            "warehouse",
            ctx,
            vpc_id=network.vpc.id,
            description="Redshift from the private (EKS node) tier only",
            rules=[
                Rule(
                    "redshift_from_private",
                    "ingress",
                    REDSHIFT_PORT,
                    PRIVATE_SUBNET_CIDRS,
                    "Redshift from the private subnets",
                )
            ],
        )
        parameters = RedshiftParameterGroup(
            group,
            "parameters",
            name=ctx.name("warehouse"),
            family="redshift-1.0",
            description="TLS-only connections; user activity logged",
            parameter=[
                RedshiftParameterGroupParameter(name="require_ssl", value="true"),
                RedshiftParameterGroupParameter(name="enable_user_activity_logging", value="true"),
            ],
        )
        self.cluster = RedshiftCluster(
            group,
            "cluster",
            cluster_identifier=identifier,
            node_type=NODE_TYPE,
            cluster_type="single-node",
            database_name=self.database,
            master_username="citygate_admin",
            manage_master_password=True,
            master_password_secret_kms_key_id=keys.secrets.arn,
            encrypted=True,
            kms_key_id=keys.data_lake.arn,
            publicly_accessible=False,
            enhanced_vpc_routing=True,
            cluster_subnet_group_name=subnets.name,
            vpc_security_group_ids=[firewall.id],
            cluster_parameter_group_name=parameters.name,
            port=REDSHIFT_PORT,
            automated_snapshot_retention_period=SNAPSHOT_RETENTION_DAYS,
            allow_version_upgrade=True,
            skip_final_snapshot=ctx.env.disposable,
            final_snapshot_identifier=None if ctx.env.disposable else ctx.name("warehouse-final"),
        )
        logs = [
            log_group(self, f"warehouse_{log}", ctx, f"/aws/redshift/cluster/{identifier}/{log}", keys.logs)
            for log in AUDIT_LOGS
        ]
        RedshiftLogging(
            group,
            "logging",
            cluster_identifier=self.cluster.id,
            log_destination_type="cloudwatch",
            log_exports=list(AUDIT_LOGS),
            depends_on=logs,
        )
