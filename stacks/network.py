"""The VPC: three tiers across two AZs, where only the public tier touches the internet.

public (ALB, NAT) -> private (EKS nodes, interface endpoints) -> data (Aurora; no route out, and its
network ACL admits only the private tier). Flow logs go to an encrypted log group, the default
security group is closed, and AWS APIs are reached through VPC endpoints.
"""

from __future__ import annotations

from typing import Any

from cdktf_cdktf_provider_aws.default_security_group import DefaultSecurityGroup
from cdktf_cdktf_provider_aws.eip import Eip
from cdktf_cdktf_provider_aws.flow_log import FlowLog
from cdktf_cdktf_provider_aws.internet_gateway import InternetGateway
from cdktf_cdktf_provider_aws.nat_gateway import NatGateway
from cdktf_cdktf_provider_aws.network_acl import NetworkAcl, NetworkAclEgress, NetworkAclIngress
from cdktf_cdktf_provider_aws.route import Route
from cdktf_cdktf_provider_aws.route_table import RouteTable
from cdktf_cdktf_provider_aws.route_table_association import RouteTableAssociation
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc import Vpc
from cdktf_cdktf_provider_aws.vpc_endpoint import VpcEndpoint
from constructs import Construct

from stacks.config import DATA_SUBNET_CIDRS, PRIVATE_SUBNET_CIDRS, PUBLIC_SUBNET_CIDRS, VPC_CIDR
from stacks.context import Context
from stacks.firewall import Rule, security_group
from stacks.keys import Keys
from stacks.logs import log_group
from stacks.naming import ResourceGroup
from stacks.policy import allow, document, service_trust
from stacks.roles import role

ANYWHERE = "0.0.0.0/0"
# NAT return traffic arrives on 1024-65535; the range is split so RDP (3389) stays closed from anywhere.
_EPHEMERAL_FROM_ANYWHERE = ((1024, 3388), (3390, 65535))
INTERFACE_ENDPOINTS = ("ecr.api", "ecr.dkr", "sts", "secretsmanager")
GATEWAY_ENDPOINTS = ("s3", "dynamodb")


def _nacl_rule(rule_no: int, cidr: str, from_port: int = 0, to_port: int = 0, protocol: str = "-1") -> dict[str, Any]:
    """An allow entry; `protocol="-1"` with ports 0-0 means all traffic."""
    return {
        "rule_no": rule_no,
        "action": "allow",
        "cidr_block": cidr,
        "protocol": protocol,
        "from_port": from_port,
        "to_port": to_port,
    }


def _ingress(*rules: dict[str, Any]) -> list[NetworkAclIngress]:
    return [NetworkAclIngress(**rule) for rule in rules]


def _egress(*rules: dict[str, Any]) -> list[NetworkAclEgress]:
    return [NetworkAclEgress(**rule) for rule in rules]


