"""The Lambda that rotates the platform's generated secrets (code in `stacks/rotation_function/`).

It runs in the private subnets and reaches Secrets Manager through the VPC endpoint; it may touch
only this environment's secrets and their key.
"""

from __future__ import annotations

from pathlib import Path

from cdktf import AssetType, TerraformAsset
from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction
from cdktf_cdktf_provider_aws.lambda_permission import LambdaPermission
from constructs import Construct

from stacks.config import VPC_CIDR
from stacks.context import Context
from stacks.firewall import Rule, security_group
from stacks.keys import Keys
from stacks.logs import log_group
from stacks.naming import ResourceGroup
from stacks.network import Network
from stacks.policy import allow, document, service_trust
from stacks.roles import role

FUNCTION_CODE = Path(__file__).resolve().parent / "rotation_function"
RUNTIME = "python3.12"


class SecretRotation(ResourceGroup):
    """Rotation function, its role, log group, network access and the Secrets Manager invoke grant."""

    def __init__(self, scope: Construct, id_: str, ctx: Context, keys: Keys, network: Network) -> None:
        super().__init__(scope, id_)
        name = ctx.name("secret-rotation")
        logs = log_group(self, "log_group", ctx, f"/aws/lambda/{name}", keys.logs)
        own_secrets = ctx.arn("secretsmanager", f"secret:{ctx.env.prefix}/*")
        function_role = role(
            self,
            name=name,
            trust=service_trust("lambda.amazonaws.com"),
            managed_policy="service-role/AWSLambdaVPCAccessExecutionRole",
            inline_policy=document(
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
        firewall = security_group(
            scope,
            id_,
            ctx,
            vpc_id=network.vpc.id,
            description="Secret rotation function: HTTPS to the VPC endpoints only",
            rules=[Rule("https_out", "egress", 443, (VPC_CIDR,), "HTTPS to the AWS API endpoints in the VPC")],
        )
        code = TerraformAsset(self, "code", path=str(FUNCTION_CODE), type=AssetType.ARCHIVE)
        self.function = LambdaFunction(
            self,
            "function",
            function_name=name,
            description="Rotates the generated secrets of this environment",
            role=function_role.arn,
            runtime=RUNTIME,
            handler="handler.handler",
            filename=code.path,
            source_code_hash=code.asset_hash,
            timeout=30,
            reserved_concurrent_executions=2,
            tracing_config={"mode": "Active"},
            logging_config={"log_format": "JSON", "log_group": logs.name},
            vpc_config={
                "subnet_ids": [s.id for s in network.private_subnets],
                "security_group_ids": [firewall.id],
            },
        )
        self.permission = LambdaPermission(
            self,
            "invoke",
            function_name=self.function.function_name,
            action="lambda:InvokeFunction",
            principal="secretsmanager.amazonaws.com",
            source_account=ctx.account_id,
            source_arn=own_secrets,  # only this environment's secrets may invoke it
        )
