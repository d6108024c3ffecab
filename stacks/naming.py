"""Readable, stable Terraform addresses: a resource's logical id is its construct id.

CDKTF derives logical ids from the construct path plus a hash (`network_vpc_1A2B3C4D`); policies,
plans and reviewers need `aws_vpc.main`. Every construct id in the stacks is chosen to be unique
per resource type across the stack, and `assign_logical_ids` enforces that instead of trusting it.
A `ResourceGroup` bundles the resources of one thing (a bucket and its versioning, encryption, ...):
its children share the group's id, one child per resource type (`aws_s3_bucket.raw`,
`aws_s3_bucket_versioning.raw`).
"""

from __future__ import annotations

from cdktf import TerraformDataSource, TerraformLocal, TerraformOutput, TerraformResource
from constructs import Construct

from citygate.errors import CitygateError


class ResourceGroup(Construct):
    """A construct whose resources all take the group's id as their logical id."""


def _kind(element: object) -> str | None:
    """The address namespace of an element (resource type, data.type, local, output), or None."""
    if isinstance(element, TerraformResource):
        return element.terraform_resource_type
    if isinstance(element, TerraformDataSource):
        return f"data.{element.terraform_resource_type}"
    if isinstance(element, TerraformLocal):
        return "local"
    if isinstance(element, TerraformOutput):
        return "output"
    return None


class LogicalIds:
    """Allocates `<construct id>` (or the group's id) as logical id and refuses duplicates.

    CDKTF asks the stack for an element's logical id the first time it is referenced or
    synthesized, so the id has to come from this allocation hook, not from a later override.
    """

    def __init__(self) -> None:
        self._claimed: dict[str, str] = {}

    def allocate(self, element: object) -> str | None:
        """The logical id for `element`, or None to keep CDKTF's own (providers, backends)."""
        kind = _kind(element)
        if kind is None:
            return None
        node = element.node  # type: ignore[attr-defined]
        parent = node.scope
        name: str = parent.node.id if isinstance(parent, ResourceGroup) else node.id
        address = f"{kind}.{name}"
        owner = self._claimed.setdefault(address, node.path)
        if owner != node.path:
            raise CitygateError(f"two constructs claim {address}: {owner} and {node.path}", "stacks")
        return name
