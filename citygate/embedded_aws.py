"""The embedded AWS as Terraform and the AWS SDKs see it: where each service's calls go, and with what.

The synthesized JSON never knows where it will be deployed.  On the embedded AWS, a Terraform
override file (`zz_embedded_aws_override.tf.json`) written next to it at plan time points every AWS
service the stack uses at the moto server, sets test credentials, the skip_* flags moto needs and a
small retry budget, and replaces the backend with a local state file.  On real AWS (credentials
present, not embedded) no override is written: the stack's own provider and remote backend apply.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from citygate.stack_json import DEFAULT_REGION, provider_blocks, stack_types

EMBEDDED_OVERRIDE = "zz_embedded_aws_override.tf.json"
# Variables through which an AWS SDK finds real credentials (short-lived ones included).
REAL_CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
)
TEST_CREDENTIAL = "test"  # moto accepts any key; this one can never be mistaken for a real one
# A 500 from the embedded AWS is a defect, not a transient fault: fail fast instead of the provider's 25
# retries with back-off (minutes per call), and let the error name the server's own fault line.
EMBEDDED_MAX_RETRIES = 2

# Resource/data type prefix -> the provider's `endpoints` key of the service it calls.
# Longest prefix wins; a type matching none still reaches moto through AWS_ENDPOINT_URL.
SERVICE_OF_PREFIX: dict[str, str] = {
    "aws_s3": "s3",
    "aws_kms": "kms",
    "aws_iam": "iam",
    "aws_caller_identity": "sts",
    "aws_eks": "eks",
    "aws_cloudtrail": "cloudtrail",
    "aws_guardduty": "guardduty",
    "aws_config_": "configservice",
    "aws_secretsmanager": "secretsmanager",
    "aws_ssm": "ssm",
    "aws_wafv2": "wafv2",
    "aws_rds": "rds",
    "aws_db_": "rds",
    "aws_dynamodb": "dynamodb",
    "aws_kinesis": "kinesis",
    "aws_kinesis_firehose": "firehose",
    "aws_ecr": "ecr",
    "aws_lb": "elbv2",
    "aws_alb": "elbv2",
    "aws_cloudwatch": "cloudwatch",
    "aws_cloudwatch_log": "logs",
    "aws_cloudwatch_event": "events",
    "aws_sns": "sns",
    "aws_sqs": "sqs",
    "aws_lambda": "lambda",
    "aws_acm": "acm",
    "aws_route53": "route53",
    "aws_efs": "efs",
    "aws_elasticache": "elasticache",
    "aws_autoscaling": "autoscaling",
    "aws_ebs": "ec2",
    "aws_ec2": "ec2",
    "aws_vpc": "ec2",
    "aws_subnet": "ec2",
    "aws_route": "ec2",
    "aws_route_table": "ec2",
    "aws_internet_gateway": "ec2",
    "aws_nat_gateway": "ec2",
    "aws_eip": "ec2",
    "aws_network_acl": "ec2",
    "aws_security_group": "ec2",
    "aws_default_": "ec2",
    "aws_flow_log": "ec2",
    "aws_launch_template": "ec2",
    "aws_instance": "ec2",
    "aws_availability_zones": "ec2",
    "aws_ami": "ec2",
}
ALWAYS_ENDPOINTS = ("sts", "iam", "ec2")


def service_of(resource_type: str) -> str | None:
    matches = [prefix for prefix in SERVICE_OF_PREFIX if resource_type.startswith(prefix)]
    return SERVICE_OF_PREFIX[max(matches, key=len)] if matches else None


def endpoint_services(types: Iterable[str]) -> list[str]:
    services = {service_of(t) for t in types} | set(ALWAYS_ENDPOINTS)
    return sorted(s for s in services if s)


def embedded_override(stack: dict[str, Any], endpoint: str, state_path: Path) -> dict[str, Any]:
    """The override that sends every AWS call of `stack` to the moto server at `endpoint`."""
    endpoints = {service: endpoint for service in endpoint_services(stack_types(stack))}
    providers = []
    for block in provider_blocks(stack):
        provider: dict[str, Any] = {
            "access_key": TEST_CREDENTIAL,
            "secret_key": TEST_CREDENTIAL,
            "skip_credentials_validation": True,
            "skip_requesting_account_id": True,
            "skip_metadata_api_check": True,
            "s3_use_path_style": True,
            "max_retries": EMBEDDED_MAX_RETRIES,
            "endpoints": [endpoints],
        }
        if "alias" in block:
            provider["alias"] = block["alias"]
        if "region" not in block:
            provider["region"] = DEFAULT_REGION
        providers.append(provider)
    return {
        "provider": {"aws": providers},
        "terraform": {"backend": {"local": {"path": str(state_path)}}},
    }


def embedded_env(endpoint: str) -> dict[str, str]:
    """Child-process variables that keep every AWS call on the embedded server, whatever the config."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": TEST_CREDENTIAL,
        "AWS_SECRET_ACCESS_KEY": TEST_CREDENTIAL,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def real_credentials_present(environ: Mapping[str, str] | None = None) -> bool:
    """True when the environment names real AWS credentials (never probes the metadata service)."""
    environ = os.environ if environ is None else environ
    return any(environ.get(name) for name in REAL_CREDENTIAL_VARIABLES)


def uses_embedded(env: str, embedded: bool, environ: Mapping[str, str] | None = None) -> bool:
    """`local` always, any env with --embedded, and any env when no real credentials are present."""
    return env == "local" or embedded or not real_credentials_present(environ)
