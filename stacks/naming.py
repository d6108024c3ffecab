"""Readable, stable Terraform addresses: a resource's logical id is its construct id.

CDKTF derives logical ids from the construct path plus a hash (`network_vpc_1A2B3C4D`); policies,
plans and reviewers need `aws_vpc.main`. Every construct id in the stacks is chosen to be unique
per resource type across the stack, and `assign_logical_ids` enforces that instead of trusting it.
A `ResourceGroup` bundles the resources of one thing (a bucket and its versioning, encryption, ...):
its children share the group's id, one child per resource type (`aws_s3_bucket.raw`,
`aws_s3_bucket_versioning.raw`).
"""

from __future__ import annotations

from cdktf import (
    TerraformDataSource,
    TerraformElement,
    TerraformLocal,
    TerraformOutput,
    TerraformResource,
    TerraformStack,
)
from constructs import Construct, Node

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


class ReadableIdsStack(TerraformStack):
    """A stack whose resources are addressed `<type>.<construct id>` (see `LogicalIds`)."""

    def __init__(self, scope: Construct, id_: str) -> None:
        self._logical_ids = LogicalIds()  # before super(): the base constructor may already ask for ids
        super().__init__(scope, id_)

    def _allocate_logical_id(self, tf_element: TerraformElement | Node) -> str:
        """CDKTF hook, called once per element when its id is first needed."""
        return self._logical_ids.allocate(tf_element) or super()._allocate_logical_id(tf_element)
