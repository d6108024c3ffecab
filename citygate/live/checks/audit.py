"""Account-wide detection and audit: CloudTrail, GuardDuty, AWS Config, VPC flow logs, EBS defaults."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citygate.live.checks.keys import customer_managed_problem
from citygate.live.deployed import Deployed
from citygate.live.rules import LiveContext, Outcome, fetch, judge, judge_each, live_rule

ACCOUNT = "account"


def _account_resource(ctx: LiveContext, resource_type: str) -> str:
    """The Terraform address that manages an account-wide setting, else the account itself."""
    return next((item.address for item in ctx.deployed.of_type(resource_type)), f"{ACCOUNT}/{resource_type}")


@live_rule("CG_LIVE_CT_001", mirrors=("CG_CT_001", "CG_CT_002", "CG_CT_003", "CG_CT_004"))
def cloudtrail(ctx: LiveContext) -> Iterator[Outcome]:
    client = ctx.aws("cloudtrail")
    trails = client.describe_trails(includeShadowTrails=False).get("trailList", [])
    if not trails:
        yield judge(_account_resource(ctx, "aws_cloudtrail"), ["the account has no CloudTrail trail"])
        return
    for trail in trails:
        address = ctx.deployed.address_of("aws_cloudtrail", "arn", trail.get("TrailARN")) or trail["TrailARN"]
        status = fetch(client.get_trail_status, Name=trail["TrailARN"]) or {}
        yield judge(
            address,
            [
                None if trail.get("IsMultiRegionTrail") else "trail is not multi-region",
                None if trail.get("LogFileValidationEnabled") else "log file validation is off",
                customer_managed_problem(ctx, trail.get("KmsKeyId"), "trail log encryption"),
                None if status.get("IsLogging") else "trail is not logging",
            ],
        )


@live_rule("CG_LIVE_GD_001", mirrors=("CG_GD_001",))
def guardduty(ctx: LiveContext) -> Iterator[Outcome]:
    client = ctx.aws("guardduty")
    detector_ids = client.list_detectors().get("DetectorIds", [])
    if not detector_ids:
        yield judge(_account_resource(ctx, "aws_guardduty_detector"), ["GuardDuty has no detector"])
        return
    for detector_id in detector_ids:
        detector = client.get_detector(DetectorId=detector_id)
        address = ctx.deployed.address_of("aws_guardduty_detector", "id", detector_id) or f"detector/{detector_id}"
        features = {f.get("Name"): f.get("Status") for f in detector.get("Features", [])}
        audit_logs = detector.get("DataSources", {}).get("Kubernetes", {}).get("AuditLogs", {}).get("Status")
        eks_on = "ENABLED" in (features.get("EKS_AUDIT_LOGS"), audit_logs)
        yield judge(
            address,
            [
                None if detector.get("Status") == "ENABLED" else "detector is disabled",
                None if eks_on else "EKS audit-log monitoring is off",
            ],
        )


@live_rule("CG_LIVE_CFG_001", mirrors=("CG_CFG_001",))
def config_recorder(ctx: LiveContext) -> Iterator[Outcome]:
    client = ctx.aws("config")
    recorders = client.describe_configuration_recorders().get("ConfigurationRecorders", [])
    if not recorders:
        yield judge(_account_resource(ctx, "aws_config_configuration_recorder"), ["the account has no Config recorder"])
        return
    statuses = {
        s["name"]: s for s in client.describe_configuration_recorder_status().get("ConfigurationRecordersStatus", [])
    }
    channels = client.describe_delivery_channels().get("DeliveryChannels", [])
    for recorder in recorders:
        name = recorder["name"]
        address = ctx.deployed.address_of("aws_config_configuration_recorder", "name", name) or f"config/{name}"
        group = recorder.get("recordingGroup", {})
        yield judge(
            address,
            [
                None if statuses.get(name, {}).get("recording") else "recorder is not recording",
                None if group.get("allSupported") else "recorder does not record all supported resource types",
                None if channels else "no delivery channel",
            ],
        )


@live_rule("CG_LIVE_NET_002", mirrors=("CG_NET_002",))
def flow_logs(ctx: LiveContext) -> Iterator[Outcome]:
    ec2 = ctx.aws("ec2")

    def described_flow_logs(vpc: Deployed) -> list[dict[str, Any]] | None:
        if not _vpc_exists(ctx, vpc):
            return None
        logs: list[dict[str, Any]] = ec2.describe_flow_logs(Filters=_vpc_filter("resource-id", vpc))["FlowLogs"]
        return logs

    return judge_each(
        ctx,
        "aws_vpc",
        described_flow_logs,
        lambda logs: [None if any(f.get("TrafficType") == "ALL" for f in logs) else "no flow log captures ALL traffic"],
    )


@live_rule("CG_LIVE_EBS_001", mirrors=("CG_EBS_001",))
def ebs_default_encryption(ctx: LiveContext) -> Iterator[Outcome]:
    ec2 = ctx.aws("ec2")
    resource = _account_resource(ctx, "aws_ebs_encryption_by_default")
    if not ec2.get_ebs_encryption_by_default().get("EbsEncryptionByDefault"):
        yield judge(resource, ["EBS encryption by default is off"])
        return
    key = ec2.get_ebs_default_kms_key_id().get("KmsKeyId")
    yield judge(resource, [customer_managed_problem(ctx, key, "default EBS encryption")])


@live_rule("CG_LIVE_NET_003", mirrors=("CG_NET_003",))
def default_security_group_closed(ctx: LiveContext) -> Iterator[Outcome]:
    ec2 = ctx.aws("ec2")

    def default_groups(vpc: Deployed) -> list[dict[str, Any]] | None:
        if not _vpc_exists(ctx, vpc):
            return None
        filters = [*_vpc_filter("vpc-id", vpc), {"Name": "group-name", "Values": ["default"]}]
        groups: list[dict[str, Any]] = ec2.describe_security_groups(Filters=filters)["SecurityGroups"]
        return groups

    def problems(groups: list[dict[str, Any]]) -> list[str | None]:
        open_groups = [g["GroupId"] for g in groups if g.get("IpPermissions") or g.get("IpPermissionsEgress")]
        return [f"default security group has rules: {', '.join(open_groups)}" if open_groups else None]

    return judge_each(ctx, "aws_vpc", default_groups, problems)


def _vpc_filter(name: str, vpc: Deployed) -> list[dict[str, Any]]:
    return [{"Name": name, "Values": [vpc.get("id")]}]


def _vpc_exists(ctx: LiveContext, vpc: Deployed) -> bool:
    found = ctx.aws("ec2").describe_vpcs(Filters=_vpc_filter("vpc-id", vpc))["Vpcs"]
    return bool(found)
