"""What Terraform deployed, read from its state: addresses, ids and attributes per resource type."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from citygate.errors import CitygateError


@dataclass(frozen=True)
class Deployed:
    """One resource instance from the state: its Terraform address and its recorded attributes."""

    address: str
    type: str
    attributes: dict[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.attributes.get(key, default)


def _address(resource: dict[str, Any], instance: dict[str, Any]) -> str:
    address = f"{resource['type']}.{resource['name']}"
    if resource.get("module"):
        address = f"{resource['module']}.{address}"
    key = instance.get("index_key")
    if isinstance(key, str):
        return f'{address}["{key}"]'
    return f"{address}[{key}]" if key is not None else address


class DeployedResources:
    """The managed resources of a Terraform state document (format version 4)."""

    def __init__(self, state: dict[str, Any]) -> None:
        if not state:
            raise CitygateError("the Terraform state is empty: nothing is deployed", where="state")
        if state.get("version") != 4:
            raise CitygateError(f"unsupported Terraform state version {state.get('version')!r}", where="state")
        self.items = [
            Deployed(_address(resource, instance), resource["type"], instance.get("attributes") or {})
            for resource in state.get("resources", [])
            if resource.get("mode") == "managed"
            for instance in resource.get("instances", [])
        ]

    def of_type(self, resource_type: str) -> Iterator[Deployed]:
        return (item for item in self.items if item.type == resource_type)

    def address_of(self, resource_type: str, key: str, value: Any) -> str | None:
        """The address of the resource of `resource_type` whose attribute `key` equals `value`."""
        return next((i.address for i in self.of_type(resource_type) if i.get(key) == value), None)

    def __len__(self) -> int:
        return len(self.items)
