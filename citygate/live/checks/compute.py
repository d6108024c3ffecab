"""Instance metadata of the node launch templates, as deployed: IMDSv2 only, within two hops."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citygate.live.deployed import Deployed
from citygate.live.rules import LiveContext, Outcome, fetch, judge_each, live_rule

MAXIMUM_HOP_LIMIT = 2
# the versions instances launch from: the default, and the latest that node groups usually name
VERSIONS = ("$Default", "$Latest")


def metadata_problems(version: dict[str, Any]) -> list[str | None]:
    """Why one launch template version lets IMDSv1 or far-away containers reach the metadata service."""
    options = version.get("LaunchTemplateData", {}).get("MetadataOptions", {})
    if options.get("HttpEndpoint") == "disabled":
        return []
    number = version.get("VersionNumber")
    hops = options.get("HttpPutResponseHopLimit", 1)
    return [
        None
        if options.get("HttpTokens") == "required"
        else f"version {number} accepts IMDSv1 (HttpTokens is not required)",
        None
        if hops <= MAXIMUM_HOP_LIMIT
        else f"version {number} has a hop limit of {hops}, more than {MAXIMUM_HOP_LIMIT}",
    ]


@live_rule("CG_LIVE_EC2_001", mirrors=("CG_EC2_001",))
def launch_template_imdsv2(ctx: LiveContext) -> Iterator[Outcome]:
    ec2 = ctx.aws("ec2")

    def describe(template: Deployed) -> list[dict[str, Any]] | None:
        found = fetch(
            ec2.describe_launch_template_versions, LaunchTemplateId=template.get("id"), Versions=list(VERSIONS)
        )
        return None if found is None else found["LaunchTemplateVersions"]

    def problems(versions: list[dict[str, Any]]) -> list[str | None]:
        return list(dict.fromkeys(p for version in versions for p in metadata_problems(version)))

    return judge_each(ctx, "aws_launch_template", describe, problems)
