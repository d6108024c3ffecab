"""Preventive account and application security: EBS default encryption, secrets, parameters, WAF."""

from __future__ import annotations

from typing import Any

from cdktf_cdktf_provider_aws.ebs_default_kms_key import EbsDefaultKmsKey
from cdktf_cdktf_provider_aws.ebs_encryption_by_default import EbsEncryptionByDefault
from cdktf_cdktf_provider_aws.secretsmanager_secret import SecretsmanagerSecret
from cdktf_cdktf_provider_aws.secretsmanager_secret_rotation import SecretsmanagerSecretRotation
from cdktf_cdktf_provider_aws.ssm_parameter import SsmParameter
from cdktf_cdktf_provider_aws.wafv2_web_acl import Wafv2WebAcl, Wafv2WebAclRule
from cdktf_cdktf_provider_aws.wafv2_web_acl_logging_configuration import Wafv2WebAclLoggingConfiguration
from constructs import Construct

from stacks.context import Context
from stacks.keys import Keys
from stacks.logs import log_group
from stacks.naming import ResourceGroup
from stacks.network import Network
from stacks.rotation import SecretRotation

# Application secrets (values come from the rotation function or the operator, never from here). Services
# reach Aurora with IAM authentication, and its master password is RDS-managed, so no DB password here.
SECRETS = {
    "inference_api_key": "Key the api service presents to the inference service",
    "web_session_key": "Key the web frontend signs its sessions with",
    # Read by every Airflow component through Airflow's `sql_alchemy_conn_secret` (workloads/base/data-pipeline).
    "airflow_metadata_db": "Connection URI of Airflow's metadata database (set by the operator)",
}
# Secrets the rotation function must not rotate: it writes a fresh random value, and a connection URI embeds a
# database password that changes only together with the database role (exception EX-016 until a rotation
# function that alters the role exists).
ROTATED_BY_OPERATOR = frozenset({"airflow_metadata_db"})
# AWS managed rule groups on the web ACL, in priority order.
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesSQLiRuleSet",
)


def _visibility(metric: str) -> dict[str, Any]:
    return {"cloudwatch_metrics_enabled": True, "metric_name": metric, "sampled_requests_enabled": True}


class Security(Construct):
    """EBS default encryption, Secrets Manager secrets with rotation, SSM parameters and the WAF ACL."""

    def __init__(
        self, scope: Construct, id_: str, ctx: Context, keys: Keys, network: Network, parameters: dict[str, str]
    ) -> None:
        super().__init__(scope, id_)
        ebs = ResourceGroup(self, "account")
        EbsEncryptionByDefault(ebs, "default", enabled=True)
        EbsDefaultKmsKey(ebs, "key", key_arn=keys.ebs.arn)

        rotation = SecretRotation(self, "secret_rotation", ctx, keys, network)
        self.secrets: dict[str, SecretsmanagerSecret] = {}
        for name, description in SECRETS.items():
            group = ResourceGroup(self, name)
            secret = SecretsmanagerSecret(
                group,
                "secret",
                name=f"{ctx.env.prefix}/{name.replace('_', '-')}",
                description=description,
                kms_key_id=keys.secrets.arn,
                recovery_window_in_days=0 if ctx.env.disposable else 30,
            )
            if name not in ROTATED_BY_OPERATOR:
                SecretsmanagerSecretRotation(
                    group,
                    "rotation",
                    secret_id=secret.id,
                    rotation_lambda_arn=rotation.function.arn,
                    rotation_rules={"automatically_after_days": ctx.env.secret_rotation_days},
                    depends_on=[rotation.permission],
                )
            self.secrets[name] = secret

        # Plain, non-secret configuration: published under /<prefix>/config/, the only path where a
        # parameter may be a plain String (every other parameter is a SecureString with our key).
        for name, value in parameters.items():
            SsmParameter(
                self,
                f"param_{name}",
                name=f"/{ctx.env.prefix}/config/{name.replace('_', '-')}",
                type="String",
                value=value,
            )
        self.web_acl = self._web_acl(ctx, keys)

    def _web_acl(self, ctx: Context, keys: Keys) -> Wafv2WebAcl:
        rules = [
            Wafv2WebAclRule(
                name=group_name,
                priority=priority,
                override_action={"none": {}},
                statement={"managed_rule_group_statement": {"name": group_name, "vendor_name": "AWS"}},
                visibility_config=_visibility(group_name),
            )
            for priority, group_name in enumerate(MANAGED_RULE_GROUPS, start=1)
        ]
        rules.append(
            Wafv2WebAclRule(
                name="rate-limit-per-ip",
                priority=len(rules) + 1,
                action={"block": {}},
                statement={"rate_based_statement": {"limit": ctx.env.waf_rate_limit, "aggregate_key_type": "IP"}},
                visibility_config=_visibility("rate-limit-per-ip"),
            )
        )
        group = ResourceGroup(self, "edge")
        acl = Wafv2WebAcl(
            group,
            "acl",
            name=ctx.name("edge"),
            description="Web ACL in front of the public ALB",
            scope="REGIONAL",
            default_action={"allow": {}},
            rule=rules,
            visibility_config=_visibility(ctx.name("edge")),
        )
        # WAF requires the `aws-waf-logs-` name prefix on its log groups.
        logs = log_group(group, "log_group", ctx, f"aws-waf-logs-{ctx.env.prefix}", keys.logs)
        Wafv2WebAclLoggingConfiguration(group, "logging", resource_arn=acl.arn, log_destination_configs=[logs.arn])
        return acl
