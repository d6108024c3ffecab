"""Shared file storage: EFS file systems encrypted with a customer-managed key, read back from the account."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citygate.live.checks.keys import customer_managed_problem
from citygate.live.rules import LiveContext, Outcome, judge_each, live_rule


@live_rule("CG_LIVE_EFS_001", mirrors=("CG_EFS_001",))
def file_system_encryption(ctx: LiveContext) -> Iterator[Outcome]:
    pages = ctx.aws("efs").get_paginator("describe_file_systems").paginate()
    live = {fs["FileSystemId"]: fs for page in pages for fs in page.get("FileSystems", [])}

    def problems(fs: dict[str, Any]) -> list[str | None]:
        if not fs.get("Encrypted"):
            return ["file system is not encrypted"]
        return [customer_managed_problem(ctx, fs.get("KmsKeyId"), "file system")]

    return judge_each(ctx, "aws_efs_file_system", lambda fs: live.get(str(fs.get("id"))), problems)
