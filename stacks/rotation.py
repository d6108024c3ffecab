"""The Lambda that rotates the platform's generated secrets (code in `stacks/rotation_function/`).

It runs in the private subnets and reaches Secrets Manager through the VPC endpoint; it may touch
only this environment's secrets and their key.
"""

from __future__ import annotations

from pathlib import Path

from cdktf import AssetType, TerraformAsset
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction
from cdktf_cdktf_provider_aws.lambda_permission import LambdaPermission
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.security_group_rule import SecurityGroupRule
from constructs import Construct

from stacks.config import VPC_CIDR
from stacks.context import Context
from stacks.keys import Keys
from stacks.logs import log_group
from stacks.naming import ResourceGroup
from stacks.network import Network
from stacks.policy import allow, document, service_trust

FUNCTION_CODE = Path(__file__).resolve().parent / "rotation_function"
RUNTIME = "python3.12"


class SecretRotation(ResourceGroup):
    """Rotation function, its role, log group, network access and the Secrets Manager invoke grant."""

    def __init__(self, scope: Construct, id_: str, ctx: Context, keys: Keys, network: Network) -> None:
        super().__init__(scope, id_)
        name = ctx.name("secret-rotation")
        logs = log_group(self, "log_group", ctx, f"/aws/lambda/{name}", keys.logs)
        role = IamRole(self, "role", name=name, assume_role_policy=service_trust("lambda.amazonaws.com"))
        IamRolePolicyAttachment(
            self,
            "vpc_access",
            role=role.name,
            policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
        )
        own_secrets = ctx.arn("secretsmanager", f"secret:{ctx.env.prefix}/*")
        IamRolePolicy(
            self,
            "policy",
            role=role.id,
            name="rotate-own-secrets",
            policy=document(
                allow(
                    "RotateOwnSecrets",
                    [
                        "secretsmanager:DescribeSecret",
                        "secretsmanager:GetSecretValue",
                        "secretsmanager:PutSecretValue",
                        "secretsmanager:UpdateSecretVersionStage",
                    ],
                    [own_secrets],
                ),
                # GetRandomPassword has no resource to scope to.
                allow("GenerateValues", ["secretsmanager:GetRandomPassword"], ["*"]),
                allow("UseSecretsKey", ["kms:Decrypt", "kms:GenerateDataKey"], [keys.secrets.arn]),
                allow("WriteOwnLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [f"{logs.arn}:*"]),
            ),
        )
        security_group = SecurityGroup(
            self,
            "sg",
            name=name,
            description="Secret rotation function: HTTPS to the VPC endpoints only",
            vpc_id=network.vpc.id,
        )
        SecurityGroupRule(
            self,
            "https_out",
            type="egress",
            description="HTTPS to the AWS API endpoints in the VPC",
            security_group_id=security_group.id,
            protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_blocks=[VPC_CIDR],
        )
        code = TerraformAsset(self, "code", path=str(FUNCTION_CODE), type=AssetType.ARCHIVE)
        self.function = LambdaFunction(
            self,
            "function",
            function_name=name,
            description="Rotates the generated secrets of this environment",
            role=role.arn,
            runtime=RUNTIME,
            handler="handler.handler",
            filename=code.path,
            source_code_hash=code.asset_hash,
            timeout=30,
            reserved_concurrent_executions=2,
            kms_key_arn=keys.secrets.arn,
            tracing_config={"mode": "Active"},
            logging_config={"log_format": "JSON", "log_group": logs.name},
            vpc_config={
                "subnet_ids": [s.id for s in network.private_subnets],
                "security_group_ids": [security_group.id],
            },
        )
        self.permission = LambdaPermission(
            self,
            "invoke",
            function_name=self.function.function_name,
            action="lambda:InvokeFunction",
            principal="secretsmanager.amazonaws.com",
            source_account=ctx.account_id,
        )
