"""The names scenarios give attributes, and the path each stands for in a resource of each type.

A reviewer reads `Then "trusted audience" must be "sts.amazonaws.com"`, not the path behind it
(`assume_role_policy.Statement[Action=sts:AssumeRoleWithWebIdentity].Condition.StringEquals.*:aud`):
the step names the requirement, and the evidence records the path that was read, per resource type.
A quoted attribute that is not a name here is read as a path (`enable`, `traffic_type`); a name used
on a resource type it does not describe is an error of the scenario, never a silent miss.
"""

from __future__ import annotations

from citygate.errors import CitygateError

_TRUST = "assume_role_policy.Statement"
_WEB_IDENTITY = f"{_TRUST}[Action=sts:AssumeRoleWithWebIdentity]"
_GITHUB = "token.actions.githubusercontent.com"
_DENY = "policy.Statement[Effect=Deny]"
_ALLOW = "policy.Statement[Effect=Allow]"
_INTERNET_INGRESS = "ingress[cidr_blocks=0.0.0.0/0]"
_S3_DEFAULT = "rule.apply_server_side_encryption_by_default"
_NODE_DISK = "block_device_mappings.ebs"
_POLICIES = ("aws_iam_policy", "aws_iam_role_policy")

GLOSSARY: dict[str, dict[str, str]] = {
    # encryption
    "encryption key": {
        "aws_dynamodb_table": "server_side_encryption.kms_key_arn",
        "aws_kinesis_stream": "kms_key_id",
        "aws_ecr_repository": "encryption_configuration.kms_key",
        "aws_cloudwatch_log_group": "kms_key_id",
        "aws_secretsmanager_secret": "kms_key_id",
        "aws_s3_bucket_server_side_encryption_configuration": f"{_S3_DEFAULT}.kms_master_key_id",
        "aws_rds_cluster": "kms_key_id",
        "aws_redshift_cluster": "kms_key_id",
        "aws_cloudtrail": "kms_key_id",
        "aws_ssm_parameter": "key_id",
        "aws_launch_template": f"{_NODE_DISK}.kms_key_id",
        "aws_eks_cluster": "encryption_config.provider.key_arn",
        "aws_efs_file_system": "kms_key_id",
    },
    "default encryption algorithm": {
        "aws_s3_bucket_server_side_encryption_configuration": f"{_S3_DEFAULT}.sse_algorithm"
    },
    "server-side encryption": {"aws_dynamodb_table": "server_side_encryption.enabled"},
    "image encryption": {"aws_ecr_repository": "encryption_configuration.encryption_type"},
    "disk encryption": {"aws_launch_template": f"{_NODE_DISK}.encrypted"},
    "envelope-encrypted resources": {"aws_eks_cluster": "encryption_config.resources"},
    "forced TLS setting": {"aws_rds_cluster_parameter_group": "parameter[name=rds.force_ssl].value"},
    # audit logging
    "CloudWatch log group": {"aws_cloudtrail": "cloud_watch_logs_group_arn"},
    "records every resource type": {"aws_config_configuration_recorder": "recording_group.all_supported"},
    "records global resources": {"aws_config_configuration_recorder": "recording_group.include_global_resource_types"},
    "control plane log types": {"aws_eks_cluster": "enabled_cluster_log_types"},
    # data protection
    "versioning status": {"aws_s3_bucket_versioning": "versioning_configuration.status"},
    "point-in-time recovery": {"aws_dynamodb_table": "point_in_time_recovery.enabled"},
    "backup retention in days": {"aws_rds_cluster": "backup_retention_period"},
    "SecureTransport value it denies": {"aws_s3_bucket_policy": f"{_DENY}.Condition.Bool.aws:SecureTransport"},
    "principals denied plain HTTP": {"aws_s3_bucket_policy": f"{_DENY}.Principal"},
    "actions denied plain HTTP": {"aws_s3_bucket_policy": f"{_DENY}.Action"},
    "resources denied plain HTTP": {"aws_s3_bucket_policy": f"{_DENY}.Resource"},
    # workload identities
    "trusted actions": {"aws_iam_role": f"{_TRUST}.Action"},
    "trusted audience": {"aws_iam_role": f"{_WEB_IDENTITY}.Condition.StringEquals.*:aud"},
    "trusted service account": {"aws_iam_role": f"{_WEB_IDENTITY}.Condition.StringEquals.*:sub"},
    "wildcard trust conditions": {"aws_iam_role": f"{_TRUST}.Condition.StringLike"},
    "GitHub token conditions": {"aws_iam_role": f'{_TRUST}.Condition.*["{_GITHUB}:*"]'},
    "GitHub audience": {"aws_iam_role": f'{_TRUST}.Condition.StringEquals["{_GITHUB}:aud"]'},
    "GitHub subject": {"aws_iam_role": f'{_TRUST}.Condition.StringEquals["{_GITHUB}:sub"]'},
    # least privilege
    "allowed actions": dict.fromkeys(_POLICIES, f"{_ALLOW}.Action"),
    "roles it may pass": dict.fromkeys(_POLICIES, "policy.Statement[Action=iam:PassRole].Resource"),
    "principals allowed to use the key": {"aws_kms_key": f"{_ALLOW}.Principal"},
    "AWS principals allowed to use the key": {"aws_kms_key": f"{_ALLOW}.Principal.AWS"},
    "rotation period in days": {"aws_secretsmanager_secret_rotation": "rotation_rules.automatically_after_days"},
    "rotation function": {"aws_secretsmanager_secret_rotation": "rotation_lambda_arn"},
    "instance metadata session tokens": {"aws_launch_template": "metadata_options.http_tokens"},
    "instance metadata hop limit": {"aws_launch_template": "metadata_options.http_put_response_hop_limit"},
    # network
    "source IPv4 ranges": {
        "aws_security_group_rule": "cidr_blocks",
        "aws_vpc_security_group_ingress_rule": "cidr_ipv4",
    },
    "source IPv6 ranges": {
        "aws_security_group_rule": "ipv6_cidr_blocks",
        "aws_vpc_security_group_ingress_rule": "cidr_ipv6",
    },
    "first port": {"aws_security_group_rule": "from_port", "aws_vpc_security_group_ingress_rule": "from_port"},
    "last port": {"aws_security_group_rule": "to_port", "aws_vpc_security_group_ingress_rule": "to_port"},
    "IP protocol": {"aws_security_group_rule": "protocol", "aws_vpc_security_group_ingress_rule": "ip_protocol"},
    "IP protocol open to the internet": {"aws_security_group": f"{_INTERNET_INGRESS}.protocol"},
    "inline ingress IPv4 ranges": {"aws_security_group": "ingress.cidr_blocks"},
    "inline ingress IPv6 ranges": {"aws_security_group": "ingress.ipv6_cidr_blocks"},
    "first port open to the internet": {"aws_security_group": f"{_INTERNET_INGRESS}.from_port"},
    "last port open to the internet": {"aws_security_group": f"{_INTERNET_INGRESS}.to_port"},
    "public API endpoint": {"aws_eks_cluster": "vpc_config.endpoint_public_access"},
    "private API endpoint": {"aws_eks_cluster": "vpc_config.endpoint_private_access"},
    "network policy agent": {"aws_eks_addon": "configuration_values.enableNetworkPolicy"},
    "IPv4 ranges allowed in": {"aws_network_acl": "ingress[action=allow].cidr_block"},
    "IPv6 ranges allowed in": {"aws_network_acl": "ingress[action=allow].ipv6_cidr_block"},
    # least privilege, proven on recorded calls (citygate.leastpriv.inventory.judged_roles)
    "calls its policies deny": {"aws_iam_role": "recorded_calls.denied"},
    "grants no recorded call used": {"aws_iam_role": "recorded_calls.unused"},
    # supply chain
    "scan on push": {"aws_ecr_repository": "image_scanning_configuration.scan_on_push"},
    # the edge
    "managed rule groups": {"aws_wafv2_web_acl": "rule.statement.managed_rule_group_statement.name"},
    "rate limit per 5 minutes": {"aws_wafv2_web_acl": "rule.statement.rate_based_statement.limit"},
    "default action": {"aws_lb_listener": "default_action.type"},
    "redirect protocol": {"aws_lb_listener": "default_action.redirect.protocol"},
    "TLS policy": {"aws_lb_listener": "ssl_policy"},
}


def path_for(name: str, resource_type: str) -> str:
    """The path `name` stands for on `resource_type`; a plain path is returned as written."""
    paths = GLOSSARY.get(name)
    if paths is None:
        return name
    if resource_type not in paths:
        described = ", ".join(sorted(paths))
        raise CitygateError(f'"{name}" describes {described}, not {resource_type}', "citygate/bdd/glossary.py")
    return paths[resource_type]
