"""Logical ids come from construct ids, and two resources can never silently share an address."""

from __future__ import annotations

from pathlib import Path

import pytest
from cdktf import App, TerraformStack
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_versioning import S3BucketVersioningA
from constructs import Construct

from stacks.naming import ReadableIdsStack, ResourceGroup


def _synth_ids(tmp_path: Path, build: object) -> list[str]:
    app = App(outdir=str(tmp_path), stack_traces=False)
    stack = ReadableIdsStack(app, "naming")
    build(stack)  # type: ignore[operator]
    return sorted(stack.to_terraform()["resource"]["aws_s3_bucket"])


def test_group_children_share_the_group_id(tmp_path: Path) -> None:
    def build(stack: TerraformStack) -> None:
        group = ResourceGroup(Construct(stack, "nested"), "raw")
        bucket = S3Bucket(group, "bucket", bucket="raw")
        S3BucketVersioningA(group, "versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"})

    assert _synth_ids(tmp_path, build) == ["raw"]


def test_two_resources_claiming_one_address_fail(tmp_path: Path) -> None:
    def build(stack: TerraformStack) -> None:
        S3Bucket(Construct(stack, "one"), "logs", bucket="a")
        S3Bucket(Construct(stack, "two"), "logs", bucket="b")

    with pytest.raises(Exception, match=r"two constructs claim aws_s3_bucket\.logs"):
        _synth_ids(tmp_path, build)
