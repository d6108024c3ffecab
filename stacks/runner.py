"""The in-VPC deployer: how a workflow reaches the cluster whose API endpoint is private (rightly).

It deploys, and it runs the in-cluster load test (`loadtest --in-cluster`) whose verdict gates production.

A GitHub-hosted runner cannot reach the EKS endpoint, and the endpoint stays private. The deploy job assumes the
environment's CI deploy role (stacks/bootstrap.py) and starts this CodeBuild project, which runs in the private
subnets, checks out the exact commit, writes the release's digest records and runs `python main.py deploy`
(gate, server-side dry run, apply). Its own role is the only principal with a Kubernetes access entry; the CI
role can start the build and read its log, nothing in the cluster.

The access entry is cluster-admin: the workload manifests hold Namespaces, ClusterRoles and ClusterRoleBindings,
which no namespace-scoped EKS access policy may create. What guards it is who can run the build (the deploy role,
trusted only from the environment's protected GitHub environment) and what the build runs (the gate first).
"""

from __future__ import annotations

from cdktf_cdktf_provider_aws.codebuild_project import CodebuildProject
from cdktf_cdktf_provider_aws.eks_access_entry import EksAccessEntry
from cdktf_cdktf_provider_aws.eks_access_policy_association import EksAccessPolicyAssociation
from constructs import Construct

from stacks.cluster import Cluster
from stacks.config import GITHUB_REPOSITORY, PROJECT
from stacks.context import Context
from stacks.firewall import Rule, security_group
from stacks.keys import Keys
from stacks.logs import log_group
from stacks.naming import ResourceGroup
from stacks.network import ANYWHERE, Network
from stacks.policy import allow, document, service_trust
from stacks.roles import role

BUILD_IMAGE = "aws/codebuild/standard:7.0"
# CodeBuild's VPC networking: reads that IAM cannot scope (granted on "*"), and the interface it creates.
VPC_READS = [
    "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
    "ec2:DescribeVpcs",
]  # fmt: skip
CLUSTER_ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
# What a build runs: `deploy`, or with CITYGATE_TASK=loadtest the in-cluster Locust verdict (the inference service
# has no public route), which it prints as a log line the workflow reads back. The digest records arrive as one
# variable (space-separated references), so either pins exactly the release's digests, checked against this
# environment's registry first. The task is chosen from these two, never a command the caller passes.
BUILDSPEC = """version: 0.2
env:
  shell: bash
phases:
  install:
    commands:
      - make deps
  build:
    commands:
      - aws eks update-kubeconfig --name "$CLUSTER_NAME" --kubeconfig "$CODEBUILD_SRC_DIR/kubeconfig"
      - |
        set -euo pipefail
        args=(--env "$CITYGATE_ENV" --kubeconfig "$CODEBUILD_SRC_DIR/kubeconfig")
        if [ -n "${RELEASE_IMAGES:-}" ]; then
          mkdir -p digests
          for reference in $RELEASE_IMAGES; do
            name="${reference%@*}"; printf '%s\\n' "$reference" > "digests/${name##*/}"
          done
          args+=(--image-digests digests --verify-registry)
        fi
        case "${CITYGATE_TASK:-deploy}" in
          deploy) .venv/bin/python main.py deploy "${args[@]}" ;;
          loadtest) .venv/bin/python main.py loadtest --in-cluster "${args[@]}" --run-id "$CODEBUILD_BUILD_NUMBER" --json - ;;
          *) echo "unknown CITYGATE_TASK: $CITYGATE_TASK" >&2; exit 2 ;;
        esac
""".replace("${", "$${")  # a Terraform string: `$${` is a literal `${`


class Deployer(ResourceGroup):
    """`aws_codebuild_project.deployer` in the private subnets, its role, log group and EKS access entry."""

    def __init__(
        self, scope: Construct, id_: str, ctx: Context, keys: Keys, network: Network, cluster: Cluster
    ) -> None:
        super().__init__(scope, id_)
        self.name = ctx.name("deployer")
        project_arn = ctx.arn("codebuild", f"project/{self.name}")
        logs = log_group(self, "log_group", ctx, f"/aws/codebuild/{self.name}", keys.logs)
        firewall = security_group(
            scope,
            "deployer",
            ctx,
            vpc_id=network.vpc.id,
            description="The deployer: HTTPS out only (Kubernetes API, AWS endpoints, the repository's source)",
            rules=[Rule("https_out", "egress", 443, (ANYWHERE,), "HTTPS to the cluster API, AWS and GitHub")],
        )
        subnets = [ctx.arn("ec2", f"subnet/{s.id}") for s in network.private_subnets]
        self.role = role(
            self,
            name=self.name,
            trust=service_trust(
                "codebuild.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceArn": project_arn, "aws:SourceAccount": ctx.account_id}},
            ),
            inline_policy=document(
                allow("BuildLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [f"{logs.arn}:*"]),
                allow("LogsKey", ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"], keys.logs.arn),
                allow("VpcReadNetwork", VPC_READS, "*"),
                allow(
                    "VpcInterfaces",
                    ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"],
                    [ctx.arn("ec2", "network-interface/*"), *subnets, ctx.arn("ec2", f"security-group/{firewall.id}")],
                ),
                allow(
                    "VpcInterfacePermission",
                    ["ec2:CreateNetworkInterfacePermission"],
                    [ctx.arn("ec2", "network-interface/*")],
                    Condition={
                        "StringEquals": {"ec2:AuthorizedService": "codebuild.amazonaws.com"},
                        "ArnEquals": {"ec2:Subnet": subnets},
                    },
                ),
                allow("FindCluster", ["eks:DescribeCluster"], cluster.cluster.arn),
                allow(
                    "ReadReleaseImages",
                    ["ecr:DescribeImages"],
                    [ctx.arn("ecr", f"repository/{PROJECT}/{ctx.env.name}/*")],
                ),
            ),
            description=f"The in-VPC deployer of {ctx.env.prefix}: CodeBuild runs `deploy` with it",
        )
        self.project = CodebuildProject(
            self,
            "project",
            name=self.name,
            description=f"Deploy the workloads to {cluster.name} from inside the VPC (started by the CI deploy role)",
            service_role=self.role.arn,
            encryption_key=keys.logs.arn,
            build_timeout=30,
            source={
                "type": "GITHUB",
                "location": f"https://github.com/{GITHUB_REPOSITORY}.git",
                "git_clone_depth": 1,
                "buildspec": BUILDSPEC,
            },
            artifacts={"type": "NO_ARTIFACTS"},
            environment={
                "compute_type": "BUILD_GENERAL1_SMALL",
                "image": BUILD_IMAGE,
                "type": "LINUX_CONTAINER",
                "privileged_mode": False,
                "environment_variable": [
                    {"name": "CITYGATE_ENV", "value": ctx.env.name},
                    {"name": "CLUSTER_NAME", "value": cluster.name},
                ],
            },
            logs_config={
                "cloudwatch_logs": {"status": "ENABLED", "group_name": logs.name},
                "s3_logs": {"status": "DISABLED"},
            },
            vpc_config={
                "vpc_id": network.vpc.id,
                "subnets": [s.id for s in network.private_subnets],
                "security_group_ids": [firewall.id],
            },
        )
        EksAccessEntry(
            self, "access_entry", cluster_name=cluster.cluster.name, principal_arn=self.role.arn, type="STANDARD"
        )
        EksAccessPolicyAssociation(
            self,
            "access_policy",
            cluster_name=cluster.cluster.name,
            principal_arn=self.role.arn,
            policy_arn=CLUSTER_ADMIN,
            access_scope={"type": "cluster"},
        )