class Network(Construct):
    """VPC, subnets, gateways, routes, ACLs, flow logs and endpoints of one environment."""

    def __init__(self, scope: Construct, id_: str, ctx: Context, keys: Keys) -> None:
        super().__init__(scope, id_)
        env = ctx.env
        main = ResourceGroup(self, "main")
        self.vpc = Vpc(
            main,
            "vpc",
            cidr_block=VPC_CIDR,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": ctx.name("vpc")},
        )
        vpc_id = self.vpc.id
        igw = InternetGateway(main, "igw", vpc_id=vpc_id, tags={"Name": ctx.name("igw")})
        DefaultSecurityGroup(main, "default_sg", vpc_id=vpc_id, tags={"Name": ctx.name("default-closed")})

        public = ResourceGroup(self, "public")
        public_rt = RouteTable(public, "table", vpc_id=vpc_id, tags={"Name": ctx.name("public")})
        Route(public, "internet", route_table_id=public_rt.id, destination_cidr_block=ANYWHERE, gateway_id=igw.id)
        self.public_subnets = [
            self._subnet(ctx, "public", index, cidr, public_rt, {"kubernetes.io/role/elb": "1"})
            for index, cidr in enumerate(PUBLIC_SUBNET_CIDRS)
        ]
        nats = [self._nat(ctx, index, igw) for index in range(env.nat_gateways)]
        # One private route table per AZ, through that AZ's NAT when there is one per AZ.
        self.private_subnets = []
        private_tables = []
        for index, cidr in enumerate(PRIVATE_SUBNET_CIDRS):
            group = ResourceGroup(self, f"private_{index}")
            table = RouteTable(group, "table", vpc_id=vpc_id, tags={"Name": ctx.name(f"private-{index}")})
            Route(
                group,
                "nat",
                route_table_id=table.id,
                destination_cidr_block=ANYWHERE,
                nat_gateway_id=nats[index % len(nats)].id,
            )
            private_tables.append(table)
            self.private_subnets.append(
                self._subnet(ctx, "private", index, cidr, table, {"kubernetes.io/role/internal-elb": "1"}, group)
            )
        # The data tier's table has only the implicit local route (plus the gateway endpoints).
        data = ResourceGroup(self, "data")
        data_rt = RouteTable(data, "table", vpc_id=vpc_id, tags={"Name": ctx.name("data")})
        self.data_subnets = [
            self._subnet(ctx, "data", index, cidr, data_rt, {}) for index, cidr in enumerate(DATA_SUBNET_CIDRS)
        ]

        self._network_acls(ctx, public, data)
        self._flow_logs(ctx, keys)
        self._endpoints(ctx, [*private_tables, data_rt])

    def _subnet(
        self,
        ctx: Context,
        tier: str,
        index: int,
        cidr: str,
        table: RouteTable,
        tags: dict[str, str],
        group: ResourceGroup | None = None,
    ) -> Subnet:
        group = group or ResourceGroup(self, f"{tier}_{index}")
        subnet = Subnet(
            group,
            "subnet",
            vpc_id=self.vpc.id,
            cidr_block=cidr,
            availability_zone=ctx.env.availability_zones[index],
            map_public_ip_on_launch=False,
            tags={"Name": ctx.name(f"{tier}-{index}"), "Tier": tier, **tags},
        )
        RouteTableAssociation(group, "association", subnet_id=subnet.id, route_table_id=table.id)
        return subnet

    def _nat(self, ctx: Context, index: int, igw: InternetGateway) -> NatGateway:
        group = ResourceGroup(self, f"nat_{index}")
        eip = Eip(group, "eip", domain="vpc", tags={"Name": ctx.name(f"nat-{index}")})
        return NatGateway(
            group,
            "nat",
            allocation_id=eip.id,
            subnet_id=self.public_subnets[index].id,
            tags={"Name": ctx.name(f"nat-{index}")},
            depends_on=[igw],
        )

    def _network_acls(self, ctx: Context, public: ResourceGroup, data: ResourceGroup) -> None:
        ephemeral = [
            _nacl_rule(200 + offset, ANYWHERE, low, high, "tcp")
            for offset, (low, high) in enumerate(_EPHEMERAL_FROM_ANYWHERE)
        ]
        NetworkAcl(
            public,
            "acl",
            vpc_id=self.vpc.id,
            subnet_ids=[s.id for s in self.public_subnets],
            ingress=_ingress(
                _nacl_rule(100, ANYWHERE, 443, 443, "tcp"),
                _nacl_rule(110, ANYWHERE, 80, 80, "tcp"),
                _nacl_rule(120, VPC_CIDR),
                *ephemeral,
            ),
            egress=_egress(_nacl_rule(100, ANYWHERE)),
            tags={"Name": ctx.name("public")},
        )
        NetworkAcl(
            self,
            "private",
            vpc_id=self.vpc.id,
            subnet_ids=[s.id for s in self.private_subnets],
            ingress=_ingress(_nacl_rule(100, VPC_CIDR), *ephemeral),
            egress=_egress(_nacl_rule(100, ANYWHERE)),
            tags={"Name": ctx.name("private")},
        )
        # The data tier talks to the private tier only, both ways.
        only_private = [_nacl_rule(100 + i, cidr) for i, cidr in enumerate(PRIVATE_SUBNET_CIDRS)]
        NetworkAcl(
            data,
            "acl",
            vpc_id=self.vpc.id,
            subnet_ids=[s.id for s in self.data_subnets],
            ingress=_ingress(*only_private),
            egress=_egress(*only_private),
            tags={"Name": ctx.name("data")},
        )

    def _flow_logs(self, ctx: Context, keys: Keys) -> None:
        group = ResourceGroup(self, "vpc_flow_logs")
        logs = log_group(group, "log_group", ctx, f"/aws/vpc/{ctx.name('flow-logs')}", keys.logs)
        flow_role = role(
            group,
            name=ctx.name("vpc-flow-logs"),
            trust=service_trust(
                "vpc-flow-logs.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": ctx.account_id}}
            ),
            inline_policy=document(
                allow(
                    "WriteFlowLogs",
                    ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    [logs.arn, f"{logs.arn}:*"],
                )
            ),
        )
        FlowLog(
            group,
            "flow_log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=logs.arn,
            iam_role_arn=flow_role.arn,
            max_aggregation_interval=60,
        )

    def _endpoints(self, ctx: Context, route_tables: list[RouteTable]) -> None:
        service = f"com.amazonaws.{ctx.region}"
        for name in GATEWAY_ENDPOINTS:
            VpcEndpoint(
                self,
                name,
                vpc_id=self.vpc.id,
                service_name=f"{service}.{name}",
                vpc_endpoint_type="Gateway",
                route_table_ids=[t.id for t in route_tables],
                tags={"Name": ctx.name(f"{name}-endpoint")},
            )
        self.endpoints_sg = security_group(
            self,
            "vpc_endpoints",
            ctx,
            vpc_id=self.vpc.id,
            description="HTTPS from inside the VPC to the AWS API interface endpoints",
            rules=[Rule("https_in", "ingress", 443, (VPC_CIDR,), "HTTPS from the VPC")],
        )
        for name in INTERFACE_ENDPOINTS:
            VpcEndpoint(
                self,
                name.replace(".", "_"),
                vpc_id=self.vpc.id,
                service_name=f"{service}.{name}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=[s.id for s in self.private_subnets],
                security_group_ids=[self.endpoints_sg.id],
                tags={"Name": ctx.name(f"{name.replace('.', '-')}-endpoint")},
            )
